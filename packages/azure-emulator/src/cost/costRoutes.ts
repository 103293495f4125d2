import { randomUUID } from 'node:crypto';
import { ArmCall } from '../arm/ArmCall';
import {
  parseScope,
  requireResourceGroup,
  requireSubscription,
  scopeAsWritten,
} from '../arm/armScopes';
import { ArmError } from '../errors/ArmError';
import {
  EmulatorResponse,
  jsonResponse,
  readJsonBody,
} from '../http/EmulatorHttp';
import { requirePermission } from '../rbac/accessCheck';
import { CostModel } from './CostModel';
import { CostQueryCache } from './CostQueryCache';
import {
  CostScope,
  CostTable,
  queryDays,
  runCostForecast,
  runCostQuery,
} from './costQuery';

/** The answers being paged, per cost model (a reset of the emulator brings a new model, and so a new cache). */
const caches = new WeakMap<CostModel, CostQueryCache>();

function cacheOf(model: CostModel): CostQueryCache {
  let cache = caches.get(model);
  if (!cache) {
    cache = new CostQueryCache();
    caches.set(model, cache);
  }
  return cache;
}

/**
 * What a next page must share with the first to be cut from the same answer: the scope, the operation and the query
 * with its time period as days (clients write the same period in more than one way). Undefined for a query that is
 * not valid, which is then computed (and refused) as before.
 */
function fingerprintOf(
  model: CostModel,
  scope: string,
  operation: string,
  body: any,
): string | undefined {
  try {
    const { from, to } = queryDays(body, model.today);
    return JSON.stringify([
      scope.toLowerCase(),
      operation,
      String(body?.type ?? '').toLowerCase(),
      from,
      to,
      body?.dataset ?? null,
      body?.includeActualCost ?? null,
    ]);
  } catch {
    return undefined;
  }
}

/** `$skiptoken`: an offset into a kept answer (`<id>.<offset>`), or an offset alone. */
function parseSkipToken(
  token: string | null,
): { offset: number; answerId?: string } | undefined {
  if (token === null) return { offset: 0 };
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const match = /^(?:([0-9a-f-]{36})\.)?(\d+)$/.exec(text);
  if (!match) return undefined;
  const offset = Number(match[2]);
  if (!Number.isSafeInteger(offset)) return undefined;
  return { offset, ...(match[1] ? { answerId: match[1] } : {}) };
}

/**
 * `POST {scope}/providers/Microsoft.CostManagement/query` and `…/forecast` at subscription or
 * resource group scope, with `nextLink` paging of large results.
 */
export function handleCostManagement(
  call: ArmCall,
  scope: string,
  operation: 'query' | 'forecast',
): EmulatorResponse {
  if (call.request.method !== 'POST') {
    throw new ArmError(
      405,
      'MethodNotAllowed',
      `The method '${call.request.method}' is not allowed.`,
    );
  }
  const written = scopeAsWritten(scope);
  const parsed = parseScope(written);
  if (!parsed || parsed.type) {
    throw new ArmError(
      400,
      'BadRequest',
      `Invalid scope '${written}': Cost Management queries are supported at subscription and resource group scope.`,
    );
  }
  const subscription = requireSubscription(call, parsed.subscriptionId);
  requirePermission(
    call.context.state,
    call.caller,
    written,
    `Microsoft.CostManagement/${operation}/read`,
  );
  const costScope: CostScope = { subscription };
  if (parsed.resourceGroup) {
    costScope.resourceGroup = requireResourceGroup(
      subscription,
      parsed.resourceGroup,
    ).name;
  }
  const body = readJsonBody(call.request);
  const model = call.context.costModel;
  const token = call.request.url.searchParams.get('$skiptoken');
  const skip = parseSkipToken(token);
  if (!skip) {
    throw new ArmError(400, 'BadRequest', `Invalid $skiptoken '${token}'.`);
  }
  const { offset } = skip;
  // A next page is cut from the answer computed for the first page, so that paging through an answer costs one
  // computation, not one per page.
  const cache = cacheOf(model);
  const fingerprint = fingerprintOf(model, written, operation, body);
  let answerId = skip.answerId;
  let table: CostTable | undefined =
    answerId && fingerprint ? cache.get(answerId, fingerprint) : undefined;
  if (!table) {
    answerId = undefined;
    table =
      operation === 'query'
        ? runCostQuery(model, costScope, body)
        : runCostForecast(model, costScope, body);
  }

  // A query with no rows answers 204 without a body: the spec's Query_Usage lists "204: No Content" beside 200.
  if (operation === 'query' && table.rows.length === 0 && offset === 0) {
    return { status: 204 };
  }

  const pageSize = call.context.settings.costQueryPageSize;
  const rows = table.rows.slice(offset, offset + pageSize);
  let nextLink: string | null = null;
  if (offset + pageSize < table.rows.length) {
    if (!answerId && fingerprint) answerId = cache.put(fingerprint, table);
    const apiVersion = encodeURIComponent(
      call.request.url.searchParams.get('api-version') ?? '2022-10-01',
    );
    const next = Buffer.from(
      answerId ? `${answerId}.${offset + pageSize}` : String(offset + pageSize),
    ).toString('base64url');
    nextLink = `${call.context.baseUrl}${call.request.path}?api-version=${apiVersion}&$skiptoken=${next}`;
  } else if (answerId) {
    cache.delete(answerId);
  }
  const id = randomUUID();
  const scopeWithoutSlash = written.slice(1);
  return jsonResponse(200, {
    id: `${scopeWithoutSlash}/providers/Microsoft.CostManagement/${
      operation === 'query' ? 'Query' : 'Forecast'
    }/${id}`,
    name: id,
    type: `microsoft.costmanagement/${
      operation === 'query' ? 'Query' : 'Forecast'
    }`,
    location: null,
    sku: null,
    eTag: null,
    tags: null,
    properties: { nextLink, columns: table.columns, rows },
  });
}
