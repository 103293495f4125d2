/** Options for {@link ArmTokenBuckets}. */
export interface ArmTokenBucketsOptions {
  /** Requests that may go at once after a pause: the bucket's size. */
  capacity: number;
  /** Tokens added back per second. */
  refillPerSecond: number;
  /** The clock, for tests. */
  now?: () => number;
  /** How to wait, for tests. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Azure Resource Manager's buckets per security principal and subscription (Microsoft Learn, "Understand how Azure
 * Resource Manager throttles requests", https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling):
 * writes 200 refilling 10 per second, reads 250 refilling 25 per second.
 */
export const ARM_WRITE_BUCKET = { capacity: 200, refillPerSecond: 10 };
/** See {@link ARM_WRITE_BUCKET}. */
export const ARM_READ_BUCKET = { capacity: 250, refillPerSecond: 25 };

const defaultSleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/**
 * One token bucket per subscription, so that a bulk fix stays within Azure Resource Manager's limits instead of
 * meeting 429s: ARM throttles each kind of request (reads, writes) per security principal and subscription with a
 * token bucket ({@link ARM_WRITE_BUCKET}). The portal calls ARM with one principal, so one bucket per subscription
 * and kind models ARM's. Other callers of the same principal (a user's tag edit) are not counted: the sizes can be
 * set lower to leave them room.
 *
 * Takers wait in turn: a later one never overtakes an earlier one that is waiting.
 */
export class ArmTokenBuckets {
  private readonly capacity: number;
  private readonly refillPerSecond: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly buckets = new Map<
    string,
    { tokens: number; updatedAt: number; queue: Promise<void> }
  >();

  constructor(options: ArmTokenBucketsOptions) {
    const {
      capacity,
      refillPerSecond,
      now = Date.now,
      sleep = defaultSleep,
    } = options;
    this.capacity = Math.max(1, capacity);
    this.refillPerSecond = Math.max(0.001, refillPerSecond);
    this.now = now;
    this.sleep = sleep;
  }

  /**
   * Waits until the subscription's bucket holds `tokens` (at most its capacity), and takes them. Resolves at once for
   * none.
   */
  async take(subscriptionId: string, tokens: number): Promise<void> {
    if (tokens <= 0) return;
    const key = subscriptionId.toLowerCase();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = {
        tokens: this.capacity,
        updatedAt: this.now(),
        queue: Promise.resolve(),
      };
      this.buckets.set(key, bucket);
    }
    const state = bucket;
    const wanted = Math.min(tokens, this.capacity);
    const turn = state.queue.then(async () => {
      for (;;) {
        const now = this.now();
        state.tokens = Math.min(
          this.capacity,
          state.tokens +
            ((now - state.updatedAt) / 1000) * this.refillPerSecond,
        );
        state.updatedAt = now;
        if (state.tokens >= wanted) {
          state.tokens -= wanted;
          return;
        }
        await this.sleep(
          Math.ceil(((wanted - state.tokens) / this.refillPerSecond) * 1000),
        );
      }
    });
    state.queue = turn;
    await turn;
  }
}
