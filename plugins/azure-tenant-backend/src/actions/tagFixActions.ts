import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { TagFixOperations } from '../governance/fixes/TagFixOperations';
import { tagFixSelectionShape } from '../governance/fixes/tagFixSelection';
import { syncModeSchema, Zod } from './actionSchemas';

/** What the actions of {@link registerTagFixActions} run. */
export interface TagFixActionsOptions {
  tagFixes: TagFixOperations;
}

const KINDS = [
  'canonical-key',
  'canonical-value',
  'inherit',
  'owner-from-resource-group',
  'owner-from-siblings',
] as const;

const changeSchema = (z: Zod) =>
  z.object({
    set: z.record(z.string()),
    remove: z.array(z.string()),
    expected: z.record(z.string().nullable()),
  });

const previewSchema = (z: Zod) =>
  z.object({
    selection: z.object({}).passthrough(),
    resources: z
      .number()
      .describe(
        'Resources that would change; one with several fixes counts once',
      ),
    byKind: z.record(z.number()).describe('Fixes by kind'),
    subscriptions: z.array(
      z.object({
        subscriptionId: z.string(),
        syncMode: syncModeSchema(z),
        outcome: z
          .enum(['write-to-azure', 'portal-only', 'forbidden'])
          .describe(
            'write-to-azure under read-write-tags, portal-only under read-tags, forbidden otherwise or without permission',
          ),
        resources: z.number(),
        reason: z.string().optional(),
      }),
    ),
    sample: z
      .array(
        z.object({
          resourceId: z.string(),
          subscriptionId: z.string(),
          policyId: z.string(),
          kind: z.enum(KINDS),
          change: changeSchema(z),
          reason: z.string(),
        }),
      )
      .describe('The first fixes (at most 100)'),
  });

const jobSchema = (z: Zod) =>
  z.object({
    id: z.string(),
    selection: z.object({}).passthrough(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    state: z.enum(['pending', 'running', 'done', 'failed', 'cancelled']),
    total: z.number(),
    applied: z.number().describe('Written to Azure, or kept portal-only'),
    skipped: z
      .number()
      .describe('Already fixed, changed since the plan, or not allowed'),
    failed: z.number(),
    failures: z.array(
      z.object({ resourceId: z.string(), message: z.string() }),
    ),
  });

/** The output of an operation, as the actions registry wants it: JSON. */
const output = (value: unknown) => ({
  output: JSON.parse(JSON.stringify(value)),
});

const SELECTION =
  'Select with subscriptionIds, policyIds, kinds (canonical-key, canonical-value, inherit, owner-from-resource-group, ' +
  'owner-from-siblings), ownerRef and resourceIds; every part is optional and they apply together.';

/**
 * `preview-tag-fixes`, `apply-tag-fixes` and `get-tag-fix-job`: the operations of the tag fixes API, with its
 * validation, permissions and audit events. For users only.
 */
export function registerTagFixActions(
  registry: ActionsRegistryService,
  { tagFixes }: TagFixActionsOptions,
) {
  registry.register({
    name: 'preview-tag-fixes',
    title: 'Preview suggested tag fixes',
    description:
      'A dry run of the fixes the portal suggests for resources that break tag policies (a key spelled otherwise, a ' +
      "value not in the list's spelling, a key to inherit from the resource group or subscription, an owner from the " +
      'resource group or its other resources). Says per subscription whether the fixes would be written to Azure ' +
      '(read-write-tags), kept as portal-only tags (read-tags) or are forbidden (other modes, or no ' +
      `azure-tenant.tags.update on the resources), with counts by kind and a sample. ${SELECTION} Nothing is written.`,
    schema: {
      input: z => z.strictObject(tagFixSelectionShape(z)),
      output: previewSchema,
    },
    attributes: { readOnly: true, idempotent: true },
    examples: [
      {
        title: 'Canonical spellings in one subscription',
        input: {
          subscriptionIds: ['3f8c2a41-6d7e-4b59-9c1a-2e5f7d8b9a01'],
          kinds: ['canonical-key', 'canonical-value'],
        },
      },
    ],
    action: async ({ input, credentials }) =>
      output(await tagFixes.preview({ credentials }, input)),
  });

  registry.register({
    name: 'apply-tag-fixes',
    title: 'Apply suggested tag fixes',
    description:
      'Writes tags: plans the suggested tag fixes of a selection now and applies them in the background as the caller: each ' +
      "resource's change goes through the tag write path (refused if its tags changed since, audited), within " +
      `Azure's write limits. ${SELECTION} Preview with preview-tag-fixes first. Returns the job; follow it with ` +
      'get-tag-fix-job.',
    schema: {
      input: z => z.strictObject(tagFixSelectionShape(z)),
      output: jobSchema,
    },
    attributes: { destructive: false, idempotent: false },
    action: async ({ input, credentials }) =>
      output(await tagFixes.apply({ credentials }, input)),
  });

  registry.register({
    name: 'get-tag-fix-job',
    title: 'Get a tag fix job',
    description:
      'The progress of a job started by apply-tag-fixes: its state, how many resources were applied, skipped and ' +
      'failed, and the first failures. For its creator, or users who may manage tag policies.',
    schema: {
      input: z =>
        z.strictObject({
          jobId: z.string().describe('The id apply-tag-fixes returned'),
        }),
      output: jobSchema,
    },
    attributes: { readOnly: true, idempotent: true },
    action: async ({ input, credentials }) =>
      output(await tagFixes.get({ credentials }, input.jobId)),
  });
}
