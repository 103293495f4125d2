import { PipelinePolicy, PipelineRequest } from '@azure/core-rest-pipeline';

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

/** Cost Management's QPU windows, as its `x-ms-ratelimit-microsoft.costmanagement-qpu-remaining` header names them. */
const QPU_WINDOWS_MS: Record<string, number> = {
  queriesper10sec: 10_000,
  queriespermin: 60_000,
};
const QPU_REMAINING = 'x-ms-ratelimit-microsoft.costmanagement-qpu-remaining';

/** Cost Management's hourly QPU quota of a tenant is spent: no query is sent until the next sync. */
export class CostManagementQuotaExhaustedError extends Error {
  readonly code = 'QpuQuotaExhausted';
  constructor(readonly tenantId: string) {
    super(
      `Cost Management's hourly query quota of tenant ${tenantId} is spent (x-ms-ratelimit-microsoft.costmanagement-qpu-remaining QueriesPerHour:0); spend is read again on the next sync`,
    );
    this.name = 'CostManagementQuotaExhaustedError';
  }
}

/**
 * Keeps one tenant's Cost Management queries within its query processing unit (QPU) quotas (per tenant: 12 per
 * 10 seconds, 60 per minute, 600 per hour), from what Azure says is left in
 * `x-ms-ratelimit-microsoft.costmanagement-qpu-remaining` (`QueriesPerHour:597,QueriesPerMin:57,QueriesPer10Sec:9`).
 * When a window is spent, the next query waits that window's length (its quota is back by then) instead of being
 * sent to meet a 429; when the hour is spent, queries fail at once with {@link CostManagementQuotaExhaustedError}
 * until the hour has passed, so a sync stops and the next one resumes. One policy per tenant's client: the quotas
 * are the tenant's.
 *
 * Add it with `position: 'perRetry'` after {@link costManagementRetryAfterPolicy}, so that it paces every try.
 */
export function costManagementQpuPacingPolicy(options: {
  tenantId: string;
  /** The clock; tests move it. Defaults to `Date.now`. */
  now?: () => number;
}): PipelinePolicy {
  const { tenantId, now = Date.now } = options;
  /** No query before this time (a window is spent). */
  let pausedUntil = 0;
  /** No query before this time, and fail instead of waiting (the hour is spent). */
  let hourSpentUntil = 0;
  return {
    name: 'costManagementQpuPacingPolicy',
    async sendRequest(request, next) {
      if (now() < hourSpentUntil) {
        throw new CostManagementQuotaExhaustedError(tenantId);
      }
      const waitMs = pausedUntil - now();
      if (waitMs > 0) await delay(waitMs, request.abortSignal);
      const response = await next(request);
      const remaining = response.headers.get(QPU_REMAINING);
      if (remaining) {
        for (const part of remaining.split(',')) {
          const [name, value] = part.split(':').map(s => s.trim());
          if (Number(value) > 0 || value === undefined || value === '') {
            continue;
          }
          const window = name.toLowerCase();
          if (window === 'queriesperhour') {
            hourSpentUntil = Math.max(hourSpentUntil, now() + 3_600_000);
          } else if (QPU_WINDOWS_MS[window]) {
            pausedUntil = Math.max(pausedUntil, now() + QPU_WINDOWS_MS[window]);
          }
        }
      }
      return response;
    },
  };
}

function delay(
  ms: number,
  signal: PipelineRequest['abortSignal'],
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('The Cost Management query was aborted'));
      return;
    }
    const pending: { timer?: ReturnType<typeof setTimeout> } = {};
    const onAbort = () => {
      clearTimeout(pending.timer);
      reject(new Error('The Cost Management query was aborted'));
    };
    pending.timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort);
  });
}
