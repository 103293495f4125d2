import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  findTag,
  validateTagChange,
} from '@azure-tenant/plugin-azure-tenant-common';
import type {
  AzureTenantClient,
  AzureTenantClientService,
} from '@azure-tenant/plugin-azure-tenant-node';
import { ApiFailure, apiFailure } from './apiErrors';
import { ownerTagValue } from './ownerTag';
import {
  subscriptionOfResource,
  waitForSyncedResources,
} from './resourceSyncWait';

/** The action's id, as templates name it. */
export const TAGS_APPLY_ACTION_ID = 'azure-tenant:tags:apply';

const DEFAULT_WAIT_FOR_SYNC_SECONDS = 120;

/**
 * Options of {@link createAzureTenantTagsApplyAction}.
 *
 * @public
 */
export interface AzureTenantTagsApplyActionOptions {
  /**
   * Clients of the Azure tenant plugin: the action asks for one acting for the template's initiator, so that the
   * plugin's permissions decide for that user, never for the scaffolder.
   */
  clients: AzureTenantClientService;
  /**
   * The owner tag written when a template names none: the one the catalog module reads the owner from. Defaults to
   * `owner`.
   */
  ownerTagKey?: string;
  /**
   * How often, in milliseconds, the plugin is asked whether a resource is synced while the action waits for it.
   * Defaults to 2000.
   */
  pollIntervalMs?: number;
}

/** One resource's line in the action's output. */
type ResourceOutcome = {
  resourceId: string;
  /** written, portal-only or unchanged; in a dry run, what would happen. */
  outcome: string;
  syncMode?: string;
  /** The API's sentence when the resource was not tagged. */
  error?: string;
  status?: number;
};

const OUTCOME_TEXT: Record<string, string> = {
  written: 'written to Azure',
  'portal-only': 'kept in the portal as portal-only tags (read-tags)',
  unchanged: 'already tagged so; nothing written',
  'would-write': 'would be written to Azure',
  'would-keep-portal-only':
    'would be kept in the portal as portal-only tags (read-tags)',
  'would-wait-for-sync':
    'not synced yet: a real run would request its subscription’s sync and wait for it',
};

/**
 * The `azure-tenant:tags:apply` action: tags the Azure resources a template created, with the owner of the new
 * component, through the Azure tenant plugin and as the template's initiator.
 *
 * @public
 */
