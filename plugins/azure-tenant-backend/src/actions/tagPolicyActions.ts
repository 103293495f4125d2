import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { tagPolicyInputShape } from '../governance/policies/tagPolicyInput';
import { TagPolicyOperations } from '../governance/policies/TagPolicyOperations';
import { Zod } from './actionSchemas';

/** What the actions of {@link registerTagPolicyActions} run. */
export interface TagPolicyActionsOptions {
  tagPolicies: TagPolicyOperations;
}

const EXAMPLE_POLICY_ID = '5d0c7a3e-2b1f-4e6d-9a8c-7b6e5d4c3b2a';

const policyIdSchema = (z: Zod) =>
  z
    .string()
    .regex(/^[A-Za-z0-9:-]{1,80}$/, 'must be a tag policy id')
    .describe(
      'The id of a tag policy, from list-tag-policies (a GUID, or config:<id> for one declared in app-config)',
    );

/** A stored policy, as `GET /tag-policies/{id}` answers it. */
const tagPolicySchema = (z: Zod) =>
  z.object({
    id: z.string(),
    source: z
      .enum(['portal', 'config'])
      .describe('config: declared in app-config, read-only here'),
    name: z.string(),
    description: z.string().optional(),
    key: z.string().describe('The canonical spelling of the tag name'),
    aliases: z.array(z.string()).optional(),
    required: z.boolean().optional(),
    values: z
      .object({ kind: z.enum(['list', 'pattern', 'catalog-entity']) })
      .passthrough()
      .optional(),
    inherit: z
      .enum([
        'resource-group',
        'subscription',
        'resource-group-then-subscription',
      ])
      .optional(),
    scope: z
      .object({
        subscriptionIds: z.array(z.string()).optional(),
        resourceGroupPattern: z.string().optional(),
        resourceTypes: z.array(z.string()).optional(),
      })
      .optional(),
    createdBy: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  });

/** The output of a policy, as the actions registry wants it: JSON. */
const output = (value: unknown) => ({
  output: JSON.parse(JSON.stringify(value)),
});

const WRITE_RULES =
  'For users only, with azure-tenant.tag-policy.manage; others get a 403. Policies declared in app-config ' +
  '(source config) cannot be changed or deleted here (409). Compliance is evaluated again at once.';

/**
 * `list-tag-policies`, `create-tag-policy`, `update-tag-policy`, `delete-tag-policy` and `list-azure-tag-policies`:
 * the operations of the tag policies API, with its validation, permissions and audit events.
 */
