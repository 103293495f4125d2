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
  /** Cost Management queries per principal and scope. Defaults to 12, refilling 1 every 5 seconds. */
  costManagement?: TokenBucketLimit;
}

/** The outcome of taking a token. */
export interface ThrottleDecision {
  allowed: boolean;
  /** Tokens left after this request (rounded down). */
  remaining: number;
  /** When not allowed: seconds until a token is available (at least 1). */
  retryAfterSeconds: number;
}

export type ThrottleCategory = 'reads' | 'writes' | 'costManagement';

export const DEFAULT_THROTTLING: Required<ThrottlingOptions> = {
  enabled: true,
  reads: { capacity: 250, refillPerSecond: 25 },
  writes: { capacity: 200, refillPerSecond: 10 },
  costManagement: { capacity: 12, refillPerSecond: 0.2 },
};

/** Token buckets per principal, scope and category, like ARM's and Cost Management's limits. */
export class TokenBucketThrottle {
  private settings: Required<ThrottlingOptions>;
  private readonly buckets = new Map<
    string,
    { tokens: number; updatedAt: number }
  >();

  constructor(
    options: ThrottlingOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.settings = { ...DEFAULT_THROTTLING, ...options };
  }

  configure(options: ThrottlingOptions): void {
    this.settings = { ...this.settings, ...options };
    this.buckets.clear();
  }

  get configuration(): Required<ThrottlingOptions> {
    return this.settings;
  }

  reset(): void {
    this.buckets.clear();
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
