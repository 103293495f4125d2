import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { TagOperations } from '../tags/TagOperations';
import {
  stalenessSchema,
  syncModeSchema,
  tagNameMapInputSchema,
  tagsSchema,
} from './actionSchemas';

/** What the actions of {@link registerTagActions} run. */
export interface TagActionsOptions {
  tags: TagOperations;
}

const EXAMPLE_RESOURCE =
  '/subscriptions/3f1c2a4e-8b7d-4c6a-9e5f-1a2b3c4d5e6f/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/vm-web-1';

const RESOURCE_ID_DESCRIPTION =
  'The Azure resource id, /subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name} (case-insensitive)';

/**
 * `get-resource-tags` and `update-resource-tags`: the same operations as `GET /tags` and `PATCH /tags`, for users
 * only, as the API.
 */
export function registerTagActions(
  registry: ActionsRegistryService,
  { tags }: TagActionsOptions,
) {
  registry.register({
    name: 'get-resource-tags',
    title: "Read an Azure resource's tags",
    description:
      "Reads an Azure resource's tags: the Azure tags from the last sync, the portal-only tags (edits kept in the " +
      'portal under read-tags), with live=true also the tags Azure holds now, and whether the caller may edit them ' +
      "(canEdit, and reason when not). Read this before update-resource-tags and pass the values you saw as its 'expected'. " +
      'Under no-tags and none no tags are kept. For users only; needs read access to the resource entity.',
    schema: {
      // Strict, as the REST API: a field the schema does not name is refused, not dropped while the rest runs.
      input: z =>
        z.strictObject({
          resourceId: z.string().describe(RESOURCE_ID_DESCRIPTION),
          live: z
            .boolean()
            .optional()
            .describe('true: also read the tags from Azure now (liveTags)'),
        }),
      output: z =>
        z.object({
          resourceId: z.string(),
          subscriptionId: z.string(),
          syncMode: syncModeSchema(z),
          tags: tagsSchema(z)
            .optional()
            .describe('Azure tags as of the last sync'),
          liveTags: tagsSchema(z)
            .optional()
            .describe('Azure tags now (with live=true)'),
          portalTags: tagsSchema(z).describe(
            'Tags kept in the portal only, never written to Azure',
          ),
          revision: z.number(),
          canEdit: z.boolean(),
          reason: z
            .object({
              code: z.enum(['permission', 'sync-mode', 'role']),
              message: z.string(),
            })
            .optional()
            .describe('Why the caller may not edit, and what would allow it'),
          staleness: stalenessSchema(z).optional(),
        }),
    },
    attributes: { readOnly: true, idempotent: true },
    examples: [
      {
        title: "A VM's tags, with Azure's current ones",
        input: { resourceId: EXAMPLE_RESOURCE, live: true },
      },
    ],
    action: async ({ input, credentials }) => ({
      output: await tags.getTags({ credentials }, input),
    }),
  });

  registry.register({
    name: 'update-resource-tags',
    title: "Change an Azure resource's tags",
    description:
      "Writes a change to an Azure resource's tags: sets some, removes others, and leaves the rest as they are. " +
      "What happens depends on the subscription's sync mode: read-write-tags writes the change to Azure " +
      "(outcome 'written'); read-tags keeps it in the portal only and never writes to Azure (outcome " +
      "'portal-only'); no-tags and none refuse with a 409 (ConflictError) that says who can change the mode. " +
      "Give 'expected' with the values you read (null for a tag that was absent): if Azure holds something else now, " +
      'nothing is written and a 409 says which tags changed; read them again and retry. Returns the tags before ' +
      'and after. For users only; needs azure-tenant.tags.update on the resource entity (its owners by default).',
    schema: {
      input: z =>
        z.strictObject({
          resourceId: z.string().describe(RESOURCE_ID_DESCRIPTION),
          set: tagNameMapInputSchema(z, z.record(z.string()))
            .optional()
            .describe('Tags to add or overwrite: name to value'),
          remove: z
            .array(z.string())
            .optional()
            .describe('Names of tags to delete'),
          expected: tagNameMapInputSchema(z, z.record(z.string().nullable()))
            .optional()
            .describe(
              'The value you saw of each tag you change, or null if it was absent; a mismatch is a 409 and nothing is written',
            ),
        }),
      output: z =>
        z.object({
          resourceId: z.string(),
          syncMode: syncModeSchema(z),
          outcome: z
            .enum(['written', 'portal-only', 'unchanged'])
            .describe(
              'written: sent to Azure; portal-only: kept in the portal (read-tags); unchanged: nothing to do',
            ),
          before: tagsSchema(z),
          tags: tagsSchema(z).describe('Azure tags after the change'),
          portalTags: tagsSchema(z).describe(
            'Portal-only tags after the change',
          ),
          revision: z.number(),
        }),
    },
    // Destructive: `remove` deletes tags in Azure and `set` overwrites their values; nothing but tags is touched.
    // Not idempotent: a repeat with the same `expected` meets the values the first call wrote and is a 409.
    attributes: { destructive: true, idempotent: false },
    examples: [
      {
        title: 'Give a VM a cost center and drop a stale tag',
        input: {
          resourceId: EXAMPLE_RESOURCE,
          set: { 'cost-center': 'cc-1234' },
          remove: ['temp'],
          expected: { 'cost-center': null, temp: 'yes' },
        },
      },
    ],
    action: async ({ input, credentials }) => ({
      output: await tags.updateTags({ credentials }, input),
    }),
  });
}
