import { FreeSubscription, SyncClaims } from './SyncClaims';

/**
 * {@link SyncClaims} of a single process, for a service that shares its subscriptions with no other replica (tests and
 * benchmarks that run one); the same rules as `DatabaseSyncClaims`.
 */
export class InMemorySyncClaims implements SyncClaims {
  private readonly rows = new Map<
    string,
    { replicaId?: string; leaseUntil?: number; generation: number }
  >();

  private row(subscriptionId: string) {
    let row = this.rows.get(subscriptionId);
    if (!row) {
      row = { generation: 0 };
      this.rows.set(subscriptionId, row);
    }
    return row;
  }

  async listFree(
    subscriptionIds: string[],
    now: Date,
  ): Promise<FreeSubscription[]> {
    return subscriptionIds
      .map(subscriptionId => ({
        subscriptionId,
        row: this.row(subscriptionId),
      }))
      .filter(({ row }) => !row.leaseUntil || row.leaseUntil < now.getTime())
      .map(({ subscriptionId, row }) => ({
        subscriptionId,
        generation: row.generation,
      }));
  }

  async claim(
    replicaId: string,
    candidates: FreeSubscription[],
    lease: { now: Date; leaseMs: number },
  ): Promise<string[]> {
    const now = lease.now.getTime();
    const claimed: string[] = [];
    for (const { subscriptionId, generation } of candidates) {
      const row = this.row(subscriptionId);
      if (row.generation !== generation) continue;
      if (row.leaseUntil && row.leaseUntil >= now) continue;
      row.replicaId = replicaId;
      row.leaseUntil = now + lease.leaseMs;
      claimed.push(subscriptionId);
    }
    return claimed;
  }

  async renew(
    replicaId: string,
    subscriptionIds: string[],
    lease: { now: Date; leaseMs: number },
  ): Promise<string[]> {
    return subscriptionIds.filter(subscriptionId => {
      const row = this.row(subscriptionId);
      if (row.replicaId !== replicaId) return false;
      row.leaseUntil = lease.now.getTime() + lease.leaseMs;
      return true;
    });
  }

  private readonly seen = new Map<string, number>();

  async heartbeat(
    replicaId: string,
    now: Date,
    liveMs: number,
  ): Promise<number> {
    this.seen.set(replicaId, now.getTime());
    return [...this.seen.values()].filter(at => at >= now.getTime() - liveMs)
      .length;
  }

  async release(replicaId: string, subscriptionIds: string[]): Promise<void> {
    for (const subscriptionId of subscriptionIds) {
      const row = this.row(subscriptionId);
      if (row.replicaId !== replicaId) continue;
      row.replicaId = undefined;
      row.leaseUntil = undefined;
      row.generation += 1;
    }
  }
}
