import { PipelinePolicy, PipelineRequest } from '@azure/core-rest-pipeline';
import { readAccessTokenClaims } from '../jwtClaims';
import { AzureQuotas } from './AzureQuotas';
import { QuotaBudget, QuotaDemand } from './QuotaBudget';

/** The name of {@link sharedQuotaPolicy} in a pipeline. */
export const SHARED_QUOTA_POLICY_NAME = 'sharedQuotaPolicy';

// One QPU per started 31 days of data, as Cost Management charges (manage-automation#qpu-calculation).
const MONTH_DAYS = 31;
const DAY_MS = 86_400_000;

/** The caller, read from the request's token: Azure's quotas are per principal and tenant. */
function callerOf(
  request: PipelineRequest,
): { tenantId: string; principalId: string } | undefined {
  const authorization = request.headers.get('authorization');
  const token = /^bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return undefined;
  try {
    const { tid, oid } = readAccessTokenClaims(token);
    if (!tid || !oid) return undefined;
    return { tenantId: tid.toLowerCase(), principalId: oid.toLowerCase() };
  } catch {
    return undefined;
  }
}

/** The QPU a Cost Management query costs: one per started month of its custom period, else one. */
export function costManagementQpu(body: unknown): number {
  if (typeof body !== 'string') return 1;
  try {
    const query = JSON.parse(body);
    if (String(query?.timeframe ?? '').toLowerCase() !== 'custom') return 1;
    const from = Date.parse(String(query.timePeriod.from));
    const to = Date.parse(String(query.timePeriod.to));
    if (!(to >= from)) return 1;
    const days = Math.floor((to - from) / DAY_MS) + 1;
    return Math.max(1, Math.ceil(days / MONTH_DAYS));
  } catch {
    return 1;
  }
}

/**
 * What a request costs in the shared quotas, by method and URL: a Cost Management query (QPU per tenant), a Resource
 * Graph query (per principal, and an ARM tenant-level read: it goes through ARM), or an ARM read (per principal and
 * subscription, or tenant-level). Writes and deletes are not budgeted. Nothing for a request without a readable token.
 */
export function classifyQuotaDemands(
  request: PipelineRequest,
  quotas: AzureQuotas,
): QuotaDemand[] {
  const caller = callerOf(request);
  if (!caller) return [];
  const { tenantId, principalId } = caller;
  const path = new URL(request.url).pathname.toLowerCase();
  const method = request.method.toUpperCase();
  if (path.includes('/providers/microsoft.costmanagement/')) {
    if (method !== 'POST') return [];
    const qpu = costManagementQpu(request.body);
    const { per10Seconds, perMinute, perHour } = quotas.costManagement;
    return [
      { key: `cost-qpu-10s|${tenantId}`, limit: per10Seconds, cost: qpu },
      { key: `cost-qpu-1m|${tenantId}`, limit: perMinute, cost: qpu },
      { key: `cost-qpu-1h|${tenantId}`, limit: perHour, cost: qpu },
    ];
  }
  const subscription = /^\/subscriptions\/([^/]+)/.exec(path)?.[1] ?? 'tenant';
  const armRead: QuotaDemand = {
    key: `arm-read|${tenantId}|${principalId}|${subscription}`,
    limit: quotas.armReads,
    cost: 1,
  };
  if (path.endsWith('/providers/microsoft.resourcegraph/resources')) {
    return [
      armRead,
      {
        key: `resource-graph|${tenantId}|${principalId}`,
        limit: quotas.resourceGraph,
        cost: 1,
      },
    ];
  }
  if (method === 'GET' || method === 'HEAD') return [armRead];
  return [];
}

/**
 * Makes every request wait for its share of Azure's quotas in the budget that all replicas share
 * ({@link classifyQuotaDemands}). It runs around each try, after the token is added (a retry is a request Azure
 * counts too); Azure's own headers (`armThrottlingPolicy`) and the SDK's 429 retry still apply after it.
 */
export function sharedQuotaPolicy(options: {
  budget: QuotaBudget;
  quotas: AzureQuotas;
  /** Told of each wait, with the quota waited for (the plugin's metrics count them). */
  onWait?: (waitMs: number, demand: QuotaDemand) => void;
}): PipelinePolicy {
  const { budget, quotas, onWait } = options;
  return {
    name: SHARED_QUOTA_POLICY_NAME,
    async sendRequest(request, next) {
      if (quotas.enabled) {
        const demands = classifyQuotaDemands(request, quotas);
        if (demands.length > 0) {
          const waited = await budget.take(demands, {
            signal: request.abortSignal,
          });
          if (waited > 0) onWait?.(waited, demands[demands.length - 1]);
        }
      }
      return next(request);
    },
  };
}