export function createAzureTenantTagsApplyAction(
  options: AzureTenantTagsApplyActionOptions,
) {
  const defaultOwnerTagKey = options.ownerTagKey ?? 'owner';
  const pollIntervalMs = options.pollIntervalMs ?? 2000;

  return createTemplateAction({
    id: TAGS_APPLY_ACTION_ID,
    description:
      'Writes tags on Azure resources through the Azure tenant plugin, as the template’s initiator: the owner of the new component under the owner tag, and any other tags. Under a subscription in read-tags the tags are kept in the portal as portal-only tags; the subscription’s sync mode decides, never the template.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Tag the resources a template created with its owner',
        example: [
          'steps:',
          '  - id: tag',
          '    name: Tag the Azure resources',
          '    action: azure-tenant:tags:apply',
          '    input:',
          "      resourceIds: ${{ steps['deploy'].output.resourceIds }}",
          '      owner: ${{ parameters.owner }}',
          '      tags:',
          '        component: ${{ parameters.name }}',
          '      waitForSyncSeconds: 300',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        resourceIds: z =>
          z
            .array(z.string().min(1))
            .min(1)
            .max(500)
            .describe(
              'Azure resource ids: /subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name}',
            ),
        tags: z =>
          z
            .record(z.string())
            .optional()
            .describe('Tags to set on each resource (name → value)'),
        owner: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe(
              'The owner of the new component, as an entity ref such as group:default/platform (from an OwnerPicker). Written under ownerTagKey as the entity’s name, which the catalog resolves to that group or user.',
            ),
        ownerTagKey: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe(
              `The tag to write the owner under. Defaults to the catalog module’s ownerTagKey (${defaultOwnerTagKey}).`,
            ),
        waitForSyncSeconds: z =>
          z
            .number()
            .int()
            .min(0)
            .max(3600)
            .optional()
            .describe(
              `When the portal has not synced a resource yet (it was just created), request its subscription’s sync and wait up to this long for it. 0: do not wait. Defaults to ${DEFAULT_WAIT_FOR_SYNC_SECONDS}.`,
            ),
      },
      output: {
        results: z =>
          z
            .array(
              z.object({
                resourceId: z.string(),
                outcome: z.string(),
                syncMode: z.string().optional(),
                status: z.number().optional(),
                error: z.string().optional(),
              }),
            )
            .describe(
              'One entry per resource: outcome written, portal-only or unchanged (in a dry run would-write, would-keep-portal-only or would-wait-for-sync), or failed with status and error',
            ),
        ownerTagValue: z =>
          z
            .string()
            .optional()
            .describe('The value written under the owner tag'),
        summary: z =>
          z
            .string()
            .describe('A Markdown list of what happened to each resource'),
      },
    },
    async handler(ctx) {
      const { input, logger } = ctx;
      const ownerTagKey = input.ownerTagKey ?? defaultOwnerTagKey;
      const set: Record<string, string> = { ...(input.tags ?? {}) };
      let ownerValue: string | undefined;
      if (input.owner) {
        if (findTag(set, ownerTagKey.toLowerCase()) !== undefined) {
          throw new InputError(
            `Give the owner either as owner or in tags, not both: tags names '${ownerTagKey}' too`,
          );
        }
        ownerValue = ownerTagValue(input.owner);
        set[ownerTagKey] = ownerValue;
      }
      if (Object.keys(set).length === 0) {
        throw new InputError('Nothing to tag: give owner, tags, or both');
      }
      const problems = validateTagChange({ set });
      if (problems.length > 0) {
        throw new InputError(
          `The tags break Azure's rules: ${problems
            .map(p => `'${p.tag}': ${p.message}`)
            .join('; ')}`,
        );
      }
      // Tag names and resource ids are case-insensitive in Azure: one entry per resource.
      const resourceIds = [
        ...new Map(
          input.resourceIds.map(id => [id.toLowerCase(), id]),
        ).values(),
      ];

      const client = options.clients.forCredentials(
        await ctx.getInitiatorCredentials(),
      );
      const outcomes = ctx.isDryRun
        ? await preview(client, resourceIds)
        : await apply(client, resourceIds, set, {
            waitMs:
              (input.waitForSyncSeconds ?? DEFAULT_WAIT_FOR_SYNC_SECONDS) *
              1000,
            pollIntervalMs,
            logger,
            signal: ctx.signal,
          });

      const lines = outcomes.map(o =>
        o.error
          ? `- ${o.resourceId}: not tagged (${o.status}): ${o.error}`
          : `- ${o.resourceId}: ${OUTCOME_TEXT[o.outcome] ?? o.outcome}`,
      );
      for (const line of lines) logger.info(line.slice(2));
      ctx.output('results', outcomes);
      if (ownerValue !== undefined) ctx.output('ownerTagValue', ownerValue);
      ctx.output('summary', lines.join('\n'));

      const failed = outcomes.filter(o => o.error);
      if (failed.length > 0) {
        const tagged = outcomes.length - failed.length;
        throw new Error(
          `${failed.length} of ${outcomes.length} Azure resources ${
            ctx.isDryRun ? 'could not be' : 'were not'
          } tagged${
            tagged > 0 && !ctx.isDryRun
              ? ` (the other ${tagged} were, as listed)`
              : ''
          }:\n${failed
            .map(o => `- ${o.resourceId}: ${o.status} ${o.error}`)
            .join('\n')}`,
        );
      }
    },
  });
}

