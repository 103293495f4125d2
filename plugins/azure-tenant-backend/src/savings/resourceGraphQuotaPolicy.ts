import { setTimeout as sleep } from 'node:timers/promises';
import { PipelinePolicy } from '@azure/core-rest-pipeline';

const QUOTA_REMAINING = 'x-ms-user-quota-remaining';
const QUOTA_RESETS_AFTER = 'x-ms-user-quota-resets-after';
/** The headers the SDK's throttling policy reads its wait from. */
const STANDARD_RETRY_AFTER = [
  'retry-after',
  'retry-after-ms',
  'x-ms-retry-after-ms',
];

/** `hh:mm:ss` (Resource Graph's `x-ms-user-quota-resets-after`) in milliseconds; undefined when it is not that. */
export function quotaResetsAfterMs(
  value: string | undefined,
): number | undefined {
  const match = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value?.trim() ?? '');
  if (!match) return undefined;
  const [, hours, minutes, seconds] = match;
  return Math.round(
    (Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds)) * 1000,
  );
}

/**
 * Keeps one principal's Resource Graph queries within its quota (by default 15 queries per 5 seconds, shared by every
 * query of the portal in the tenant). Resource Graph says what is left in `x-ms-user-quota-remaining` and when the
 * window resets in `x-ms-user-quota-resets-after` (Learn, "Guidance for throttled requests in Azure Resource Graph").
 * When the quota is spent, the next query waits for the reset instead of meeting a 429; and a 429 without a standard
 * `Retry-After` gets the reset as its wait, so that the SDK's throttling policy retries it after that.
 *
 * Add it with `position: 'perRetry'`, one instance per principal (tenant), so that it paces every try.
 */
export function resourceGraphQuotaPolicy(
  options: {
    /** The wait when a 429 names none. Defaults to 5 s, Resource Graph's quota window. */
    defaultRetryAfterMs?: number;
    /** The longest wait taken from Resource Graph's headers. Defaults to 60 s. */
    maxWaitMs?: number;
    /** Told of each pause before a query, in milliseconds. */
    onWait?: (waitMs: number) => void;
  } = {},
): PipelinePolicy {
  const { defaultRetryAfterMs = 5_000, maxWaitMs = 60_000, onWait } = options;
  let resumeAt = 0;
  return {
    name: 'resourceGraphQuotaPolicy',
    async sendRequest(request, next) {
      const waitMs = resumeAt - Date.now();
      if (waitMs > 0) {
        onWait?.(waitMs);
        await sleep(waitMs);
      }
      const response = await next(request);
      const resetsMs = quotaResetsAfterMs(
        response.headers.get(QUOTA_RESETS_AFTER),
      );
      const remaining = response.headers.get(QUOTA_REMAINING);
      if (
        remaining !== undefined &&
        remaining.trim() !== '' &&
        Number(remaining) <= 0 &&
        resetsMs !== undefined
      ) {
        resumeAt = Date.now() + Math.min(resetsMs, maxWaitMs);
      }
      if (
        response.status === 429 &&
        !STANDARD_RETRY_AFTER.some(name => response.headers.has(name))
      ) {
        response.headers.set(
          'retry-after-ms',
          String(Math.min(resetsMs ?? defaultRetryAfterMs, maxWaitMs)),
        );
      }
      return response;
    },
  };
}