export function registerTagPolicyActions(
  registry: ActionsRegistryService,
  { tagPolicies }: TagPolicyActionsOptions,
) {
  registry.register({
    name: 'list-tag-policies',
    title: 'List tag policies',
    description:
      "Lists the portal's tag policies: for each, the tag key in its canonical spelling, its other spellings " +
      '(aliases), whether resources must have it, the values allowed (a list, a pattern, or a catalog group or ' +
      'user), where a resource should inherit it from and which resources it covers. Policies declared in ' +
      'app-config have source config. Use it to find a policy id for update-tag-policy or delete-tag-policy.',
    schema: {
      input: z => z.strictObject({}),
      output: z => z.object({ items: z.array(tagPolicySchema(z)) }),
    },
    attributes: { readOnly: true, idempotent: true },
    action: async ({ credentials }) =>
      output({ items: await tagPolicies.list({ credentials }) }),
  });

  registry.register({
    name: 'create-tag-policy',
    title: 'Create a tag policy',
    description:
      'Writes a new tag policy about one tag key: its canonical spelling (key), other spellings to rename (aliases), ' +
      "whether it is required, the values allowed ({ kind: 'list', values }, { kind: 'pattern', pattern } or " +
      "{ kind: 'catalog-entity' }), where a resource without it should take it from (inherit) and which resources " +
      `it covers (scope). ${WRITE_RULES} Returns the policy.`,
    schema: {
      input: z => z.strictObject(tagPolicyInputShape(z)),
      output: tagPolicySchema,
    },
    attributes: { destructive: false, idempotent: false },
    examples: [
      {
        title: 'Every resource names its owning team',
        input: {
          name: 'Owner is a catalog team',
          key: 'owner',
          aliases: ['owned-by', 'team'],
          required: true,
          values: { kind: 'catalog-entity', entityKinds: ['group'] },
          inherit: 'resource-group',
        },
      },
      {
        title: 'An environment from a list, in production resource groups',
        input: {
          name: 'Environment',
          key: 'env',
          values: { kind: 'list', values: ['prod', 'test', 'dev'] },
          scope: { resourceGroupPattern: 'rg-*-prod' },
        },
      },
    ],
    action: async ({ input, credentials }) =>
      output(await tagPolicies.create({ credentials }, input)),
  });

  registry.register({
    name: 'update-tag-policy',
    title: 'Replace a tag policy',
    description:
      "Writes a tag policy's fields anew: give every field as for create-tag-policy (fields left out are removed), " +
      `plus policyId. Its creator and creation time are kept. Read it with list-tag-policies first. ${WRITE_RULES} ` +
      'Returns the policy.',
    schema: {
      input: z =>
        z.strictObject({
          policyId: policyIdSchema(z),
          ...tagPolicyInputShape(z),
        }),
      output: tagPolicySchema,
    },
    attributes: { destructive: true, idempotent: true },
    examples: [
      {
        title: 'Make a policy required',
        input: {
          policyId: EXAMPLE_POLICY_ID,
          name: 'Cost center',
          key: 'costCenter',
          required: true,
          values: { kind: 'pattern', pattern: '^CC-[0-9]{4}$' },
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const { policyId, ...fields } = input;
      return output(
        await tagPolicies.replace({ credentials }, policyId, fields),
      );
    },
  });

  registry.register({
    name: 'delete-tag-policy',
    title: 'Delete a tag policy',
    description: `Writes: deletes a tag policy; its violations go away at the next evaluation, which starts at once. ${WRITE_RULES}`,
    schema: {
      input: z => z.strictObject({ policyId: policyIdSchema(z) }),
      output: z =>
        z.object({
          policyId: z.string(),
          deleted: z.literal(true),
        }),
    },
    attributes: { destructive: true, idempotent: false },
    examples: [
      { title: 'Delete a tag policy', input: { policyId: EXAMPLE_POLICY_ID } },
    ],
    action: async ({ input, credentials }) => {
      await tagPolicies.delete({ credentials }, input.policyId);
      return {
        output: { policyId: input.policyId, deleted: true as const },
      };
    },
  });

  registry.register({
    name: 'list-azure-tag-policies',
    title: 'List Azure Policy assignments about tags',
    description:
      'Lists the Azure Policy assignments of built-in tag definitions on the connected subscriptions, as last read ' +
      '(every 6 hours): what each does with which tag (require, inherit-from-resource-group, ' +
      'inherit-from-subscription, add, other), where it is assigned and whether Azure enforces it. Read-only: ' +
      "use it to align the portal's tag policies with Azure's.",
    schema: {
      input: z =>
        z.strictObject({
          subscriptionId: z
            .string()
            .uuid()
            .optional()
            .describe('Only the assignments of this connected subscription'),
        }),
      output: z =>
        z.object({
          items: z.array(
            z.object({
              id: z.string().describe("The assignment's ARM id"),
              subscriptionId: z.string(),
              scope: z.string(),
              displayName: z.string(),
              definitionName: z
                .string()
                .describe("The built-in definition's display name"),
              effect: z.enum([
                'require',
                'inherit-from-resource-group',
                'inherit-from-subscription',
                'add',
                'other',
              ]),
              tagName: z.string().optional(),
              tagValue: z.string().optional(),
              enforcementMode: z.enum(['Default', 'DoNotEnforce']),
              readAt: z.string(),
            }),
          ),
        }),
    },
    attributes: { readOnly: true, idempotent: true },
    action: async ({ input, credentials }) =>
      output({
        items: await tagPolicies.listAzure({ credentials }, input),
      }),
  });
}
