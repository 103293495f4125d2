import {
  CostManagementQpuQuotas,
  CostManagementQpuThrottle,
  QpuDecision,
  readQpuQuotas,
} from './CostManagementQpuThrottle';
import {
  DEFAULT_RESOURCE_GRAPH_QUOTA,
  ResourceGraphQuota,
  ResourceGraphQuotaDecision,
  ResourceGraphUserQuota,
  readResourceGraphQuota,
} from './ResourceGraphUserQuota';

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
  /**
   * Resource Graph's quota per user: 15 queries per 5-second window by default, as Learn's "Guidance for throttled
   * requests in Azure Resource Graph" says. Every query's answer says what is left in `x-ms-user-quota-remaining`
   * and `x-ms-user-quota-resets-after`; an exhausted quota gets 429 `RateLimiting` with `Retry-After`.
   */
  resourceGraph?: ResourceGraphQuota;
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
  resourceGraph: DEFAULT_RESOURCE_GRAPH_QUOTA,
};

/** Token buckets per principal, scope and category, like ARM's and Cost Management's limits. */
export class TokenBucketThrottle {
  private settings: Required<ThrottlingOptions>;
  private readonly buckets = new Map<
    string,
    { tokens: number; updatedAt: number }
  >();

  private readonly qpu: CostManagementQpuThrottle;
  private readonly resourceGraphQuota: ResourceGraphUserQuota;

  constructor(
    options: ThrottlingOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.settings = {
      ...DEFAULT_THROTTLING,
      ...options,
      costManagement: readQpuQuotas(options.costManagement),
      resourceGraph: readResourceGraphQuota(options.resourceGraph),
    };
    this.qpu = new CostManagementQpuThrottle(
      this.settings.costManagement as Required<CostManagementQpuQuotas>,
      now,
    );
    this.resourceGraphQuota = new ResourceGraphUserQuota(
      this.settings.resourceGraph as Required<ResourceGraphQuota>,
      now,
    );
  }

  configure(options: ThrottlingOptions): void {
    const costManagement =
      'costManagement' in options
        ? readQpuQuotas(options.costManagement)
        : this.settings.costManagement;
    const resourceGraph =
      'resourceGraph' in options
        ? readResourceGraphQuota(options.resourceGraph)
        : this.settings.resourceGraph;
    this.settings = {
      ...this.settings,
      ...options,
      costManagement,
      resourceGraph,
    };
    this.buckets.clear();
    this.qpu.configure(costManagement as Required<CostManagementQpuQuotas>);
    this.resourceGraphQuota.configure(
      resourceGraph as Required<ResourceGraphQuota>,
    );
  }

  get configuration(): Required<ThrottlingOptions> {
    return this.settings;
  }

  reset(): void {
    this.buckets.clear();
    this.qpu.reset();
    this.resourceGraphQuota.reset();
  }

  /** Takes one query from the user's Resource Graph quota (see {@link ResourceGraphUserQuota}). */
  takeResourceGraph(user: string): ResourceGraphQuotaDecision {
    if (!this.settings.enabled) return this.resourceGraphQuota.untracked();
    return this.resourceGraphQuota.take(user);
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
