import { ArmCall } from '../arm/ArmCall';
import { ArmError } from '../errors/ArmError';
import { EmulatorResponse, jsonResponse } from '../http/EmulatorHttp';
import { LoggedChange } from '../model/ChangeLog';
import { SubscriptionState } from '../model/EmulatorState';
import { invalidQuery } from './resourceGraphRequest';

/*
 * Resource Graph's change tables, `resourcechanges` and `resourcecontainerchanges` (Microsoft Learn, "Get resource
 * changes", https://learn.microsoft.com/azure/governance/resource-graph/how-to/get-resource-changes): a row per change
 * resource (`Microsoft.Resources/changes`), kept 14 days. The emulator runs the two queries the product sends (the
 * change feed contract), with any whitespace and any time; anything else is Resource Graph's 400 `InvalidQuery`.
 */

/** The resource changes since a time, joined with each resource's current state. `<T>` is the time. */
const RESOURCE_CHANGES_QUERY = `resourcechanges
| extend changeTime = todatetime(properties.changeAttributes.timestamp), targetResourceId = tolower(tostring(properties.targetResourceId)), changeType = tostring(properties.changeType)
| where changeTime > datetime(<T>)
| project changeId = id, changeTime, changeType, targetResourceId, subscriptionId
| join kind=leftouter (resources | project targetResourceId = tolower(id), resourceId = id, name, type, location, kind, tags) on targetResourceId
| order by changeTime asc, changeId asc`;

/** The container (subscription and resource group) changes since a time. */
const CONTAINER_CHANGES_QUERY = `resourcecontainerchanges
| extend changeTime = todatetime(properties.changeAttributes.timestamp), targetResourceId = tostring(properties.targetResourceId), changeType = tostring(properties.changeType)
| where changeTime > datetime(<T>)
| project changeId = id, changeTime, changeType, targetResourceId, subscriptionId
| order by changeTime asc, changeId asc`;

/** KQL's tokens do not depend on whitespace: runs become one space, and none is kept next to punctuation. */
function normaliseWhitespace(query: string): string {
  return query
    .replace(/\s+/g, ' ')
    .replace(/\s*([|,=()>])\s*/g, '$1')
    .trim();
}

