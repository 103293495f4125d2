/** A token bucket's size and refill rate. */
export interface QuotaLimit {
  /** The most tokens the bucket holds: the largest burst. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

/** Tokens wanted from one bucket. */
export interface QuotaDemand {
  /** Which bucket, e.g. `arm-read|<tenant>|<principal>|<subscription>`. */
  key: string;
  limit: QuotaLimit;
  /** Tokens to take; more than the bucket's capacity counts as its capacity. */
  cost: number;
}

/**
 * Token buckets shared by every replica of the backend, so that together they stay under Azure's quotas.
 */
export interface QuotaBudget {
  /**
   * Takes the tokens of every demand at once (all of them or none), waiting until the buckets hold them. Resolves
   * with how long it waited, in milliseconds; rejects with an `AbortError` once `signal` is aborted.
   */
  take(
    demands: QuotaDemand[],
    options?: { signal?: { readonly aborted: boolean } },
  ): Promise<number>;
}
