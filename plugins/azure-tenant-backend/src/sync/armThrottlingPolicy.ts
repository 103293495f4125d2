import { setTimeout as sleep } from 'node:timers/promises';
import { PipelinePolicy } from '@azure/core-rest-pipeline';

const REMAINING_READS = 'x-ms-ratelimit-remaining-subscription-reads';

/**
 * Slows a client down before ARM throttles it: when a response says fewer than `minRemainingReads` reads remain in
 * the subscription's budget, the next request waits, longer the closer the budget is to empty. 429s themselves
 * (with `Retry-After`) are retried by the SDK's own throttling policy.
 */
export function armThrottlingPolicy(options: {
  minRemainingReads: number;
  /** The longest pause before a request. Defaults to 5 s. */
  maxDelayMs?: number;
  /** Told of each pause, in milliseconds (the plugin's metrics count them). */
  onWait?: (waitMs: number) => void;
}): PipelinePolicy {
  const { minRemainingReads, maxDelayMs = 5000, onWait } = options;
  let remaining = Number.POSITIVE_INFINITY;
  return {
    name: 'armThrottlingPolicy',
    async sendRequest(request, next) {
      if (remaining < minRemainingReads && minRemainingReads > 0) {
        const waitMs = Math.round(
          maxDelayMs * (1 - remaining / minRemainingReads),
        );
        onWait?.(waitMs);
        await sleep(waitMs);
      }
      const response = await next(request);
      const header = response.headers.get(REMAINING_READS);
      if (header !== undefined && Number.isFinite(Number(header))) {
        remaining = Number(header);
      }
      return response;
    },
  };
}
