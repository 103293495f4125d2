import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { ResourceSearch } from '../resources/ResourceSearch';
import {
  DEFAULT_RESOURCE_PAGE_SIZE,
  MAX_RESOURCE_PAGE_SIZE,
  parseResourceSearch,
} from '../resources/resourceSearchParameters';
import { tagsSchema, Zod } from './actionSchemas';

/** What the resource actions call. */
export interface ResourceActionsOptions {
  resourceSearch: ResourceSearch;
}

const foundResourceSchema = (z: Zod) =>
  z.object({
    resourceId: z
      .string()
      .describe("Azure's resource id; compare case-insensitively"),
    name: z.string(),
    type: z.string().describe('The ARM type'),
    subscriptionId: z.string(),
    resourceGroup: z.string(),
    location: z.string().optional(),
    tags: tagsSchema(z).describe(
      "Azure's tags as of the last sync; empty when the subscription's sync mode keeps no tags",
    ),
    portalTags: tagsSchema(z)
      .optional()
      .describe('Tags edited in the portal under read-tags, never in Azure'),
    entityRef: z.string().describe("The resource's catalog entity"),
  });

/**
 * Registers `find-resources`: the search of `GET /resources` for agents and tools, with the caller's own
 * credentials, so that they find what the caller may see in the catalog and nothing more.
 */
export function registerResourceActions(
  registry: ActionsRegistryService,
  options: ResourceActionsOptions,
): void {
  const { resourceSearch } = options;

  registry.register({
    name: 'find-resources',
    title: 'Find Azure resources',
    description: [
      'Finds synced Azure resources by subscription, resource group, type, tag, missing tag and owner. All filters',
      'are optional and combine (a resource must match every one given). type is an ARM type such as',
      'Microsoft.Compute/virtualMachines; type, resource group and tag names compare without regard to case, tag',
      'values exactly. tagKey finds resources that have the tag (with tagValue: that value); missingTag finds those',
      'without it, untagged ones included. Tags are the Azure tags of the last sync: subscriptions whose sync mode is',
      'no-tags or none keep no tags, so no tag filter matches their resources. owner is a group or user entity ref',
      '(e.g. group:default/platform): the resources whose catalog entity it owns. Only resources whose catalog',
      `entity you may read are returned. Pages hold at most limit items (1 to ${MAX_RESOURCE_PAGE_SIZE}, default`,
      `${DEFAULT_RESOURCE_PAGE_SIZE}), and may hold fewer, even none, while more follow: repeat the call with`,
      'cursor set to nextCursor and the same filters until nextCursor is absent.',
    ].join(' '),
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      // Strict, as the REST API: a field the schema does not name is refused, not dropped while the rest runs.
      input: z =>
        z.strictObject({
          subscriptionId: z
            .string()
            .optional()
            .describe('A subscription id (GUID)'),
          resourceGroup: z.string().optional(),
          type: z
            .string()
            .optional()
            .describe('An ARM type, e.g. Microsoft.Compute/virtualMachines'),
          tagKey: z
            .string()
            .optional()
            .describe('Resources that have this tag (name case-insensitive)'),
          tagValue: z
            .string()
            .optional()
            .describe('With tagKey: the exact value of the tag'),
          missingTag: z
            .string()
            .optional()
            .describe('Resources that do not have this tag'),
          owner: z
            .string()
            .optional()
            .describe(
              'A group or user entity ref; resources whose entity it owns',
            ),
          cursor: z
            .string()
            .optional()
            .describe('nextCursor of the previous page, with the same filters'),
          limit: z
            .number()
            .int()
            .min(1)
            .max(MAX_RESOURCE_PAGE_SIZE)
            .optional()
            .describe(
              `Items per page, 1 to ${MAX_RESOURCE_PAGE_SIZE}; ${DEFAULT_RESOURCE_PAGE_SIZE} when not given`,
            ),
        }),
      output: z =>
        z.object({
          resources: z.array(foundResourceSchema(z)),
          nextCursor: z
            .string()
            .optional()
            .describe('Pass as cursor for the next page; absent on the last'),
        }),
    },
    examples: [
      {
        title: 'Virtual machines without an owner tag in one subscription',
        input: {
          subscriptionId: '00000000-0000-4000-8000-000000000001',
          type: 'Microsoft.Compute/virtualMachines',
          missingTag: 'owner',
        },
      },
      {
        title: 'Production resources of a team',
        input: {
          owner: 'group:default/platform',
          tagKey: 'env',
          tagValue: 'prod',
          limit: 50,
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const page = await resourceSearch.find(parseResourceSearch(input), {
        credentials,
      });
      return {
        output: {
          resources: page.items,
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        },
      };
    },
  });
}
