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
import {
  CostScope,
  CostTable,
  runCostForecast,
  runCostQuery,
} from './costQuery';

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
  const table: CostTable =
    operation === 'query'
      ? runCostQuery(call.context.costModel, costScope, body)
      : runCostForecast(call.context.costModel, costScope, body);

  const pageSize = call.context.settings.costQueryPageSize;
  const token = call.request.url.searchParams.get('$skiptoken');
  const offset = token
    ? Number(Buffer.from(token, 'base64url').toString('utf8'))
    : 0;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new ArmError(400, 'BadRequest', `Invalid $skiptoken '${token}'.`);
  }
  const rows = table.rows.slice(offset, offset + pageSize);
  let nextLink: string | null = null;
  if (offset + pageSize < table.rows.length) {
    const apiVersion = encodeURIComponent(
      call.request.url.searchParams.get('api-version') ?? '2022-10-01',
    );
    const next = Buffer.from(String(offset + pageSize)).toString('base64url');
    nextLink = `${call.context.baseUrl}${call.request.path}?api-version=${apiVersion}&$skiptoken=${next}`;
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