function templatePattern(template: string): RegExp {
  const [before, after] = normaliseWhitespace(template).split('<T>');
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escape(before)}([^)]*)${escape(after)}$`);
}

const TABLES = [
  { table: 'resources', pattern: templatePattern(RESOURCE_CHANGES_QUERY) },
  { table: 'containers', pattern: templatePattern(CONTAINER_CHANGES_QUERY) },
] as const;

/** A KQL `datetime()` literal in ISO 8601 (UTC when it names no zone), in milliseconds. */
const ISO_DATETIME =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?$/i;

/** Whether a query reads one of the change tables (and is answered here, or refused as invalid). */
export function isChangeQuery(query: string): boolean {
  return /^(resourcechanges|resourcecontainerchanges)\b/i.test(query.trim());
}

interface ChangeCursor {
  /** The last row's time, in milliseconds. */
  t: number;
  /** The last row's change id. */
  id: string;
}

interface ChangeRow {
  logged: LoggedChange;
  subscription: SubscriptionState;
}

/**
 * `POST /providers/Microsoft.ResourceGraph/resources` for the change feed's two queries: the changes after the
 * query's time, of the subscriptions the caller may read, ordered by time then change id, `$top` rows a page (at
 * most 1000) with a `$skipToken` that resumes after the last row.
 */
export function queryResourceChanges(
  call: ArmCall,
  body: any,
  query: string,
  subscriptions: SubscriptionState[],
): EmulatorResponse {
  const normalised = normaliseWhitespace(query);
  let table: 'resources' | 'containers' | undefined;
  let literal = '';
  for (const candidate of TABLES) {
    const match = candidate.pattern.exec(normalised);
    if (match) {
      table = candidate.table;
      literal = match[1];
    }
  }
  if (!table) {
    throw invalidQuery(
      query,
      'The emulator runs only the change feed queries of resourcechanges and resourcecontainerchanges.',
    );
  }
  const isoLiteral = literal.trim();
  const zoned = ISO_DATETIME.exec(isoLiteral);
  const afterMs = zoned
    ? Date.parse(zoned[1] ? isoLiteral : `${isoLiteral}Z`)
    : NaN;
  if (Number.isNaN(afterMs)) {
    throw invalidQuery(query, `'${literal}' is not a datetime.`);
  }

  const options = body?.options ?? {};
  const requestedTop = Number(
    options.$top ?? call.context.settings.resourceGraphPageSize,
  );
  if (!Number.isInteger(requestedTop) || requestedTop < 1) {
    throw new ArmError(
      400,
      'BadRequest',
      `The $top '${options.$top}' is invalid: it must be a whole number from 1 to 1000.`,
    );
  }
  const top = Math.min(requestedTop, 1000);
  const cursor = readCursor(options.$skipToken);

  const rows: ChangeRow[] = [];
  for (const subscription of subscriptions) {
    const log =
      table === 'resources'
        ? subscription.changes.resources
        : subscription.changes.containers;
    for (const logged of log.since(afterMs))
      rows.push({ logged, subscription });
  }
  rows.sort(compareRows);

  let start = 0;
  if (cursor) {
    while (
      start < rows.length &&
      compareToCursor(rows[start].logged, cursor) <= 0
    ) {
      start++;
    }
  } else {
    start = Math.max(0, Math.floor(Number(options.$skip ?? 0)) || 0);
  }
  const page = rows.slice(start, start + top);
  const last = page[page.length - 1];
  const more = start + top < rows.length && last !== undefined;
  return jsonResponse(200, {
    totalRecords: rows.length,
    count: page.length,
    data: page.map(row =>
      table === 'resources' ? resourceChangeRow(row) : containerChangeRow(row),
    ),
    facets: [],
    resultTruncated: 'false',
    ...(more
      ? {
          $skipToken: Buffer.from(
            JSON.stringify({
              t: last.logged.timestampMs,
              id: last.logged.change.id,
            } satisfies ChangeCursor),
          ).toString('base64'),
        }
      : {}),
  });
}

function readCursor(token: unknown): ChangeCursor | undefined {
  if (token === undefined || token === null || token === '') return undefined;
  try {
    const cursor = JSON.parse(
      Buffer.from(String(token), 'base64').toString('utf8'),
    );
    if (typeof cursor?.t === 'number' && typeof cursor?.id === 'string') {
      return cursor;
    }
  } catch {
    // Refused below, as any token Resource Graph did not give.
  }
  throw new ArmError(400, 'BadRequest', 'The $skipToken is invalid.');
}

/** `order by changeTime asc, changeId asc` (KQL compares strings ordinally). */
function compareRows(a: ChangeRow, b: ChangeRow): number {
  return compareToCursor(a.logged, {
    t: b.logged.timestampMs,
    id: b.logged.change.id,
  });
}

function compareToCursor(logged: LoggedChange, cursor: ChangeCursor): number {
  if (logged.timestampMs !== cursor.t) return logged.timestampMs - cursor.t;
  if (logged.change.id === cursor.id) return 0;
  return logged.change.id < cursor.id ? -1 : 1;
}

function projectedChange({ logged, subscription }: ChangeRow) {
  const { change } = logged;
  return {
    changeId: change.id,
    changeTime: change.properties.changeAttributes.timestamp,
    changeType: change.properties.changeType,
    targetResourceId: change.properties.targetResourceId,
    subscriptionId: subscription.subscriptionId,
  };
}

/**
 * A row of query 1: the change, then the resource as it is now (the join's right side). KQL names the right key
 * `targetResourceId1`. When the resource no longer exists, the right side's string columns are '' and `tags` is
 * null: in KQL "the string data type doesn't support null values" (Learn, "Null values",
 * https://learn.microsoft.com/kusto/query/scalar-data-types/null-values), while `tags` is dynamic.
 */
function resourceChangeRow(row: ChangeRow): Record<string, unknown> {
  const projected = projectedChange(row);
  const targetResourceId = projected.targetResourceId.toLowerCase();
  const resource = row.subscription.resources.get(targetResourceId);
  return {
    ...projected,
    targetResourceId,
    targetResourceId1: resource ? resource.id.toLowerCase() : '',
    resourceId: resource?.id ?? '',
    name: resource?.name ?? '',
    type: resource?.type.toLowerCase() ?? '',
    location: resource?.location.toLowerCase() ?? '',
    kind: resource ? resource.kind ?? '' : '',
    tags: resource ? resource.tags : null,
  };
}

/** A row of query 2: the change of a subscription or resource group. */
function containerChangeRow(row: ChangeRow): Record<string, unknown> {
  return projectedChange(row);
}
