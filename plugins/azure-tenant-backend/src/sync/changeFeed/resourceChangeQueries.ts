import { AzureConnection } from '../../azure/azureConnection';
import { resourceGraphClientsByTenant } from '../../azure/resourceGraphClients';
import { AzureTenantMetrics } from '../../metrics/azureTenantMetrics';
import { epochMs } from '../ResourceSyncer';

/** Resource Graph takes at most 1,000 subscriptions in one query, and answers at most 1,000 rows a page. */
const MAX_SUBSCRIPTIONS_PER_QUERY = 1000;
const MAX_ROWS_PER_PAGE = 1000;

/** The type of a change in Resource Graph's change tables. */
export type ChangeType = 'Create' | 'Update' | 'Delete';

/** A resource's state as Resource Graph's `resources` table has it now (the right side of query 1's join). */
export interface CurrentResourceState {
  /** In the resource's own casing. */
  resourceId: string;
  name: string;
  /** Lower case, as Resource Graph has it. */
  type: string;
  /** Lower case; undefined when none. */
  location?: string;
  kind?: string;
  /** Undefined when the resource has none. */
  tags?: Record<string, string>;
}

/** One row of `resourcechanges`, with the resource's current state when it still exists in Resource Graph. */
export interface ResourceChange {
  changeId: string;
  changeTimeMs: number;
  changeType: ChangeType;
  /** Lower case: the key the store uses. */
  targetResourceId: string;
  /** Lower case. */
  subscriptionId: string;
  /** Undefined when `resources` has no such resource: deleted, or not there yet (Resource Graph's lag). */
  current?: CurrentResourceState;
}

/** One row of `resourcecontainerchanges`: a resource group or the subscription itself changed. */
export interface ContainerChange {
  changeId: string;
  changeTimeMs: number;
  changeType: ChangeType;
  /** `/subscriptions/{s}` or `/subscriptions/{s}/resourceGroups/{rg}`. */
  targetResourceId: string;
  /** Lower case. */
  subscriptionId: string;
}

/** What the change tables hold after a time, for some subscriptions of one tenant. */
export interface ChangesSince {
  /** Azure's time of the first answer (its `Date` header), in epoch milliseconds. */
  azureTimeMs: number;
  /** In Azure's order: by change time, then change id. */
  resourceChanges: ResourceChange[];
  containerChanges: ContainerChange[];
}

/** Resource Graph answered something the change-feed sync cannot use. */
export class ResourceChangeResponseError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'ResourceChangeResponseError';
    this.code = code;
  }
}

/** Whether `error` is a {@link ResourceChangeResponseError}. */
export function isResourceChangeResponseError(
  error: unknown,
): error is ResourceChangeResponseError {
  return error instanceof ResourceChangeResponseError;
}

/** KQL's datetime literal of a time: ISO 8601 UTC with milliseconds. */
function kqlDatetime(since: Date): string {
  return `datetime(${since.toISOString()})`;
}

/**
 * Query 1: the resource changes after `since`, each with the resource's current state joined from `resources` (the
 * state now, not at the change; null columns when it is gone). Learn, "Get resource changes" (resourcechanges,
 * properties.changeAttributes.timestamp, properties.targetResourceId, properties.changeType).
 */
export function resourceChangesQuery(since: Date): string {
  return [
    'resourcechanges',
    '| extend changeTime = todatetime(properties.changeAttributes.timestamp), targetResourceId = tolower(tostring(properties.targetResourceId)), changeType = tostring(properties.changeType)',
    `| where changeTime > ${kqlDatetime(since)}`,
    '| project changeId = id, changeTime, changeType, targetResourceId, subscriptionId',
    '| join kind=leftouter (resources | project targetResourceId = tolower(id), resourceId = id, name, type, location, kind, tags) on targetResourceId',
    '| order by changeTime asc, changeId asc',
  ].join('\n');
}

/** Query 2: the resource group and subscription changes after `since` (`resourcecontainerchanges`). */
export function containerChangesQuery(since: Date): string {
  return [
    'resourcecontainerchanges',
    '| extend changeTime = todatetime(properties.changeAttributes.timestamp), targetResourceId = tostring(properties.targetResourceId), changeType = tostring(properties.changeType)',
    `| where changeTime > ${kqlDatetime(since)}`,
    '| project changeId = id, changeTime, changeType, targetResourceId, subscriptionId',
    '| order by changeTime asc, changeId asc',
  ].join('\n');
}

const CHANGE_TYPES = new Set<string>(['Create', 'Update', 'Delete']);

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The common columns of a change row; undefined for a row that is not a change (it is skipped). */
function changeOf(row: Record<string, unknown>) {
  const changeId = text(row.changeId);
  const changeTimeMs = epochMs(text(row.changeTime));
  const changeType = text(row.changeType);
  const targetResourceId = text(row.targetResourceId);
  const subscriptionId = text(row.subscriptionId);
  if (
    !changeId ||
    changeTimeMs === undefined ||
    !changeType ||
    !CHANGE_TYPES.has(changeType) ||
    !targetResourceId ||
    !subscriptionId
  ) {
    return undefined;
  }
  return {
    changeId,
    changeTimeMs,
    changeType: changeType as ChangeType,
    targetResourceId,
    subscriptionId: subscriptionId.toLowerCase(),
  };
}

