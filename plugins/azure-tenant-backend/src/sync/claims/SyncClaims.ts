/** A subscription nobody syncs now, as it was when read: its claim succeeds only if nobody synced it since. */
export interface FreeSubscription {
  subscriptionId: string;
  /** Grows with every release; a claim names the generation it read. */
  generation: number;
}

/**
 * Which replica syncs which subscription, shared by every replica on one database. A replica claims a subscription
 * under a lease, renews the lease while it syncs, and releases it when it has recorded the outcome; a lease that
 * lapses (its replica died) frees the subscription for another replica.
 */
export interface SyncClaims {
  /**
   * The given subscriptions that nobody holds a live lease on at `now`, with their generation. Read them before the
   * subscriptions' sync state: a release after this read changes the generation, so a claim made from an older
   * sync state fails.
   */
  listFree(subscriptionIds: string[], now: Date): Promise<FreeSubscription[]>;
  /**
   * Claims each of `candidates` whose generation is unchanged and that nobody holds a live lease on, each atomically;
   * returns the ids claimed.
   */
  claim(
    replicaId: string,
    candidates: FreeSubscription[],
    lease: { now: Date; leaseMs: number },
  ): Promise<string[]>;
  /** Extends the replica's leases on the subscriptions; returns those it still held. */
  renew(
    replicaId: string,
    subscriptionIds: string[],
    lease: { now: Date; leaseMs: number },
  ): Promise<string[]>;
  /**
   * Says the replica is alive at `now`, and returns how many replicas were seen alive since `now - liveMs`, itself
   * included: a replica claims its share of what is due.
   */
  heartbeat(replicaId: string, now: Date, liveMs: number): Promise<number>;
  /** Gives up the replica's claims on the subscriptions, which become another's to claim when due. */
  release(replicaId: string, subscriptionIds: string[]): Promise<void>;
}
