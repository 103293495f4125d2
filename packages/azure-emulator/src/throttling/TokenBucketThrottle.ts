import {
  CostManagementQpuQuotas,
  CostManagementQpuThrottle,
  QpuDecision,
  readQpuQuotas,
} from './CostManagementQpuThrottle';

/**
 * One token bucket's size and refill rate.
 *
 * @public
 */
export interface TokenBucketLimit {
  /** The bucket's size: how many requests can burst. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

/**
 * Throttling settings.
 *
 * @public
 */
export interface ThrottlingOptions {
  /** Whether throttling is on. Defaults to true. */
  enabled?: boolean;
  /** ARM reads per principal and subscription. Defaults to 250, refilling 25 per second. */
  reads?: TokenBucketLimit;
  /** ARM writes per principal and subscription. Defaults to 200, refilling 10 per second. */
  writes?: TokenBucketLimit;
  /** ARM deletes per principal and subscription, a bucket of their own. Defaults to 200, refilling 10 per second. */
  deletes?: TokenBucketLimit;
  /**
   * Cost Management's query processing unit (QPU) quotas per tenant, as Azure documents them: 12 per 10 seconds, 60
   * per minute, 600 per hour (a query consumes one QPU per month of data it covers). A window left out keeps its
   * default. A throttled query gets 429 without a standard `Retry-After`: the wait is in
   * `x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after`.
   */
  costManagement?: CostManagementQpuQuotas;
}

/** The outcome of taking a token. */
export interface ThrottleDecision {
  allowed: boolean;
  /** Tokens left after this request (rounded down). */
  remaining: number;
  /** When not allowed: seconds until a token is available (at least 1). */
  retryAfterSeconds: number;
}

export type ThrottleCategory = 'reads' | 'writes' | 'deletes';

export const DEFAULT_THROTTLING: Required<ThrottlingOptions> = {
  enabled: true,
  reads: { capacity: 250, refillPerSecond: 25 },
  writes: { capacity: 200, refillPerSecond: 10 },
  deletes: { capacity: 200, refillPerSecond: 10 },
  costManagement: { per10Seconds: 12, perMinute: 60, perHour: 600 },
};

/** Token buckets per principal, scope and category, like ARM's and Cost Management's limits. */
export class TokenBucketThrottle {
  private settings: Required<ThrottlingOptions>;
  private readonly buckets = new Map<
    string,
    { tokens: number; updatedAt: number }
  >();

  private readonly qpu: CostManagementQpuThrottle;

  constructor(
    options: ThrottlingOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.settings = {
      ...DEFAULT_THROTTLING,
      ...options,
      costManagement: readQpuQuotas(options.costManagement),
    };
    this.qpu = new CostManagementQpuThrottle(
      this.settings.costManagement as Required<CostManagementQpuQuotas>,
      now,
    );
  }

  configure(options: ThrottlingOptions): void {
    const costManagement =
      'costManagement' in options
        ? readQpuQuotas(options.costManagement)
        : this.settings.costManagement;
    this.settings = { ...this.settings, ...options, costManagement };
    this.buckets.clear();
    this.qpu.configure(costManagement as Required<CostManagementQpuQuotas>);
  }

  get configuration(): Required<ThrottlingOptions> {
    return this.settings;
  }

  reset(): void {
    this.buckets.clear();
    this.qpu.reset();
  }

  /** Charges a Cost Management query's QPU to its tenant (see {@link CostManagementQpuThrottle}). */
  takeCostManagement(tenantId: string, qpu: number): QpuDecision {
    if (!this.settings.enabled) return this.qpu.untracked(qpu);
    return this.qpu.take(tenantId, qpu);
  }

  take(category: ThrottleCategory, key: string): ThrottleDecision {
    const limit = this.settings[category];
    if (!this.settings.enabled) {
      return { allowed: true, remaining: limit.capacity, retryAfterSeconds: 0 };
    }
    const bucketKey = `${category}|${key.toLowerCase()}`;
    const now = this.now();
    const bucket = this.buckets.get(bucketKey) ?? {
      tokens: limit.capacity,
      updatedAt: now,
    };
    bucket.tokens = Math.min(
      limit.capacity,
      bucket.tokens + ((now - bucket.updatedAt) / 1000) * limit.refillPerSecond,
    );
    bucket.updatedAt = now;
    this.buckets.set(bucketKey, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return {
        allowed: true,
        remaining: Math.floor(bucket.tokens),
        retryAfterSeconds: 0,
      };
    }
    const retryAfterSeconds = Math.max(
      1,
      Math.ceil((1 - bucket.tokens) / limit.refillPerSecond),
    );
    return { allowed: false, remaining: 0, retryAfterSeconds };
  }
}