/** A `resourcechanges` row of query 1; undefined when it is not one. */
export function resourceChangeOf(
  row: Record<string, unknown>,
): ResourceChange | undefined {
  const change = changeOf(row);
  if (!change) return undefined;
  const resourceId = text(row.resourceId);
  const name = text(row.name);
  const type = text(row.type);
  const tags =
    row.tags && typeof row.tags === 'object' && !Array.isArray(row.tags)
      ? (row.tags as Record<string, string>)
      : undefined;
  return {
    ...change,
    targetResourceId: change.targetResourceId.toLowerCase(),
    ...(resourceId && name && type
      ? {
          current: {
            resourceId,
            name,
            type,
            ...(text(row.location) ? { location: text(row.location) } : {}),
            ...(text(row.kind) ? { kind: text(row.kind) } : {}),
            // ARM leaves `tags` out when a resource has none; Resource Graph gives {}: both are "none".
            ...(tags && Object.keys(tags).length > 0 ? { tags } : {}),
          },
        }
      : {}),
  };
}

/** Reads Resource Graph's change tables for the change-feed sync. */
export interface ResourceChangeReader {
  /**
   * Every resource change and container change after `since` in these subscriptions of one tenant (query 1, then
   * query 2, each page by page), and Azure's time of the first answer. Rejects on any failed page: a partial read is
   * never used.
   */
  readChangesSince(options: {
    tenantId: string;
    subscriptionIds: string[];
    since: Date;
  }): Promise<ChangesSince>;
}

/**
 * Reads the change tables through `@azure/arm-resourcegraph` (`POST /providers/Microsoft.ResourceGraph/resources`),
 * with the portal's app credential in the tenant: one client per tenant, so that its quota policy paces every query
 * of that principal, as the savings sync's Advisor reader does.
 */
export function createResourceChangeReader(options: {
  connection: AzureConnection;
  metrics?: AzureTenantMetrics;
}): ResourceChangeReader {
  const { connection, metrics } = options;
  const clientFor = resourceGraphClientsByTenant({ connection, metrics });

  return {
    async readChangesSince({ tenantId, subscriptionIds, since }) {
      const client = clientFor(tenantId);
      let azureTimeMs: number | undefined;
      // The first answer's `Date`: Azure's time at the start of the run.
      const recordAzureTime = (response: {
        headers: { get(name: string): string | undefined };
      }) => {
        azureTimeMs ??= epochMs(response.headers.get('date'));
      };
      async function* rows(query: string) {
        for (
          let i = 0;
          i < subscriptionIds.length;
          i += MAX_SUBSCRIPTIONS_PER_QUERY
        ) {
          const subscriptions = subscriptionIds.slice(
            i,
            i + MAX_SUBSCRIPTIONS_PER_QUERY,
          );
          const seen = new Set<string>();
          let skipToken: string | undefined;
          do {
            const page = await client.resources(
              {
                subscriptions,
                query,
                options: {
                  top: MAX_ROWS_PER_PAGE,
                  resultFormat: 'objectArray',
                  ...(skipToken ? { skipToken } : {}),
                },
              },
              { onResponse: recordAzureTime },
            );
            if (!Array.isArray(page.data)) {
              throw new ResourceChangeResponseError(
                "Resource Graph answered without an array of rows in 'data'",
                'UnexpectedResultFormat',
              );
            }
            for (const row of page.data) {
              if (row && typeof row === 'object') {
                yield row as Record<string, unknown>;
              }
            }
            skipToken = page.skipToken || undefined;
            if (skipToken) {
              if (seen.has(skipToken)) {
                throw new ResourceChangeResponseError(
                  'Resource Graph returned the same $skipToken twice',
                  'PagingLoop',
                );
              }
              seen.add(skipToken);
            }
          } while (skipToken);
        }
      }

      const resourceChanges: ResourceChange[] = [];
      for await (const row of rows(resourceChangesQuery(since))) {
        const change = resourceChangeOf(row);
        if (change) resourceChanges.push(change);
      }
      const containerChanges: ContainerChange[] = [];
      for await (const row of rows(containerChangesQuery(since))) {
        const change = changeOf(row);
        if (change) containerChanges.push(change);
      }
      if (azureTimeMs === undefined) {
        // The cursor is Azure's time, never the backend's: without it, nothing can be stored.
        throw new ResourceChangeResponseError(
          "Resource Graph answered without a valid 'Date' header",
          'MissingDate',
        );
      }
      return { azureTimeMs, resourceChanges, containerChanges };
    },
  };
}