/** Sends the change with `POST /tags/bulk`; a resource the plugin has not synced yet is waited for, then sent. */
async function apply(
  client: AzureTenantClient,
  resourceIds: string[],
  set: Record<string, string>,
  wait: {
    waitMs: number;
    pollIntervalMs: number;
    logger: LoggerService;
    signal?: AbortSignal;
  },
): Promise<ResourceOutcome[]> {
  const outcomes = new Map<string, ResourceOutcome>();
  const send = async (ids: string[]) => {
    const { results } = await client.updateTagsInBulk({
      body: { resourceIds: ids, set },
    });
    for (const item of results) {
      outcomes.set(
        item.resourceId,
        item.result
          ? {
              resourceId: item.resourceId,
              outcome: item.result.outcome,
              syncMode: item.result.syncMode,
            }
          : {
              resourceId: item.resourceId,
              outcome: 'failed',
              status: item.status,
              error: item.error?.message ?? `status ${item.status}`,
            },
      );
    }
  };

  try {
    await send(resourceIds);
  } catch (error) {
    // The whole request was refused (its shape, or the caller's sign-in): every resource shares that answer.
    return resourceIds.map(id => failedOutcome(id, apiFailure(error)));
  }

  const unsynced = [...outcomes.values()]
    .filter(o => o.status === 404)
    .map(o => o.resourceId);
  if (unsynced.length > 0 && wait.waitMs > 0) {
    const { known, failures } = await waitForSyncedResources({
      client,
      resourceIds: unsynced,
      timeoutMs: wait.waitMs,
      pollIntervalMs: wait.pollIntervalMs,
      logger: wait.logger,
      signal: wait.signal,
    });
    for (const [id, failure] of failures) {
      outcomes.set(id, failedOutcome(id, failure));
    }
    if (known.length > 0) {
      try {
        await send(known);
      } catch (error) {
        for (const id of known) {
          outcomes.set(id, failedOutcome(id, apiFailure(error)));
        }
      }
    }
  }
  return resourceIds.map(
    id =>
      outcomes.get(id) ??
      failedOutcome(id, {
        status: 0,
        name: 'Error',
        message: 'The plugin gave no result for it',
      }),
  );
}

/**
 * A dry run reads each resource's tags (GET /tags) and says what a real run would do, from the sync mode and
 * whether the initiator may edit them. Nothing is written and no sync is requested.
 */
async function preview(
  client: AzureTenantClient,
  resourceIds: string[],
): Promise<ResourceOutcome[]> {
  // A resource of an onboarded subscription that the plugin does not know is one a sync may still bring.
  const onboarded = client
    .listSubscriptions()
    .then(
      ({ items }) => new Set(items.map(s => s.subscriptionId.toLowerCase())),
    )
    .catch(() => undefined);
  return Promise.all(
    resourceIds.map(async (resourceId): Promise<ResourceOutcome> => {
      try {
        const tags = await client.getTags({ query: { resourceId } });
        if (!tags.canEdit) {
          return {
            resourceId,
            outcome: 'failed',
            syncMode: tags.syncMode,
            status: tags.reason?.code === 'permission' ? 403 : 409,
            error: tags.reason?.message ?? 'The tags may not be edited',
          };
        }
        return {
          resourceId,
          outcome:
            tags.syncMode === 'read-tags'
              ? 'would-keep-portal-only'
              : 'would-write',
          syncMode: tags.syncMode,
        };
      } catch (error) {
        const failure = apiFailure(error);
        const subscriptions = await onboarded;
        if (
          failure.status === 404 &&
          (!subscriptions ||
            subscriptions.has(subscriptionOfResource(resourceId)))
        ) {
          return { resourceId, outcome: 'would-wait-for-sync' };
        }
        return failedOutcome(resourceId, failure);
      }
    }),
  );
}

function failedOutcome(
  resourceId: string,
  failure: ApiFailure,
): ResourceOutcome {
  return {
    resourceId,
    outcome: 'failed',
    status: failure.status,
    error: failure.message,
  };
}
