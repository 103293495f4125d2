import { PipelinePolicy } from '@azure/core-rest-pipeline';

/** The headers the SDK's throttling policy reads its wait from. */
const STANDARD_RETRY_AFTER = [
  'retry-after',
  'retry-after-ms',
  'x-ms-retry-after-ms',
];
/** Cost Management's own: `x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after`, `…-entity-retry-after`, … */
const COST_MANAGEMENT_RETRY_AFTER =
  /^x-ms-ratelimit-microsoft\.costmanagement-[a-z-]+-retry-after$/;

/**
 * Lets the SDK's throttling policy retry Cost Management's 429s. Cost Management names the wait of a throttled query
 * in its own `x-ms-ratelimit-microsoft.costmanagement-*-retry-after` headers (seconds), which the SDK does not read;
 * this policy copies the longest of them into `Retry-After` when the answer has none (or gives `defaultRetryAfterMs`
 * when it names no wait at all). So a throttled query has the pipeline's one retry budget (4 tries by default), each
 * after the wait Azure asked for.
 *
 * Add it with `position: 'perRetry'`, so that it sees each try's answer before the retry policy does.
 */
export function costManagementRetryAfterPolicy(
  options: {
    /** The wait when a 429 names none. Defaults to 5 s. */
    defaultRetryAfterMs?: number;
    /** The longest wait taken from Cost Management's headers. Defaults to 60 s. */
    maxRetryAfterMs?: number;
  } = {},
): PipelinePolicy {
  const { defaultRetryAfterMs = 5_000, maxRetryAfterMs = 60_000 } = options;
  return {
    name: 'costManagementRetryAfterPolicy',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status !== 429) return response;
      if (STANDARD_RETRY_AFTER.some(name => response.headers.has(name))) {
        return response;
      }
      let seconds: number | undefined;
      for (const [name, value] of response.headers) {
        if (!COST_MANAGEMENT_RETRY_AFTER.test(name.toLowerCase())) continue;
        const named = Number(value);
        if (Number.isFinite(named) && named >= 0) {
          seconds = Math.max(seconds ?? 0, named);
        }
      }
      const waitMs = Math.min(
        seconds === undefined ? defaultRetryAfterMs : seconds * 1000,
        maxRetryAfterMs,
      );
      response.headers.set('retry-after-ms', String(Math.round(waitMs)));
      return response;
    },
  };
}
