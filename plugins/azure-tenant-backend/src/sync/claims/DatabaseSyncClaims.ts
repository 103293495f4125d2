import { Knex } from 'knex';
import { FreeSubscription, SyncClaims } from './SyncClaims';

const TABLE = 'sync_claims';

// Bound on the ids in one statement, well under SQLite's and PostgreSQL's parameter limits.
const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) {
    result.push(items.slice(i, i + CHUNK));
  }
  return result;
}

/**
 * {@link SyncClaims} in the `sync_claims` table. Each claim is one conditional UPDATE (unchanged generation, no live
 * lease), which PostgreSQL's row lock and SQLite's single writer make atomic: of two replicas that read a subscription
 * as free and due, one claims it; and one that read it before another synced and released it cannot claim it again,
 * so a subscription is synced once per interval. The same statements run on both databases.
 */
export class DatabaseSyncClaims implements SyncClaims {
  constructor(private readonly db: Knex) {}

  async listFree(
    subscriptionIds: string[],
    now: Date,
  ): Promise<FreeSubscription[]> {
    const ids = [...new Set(subscriptionIds)];
    // A row for each subscription, made once; a replica racing to make the same one does no harm.
    for (const part of chunks(ids)) {
      await this.db(TABLE)
        .insert(part.map(subscription_id => ({ subscription_id })))
        .onConflict('subscription_id')
        .ignore();
    }
    const at = now.toISOString();
    const free: FreeSubscription[] = [];
    for (const part of chunks(ids)) {
      const rows: Array<{ subscription_id: string; generation: number }> =
        await this.db(TABLE)
          .select('subscription_id', 'generation')
          .whereIn('subscription_id', part)
          .andWhere(q =>
            q.whereNull('lease_until').orWhere('lease_until', '<', at),
          );
      for (const row of rows) {
        free.push({
          subscriptionId: row.subscription_id,
          generation: Number(row.generation),
        });
      }
    }
    return free;
  }

  async claim(
    replicaId: string,
    candidates: FreeSubscription[],
    lease: { now: Date; leaseMs: number },
  ): Promise<string[]> {
    const at = lease.now.toISOString();
    const until = new Date(lease.now.getTime() + lease.leaseMs).toISOString();
    const claimed: string[] = [];
    for (const { subscriptionId, generation } of candidates) {
      const updated = await this.db(TABLE)
        .where({ subscription_id: subscriptionId, generation })
        .andWhere(q =>
          q.whereNull('lease_until').orWhere('lease_until', '<', at),
        )
        .update({ replica_id: replicaId, lease_until: until, claimed_at: at });
      if (updated > 0) claimed.push(subscriptionId);
    }
    return claimed;
  }

  async renew(
    replicaId: string,
    subscriptionIds: string[],
    lease: { now: Date; leaseMs: number },
  ): Promise<string[]> {
    const until = new Date(lease.now.getTime() + lease.leaseMs).toISOString();
    const held: string[] = [];
    for (const part of chunks(subscriptionIds)) {
      await this.db(TABLE)
        .whereIn('subscription_id', part)
        .andWhere({ replica_id: replicaId })
        .update({ lease_until: until });
      const rows: Array<{ subscription_id: string }> = await this.db(TABLE)
        .select('subscription_id')
        .whereIn('subscription_id', part)
        .andWhere({ replica_id: replicaId, lease_until: until });
      held.push(...rows.map(r => r.subscription_id));
    }
    return held;
  }

  async heartbeat(
    replicaId: string,
    now: Date,
    liveMs: number,
  ): Promise<number> {
    await this.db('sync_replicas')
      .insert({ replica_id: replicaId, seen_at: now.toISOString() })
      .onConflict('replica_id')
      .merge(['seen_at']);
    const since = new Date(now.getTime() - liveMs).toISOString();
    // Replicas gone for long are forgotten.
    await this.db('sync_replicas')
      .where(
        'seen_at',
        '<',
        new Date(now.getTime() - 100 * liveMs).toISOString(),
      )
      .delete();
    const [{ count }] = await this.db('sync_replicas')
      .where('seen_at', '>=', since)
      .count({ count: '*' });
    return Math.max(1, Number(count));
  }

  async release(replicaId: string, subscriptionIds: string[]): Promise<void> {
    for (const part of chunks(subscriptionIds)) {
      await this.db(TABLE)
        .whereIn('subscription_id', part)
        .andWhere({ replica_id: replicaId })
        .update({
          replica_id: null,
          lease_until: null,
          generation: this.db.raw('generation + 1'),
        });
    }
  }
}
