import { PipelinePolicy, PipelineResponse } from '@azure/core-rest-pipeline';
import { AzureApi, AzureTenantMetrics } from './azureTenantMetrics';

/**
 * The wait a 429 names, in milliseconds, from the headers the SDK's throttling policy reads (`retry-after-ms`,
 * `x-ms-retry-after-ms`, then `Retry-After` in seconds or as an HTTP date); undefined when it names none.
 */
export function namedRetryAfterMs(
  response: PipelineResponse,
  now = Date.now(),
): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = Number(response.headers.get(name));
    if (response.headers.has(name) && Number.isFinite(value) && value >= 0) {
      return value;
    }
  }
  const retryAfter = response.headers.get('retry-after');
  if (retryAfter === undefined) return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Counts the 429s of one tenant's client, and the waits they name, in {@link AzureTenantMetrics}. It only looks:
 * the request and the response pass unchanged.
 *
 * Add it with `position: 'perRetry'`, so that it sees each try, and before any policy that rewrites a 429's wait
 * (`costManagementRetryAfterPolicy`): policies added earlier wrap those added later, so it then sees the wait the
 * SDK's throttling policy will take.
 */
export function throttledRequestPolicy(options: {
  metrics: AzureTenantMetrics;
  tenantId: string;
  api: AzureApi;
}): PipelinePolicy {
  const { metrics, tenantId, api } = options;
  return {
    name: 'throttledRequestPolicy',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status === 429) {
        metrics.recordThrottled(tenantId, api, namedRetryAfterMs(response));
      }
      return response;
    },
  };
}
