import { setTimeout as sleep } from 'node:timers/promises';
import { Knex } from 'knex';
import { QuotaBudget, QuotaDemand } from './QuotaBudget';

const TABLE = 'quota_buckets';

// The shortest and longest wait before trying again; others may take the refilled tokens first.
const MIN_WAIT_MS = 10;
const MAX_WAIT_MS = 5_000;

/**
 * A {@link QuotaBudget} in the `quota_buckets` table. Each take is one short transaction: it reads the demanded
 * buckets (locked on PostgreSQL, in key order so that two takes never deadlock; SQLite has one writer), refills them
 * by the time elapsed since they were last written, and takes the tokens only if every bucket holds them. Otherwise it
 * writes nothing and waits until the emptiest bucket should have refilled enough, then tries again. So however many
 * replicas take from a bucket, together they never get more than its capacity plus its refill over the time.
 *
 * The clock is the replicas' own (kept in step by NTP); a bucket never refills for a time before its last write.
 */
export class DatabaseQuotaBudget implements QuotaBudget {
  private readonly lockRows: boolean;

  constructor(
    private readonly db: Knex,
    private readonly now: () => number = Date.now,
  ) {
    this.lockRows = String(db.client.config.client).includes('pg');
  }

  async take(
    demands: QuotaDemand[],
    options: { signal?: { readonly aborted: boolean } } = {},
  ): Promise<number> {
    if (demands.length === 0) return 0;
    const sorted = [...demands].sort((a, b) => a.key.localeCompare(b.key));
    let waited = 0;
    for (;;) {
      // The caller gave up (its request was aborted): it takes nothing.
      if (options.signal?.aborted) {
        const error = new Error('The wait for the Azure quota was aborted');
        error.name = 'AbortError';
        throw error;
      }
      const waitMs = await this.tryTake(sorted);
      if (waitMs === 0) return waited;
      const pause = Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, waitMs));
      await sleep(pause);
      waited += pause;
    }
  }

  /** Takes the tokens and resolves with 0, or takes nothing and resolves with how long to wait. */
  private async tryTake(demands: QuotaDemand[]): Promise<number> {
    return this.db.transaction(async tx => {
      const now = this.now();
      // A missing bucket starts full, as Azure's does.
      await tx(TABLE)
        .insert(
          demands.map(d => ({
            bucket_key: d.key,
            tokens: d.limit.capacity,
            updated_at_ms: now,
          })),
        )
        .onConflict('bucket_key')
        .ignore();
      let query = tx(TABLE)
        .select('bucket_key', 'tokens', 'updated_at_ms')
        .whereIn(
          'bucket_key',
          demands.map(d => d.key),
        )
        .orderBy('bucket_key');
      if (this.lockRows) query = query.forUpdate();
      const rows: Array<{
        bucket_key: string;
        tokens: number | string;
        updated_at_ms: number | string;
      }> = await query;
      const byKey = new Map(rows.map(r => [r.bucket_key, r]));
      let waitMs = 0;
      const next: Array<{ key: string; tokens: number; at: number }> = [];
      for (const demand of demands) {
        const row = byKey.get(demand.key);
        const { capacity, refillPerSecond } = demand.limit;
        const updatedAt = Number(row?.updated_at_ms ?? now);
        const elapsedMs = Math.max(0, now - updatedAt);
        const tokens = Math.min(
          capacity,
          Number(row?.tokens ?? capacity) +
            (elapsedMs / 1000) * refillPerSecond,
        );
        const cost = Math.min(demand.cost, capacity);
        if (tokens < cost) {
          waitMs = Math.max(
            waitMs,
            Math.ceil(((cost - tokens) / refillPerSecond) * 1000),
          );
        }
        next.push({
          key: demand.key,
          tokens: tokens - cost,
          at: Math.max(now, updatedAt),
        });
      }
      if (waitMs > 0) return waitMs;
      for (const bucket of next) {
        await tx(TABLE)
          .where({ bucket_key: bucket.key })
          .update({ tokens: bucket.tokens, updated_at_ms: bucket.at });
      }
      return 0;
    });
  }
}
