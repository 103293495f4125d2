import { Knex } from 'knex';
import {
  DatabaseResourceTagReader,
  ResourceTagReader,
} from '../database/ResourceTagReader';
import { SpendRow } from './SpendDailyRows';
import { chunks, insertRows, isPostgres } from './spendRows';
import { correctTagTotals, TAG_TOTAL_COLUMNS } from './tagTotalCorrections';

/**
 * At most this many resources changed since a subscription's tag totals were built (by default) for the totals to
 * follow the change by moving those resources' spend; beyond, they are built again.
 */
const MAX_INCREMENTAL_RESOURCES = 2_000;

/** Tag names up to this length have tag totals; Azure's tag names are at most 512 characters. */
export const MAX_TAG_KEY_LENGTH = 512;

/**
 * The daily totals of spend per value of a tag (`spend_tag_totals`), kept for the tag keys that spend was last grouped
 * by, with the tag value of each resource they were built with (`spend_tag_resources`) and where they stand
 * (`spend_tag_state`). They follow tag edits: see {@link SpendTagTotals.ensure}. Their one writer; the resources and
 * their tags are read through the resource store's {@link ResourceTagReader}.
 */
export class SpendTagTotals {
  /** Tag totals being rebuilt in this process, so that concurrent requests wait for one rebuild. */
  private readonly rebuilding = new Map<string, Promise<void>>();
  private readonly maxTagKeys: number;
  private readonly maxIncrementalResources: number;

  constructor(
    private readonly db: Knex,
    options: { maxTagKeys?: number; maxIncrementalResources?: number } = {},
  ) {
    this.maxTagKeys = Math.max(1, options.maxTagKeys ?? 20);
    this.maxIncrementalResources = Math.max(
      0,
      options.maxIncrementalResources ?? MAX_INCREMENTAL_RESOURCES,
    );
  }

  /** The resources as the resource store has them, read inside `db` (a transaction reads inside it). */
  private resources(db: Knex): ResourceTagReader {
    return new DatabaseResourceTagReader(db);
  }

  /**
   * Replaces, in the caller's transaction, the tag totals of a subscription's days `from`..`to`, for every tag key that
   * has them, with the sums of `rows` (the `spend_daily` rows just written), under the tag values the totals were
   * built with: a later query moves them on if the resources did.
   */
  async replaceDays(
    trx: Knex.Transaction,
    options: { subscriptionId: string; from: string; to: string },
    rows: SpendRow[],
  ): Promise<void> {
    const { subscriptionId, from, to } = options;
    // Lock the tag keys' states, so that a rebuild running at the same time (PostgreSQL) comes before or after.
    const states = trx('spend_tag_state')
      .select('tag_key')
      .where('subscription_id', subscriptionId);
    if (isPostgres(this.db)) states.forUpdate();
    for (const { tag_key: tagKey } of await states) {
      const values = new Map<string, string>();
      const stored = await trx('spend_tag_resources')
        .select('resource_key', 'tag_value')
        .where({ subscription_id: subscriptionId, tag_key: tagKey });
      for (const value of stored)
        values.set(value.resource_key, value.tag_value);
      const tagTotals = new Map<
        string,
        Record<(typeof TAG_TOTAL_COLUMNS)[number], any>
      >();
      for (const row of rows) {
        const value = values.get(String(row.resource_key)) ?? '';
        const key = [row.usage_date, row.currency, value].join('\u0000');
        const total = tagTotals.get(key);
        if (total) {
          total.amount += Number(row.amount);
          total.row_count += 1;
        } else {
          tagTotals.set(key, {
            subscription_id: subscriptionId,
            tag_key: tagKey,
            usage_date: row.usage_date,
            currency: row.currency,
            tag_value: value,
            amount: Number(row.amount),
            row_count: 1,
          });
        }
      }
      await trx('spend_tag_totals')
        .where({ subscription_id: subscriptionId, tag_key: tagKey })
        .whereBetween('usage_date', [from, to])
        .delete();
      await insertRows(trx, 'spend_tag_totals', TAG_TOTAL_COLUMNS, [
        ...tagTotals.values(),
      ]);
    }
  }

  /**
   * Makes sure the tag totals of a subscription and tag key reflect its resources' current tags. Every change to a
   * resource takes a new revision of the resource feed (resource sync, tag edits, removals into tombstones), so:
   * totals are current while that revision has not moved since they were last found current; when it moved, they
   * still are if the subscription's highest resource revision and resource count are those they were built from;
   * otherwise, in one transaction, they follow the resources changed since (their spend moves between tag values),
   * or, when too many changed or they were never built, they are built with one aggregate over the subscription's
   * spend. Spend changes need no check: {@link SpendTagTotals.replaceDays} rewrites the totals of the days replaced.
   */
  async ensure(subscriptionId: string, tagKey: string): Promise<void> {
    const resources = this.resources(this.db);
    // The counter first: whatever the state shows afterwards is at least as new as it.
    const counter = await resources.currentRevision();
    const state = await this.db('spend_tag_state')
      .select(
        'built_at',
        'counter_revision',
        'resource_revision',
        'resource_count',
      )
      .where({ subscription_id: subscriptionId, tag_key: tagKey })
      .first();
    if (state?.built_at && Number(state.counter_revision) === counter) return;
    if (state?.built_at) {
      const fingerprint = await resources.fingerprint(subscriptionId);
      if (
        Number(state.resource_revision) === fingerprint.revision &&
        Number(state.resource_count) === fingerprint.count
      ) {
        // Other subscriptions moved on, not this one.
        await this.db('spend_tag_state')
          .where({
            subscription_id: subscriptionId,
            tag_key: tagKey,
            resource_revision: fingerprint.revision,
            resource_count: fingerprint.count,
          })
          .where('counter_revision', '<', counter)
          .update({ counter_revision: counter });
        return;
      }
    }
    const id = `${subscriptionId}\u0000${tagKey}`;
    let running = this.rebuilding.get(id);
    if (!running) {
      running = this.rebuild(subscriptionId, tagKey).finally(() =>
        this.rebuilding.delete(id),
      );
      this.rebuilding.set(id, running);
    }
    await running;
  }

  private async rebuild(subscriptionId: string, tagKey: string): Promise<void> {
    const where = { subscription_id: subscriptionId, tag_key: tagKey };
    await this.db.transaction(async trx => {
      // The state row is the lock of this subscription and tag key (PostgreSQL; SQLite writes one at a time).
      await trx('spend_tag_state')
        .insert({
          ...where,
          counter_revision: -1,
          resource_revision: -1,
          resource_count: -1,
          built_at: '',
        })
        .onConflict(['subscription_id', 'tag_key'])
        .ignore();
      const locked = trx('spend_tag_state').where(where).first();
      if (isPostgres(this.db)) locked.forUpdate();
      const state = await locked;
      const resources = this.resources(trx);
      // The counter first: whatever the resources show afterwards is at least as new as it.
      const counter = await resources.currentRevision();
      const fingerprint = await resources.fingerprint(subscriptionId);
      if (
        state?.built_at &&
        Number(state.resource_revision) === fingerprint.revision &&
        Number(state.resource_count) === fingerprint.count
      ) {
        return; // Rebuilt meanwhile by someone else.
      }
      const updated = {
        counter_revision: counter,
        resource_revision: fingerprint.revision,
        resource_count: fingerprint.count,
        built_at: new Date().toISOString(),
      };
      if (
        state?.built_at &&
        Number(state.resource_revision) >= 0 &&
        (await this.followResourceChanges(
          trx,
          resources,
          subscriptionId,
          tagKey,
          Number(state.resource_revision),
        ))
      ) {
        await trx('spend_tag_state').where(where).update(updated);
        return;
      }

      const tagValues = await resources.tagValues(subscriptionId, tagKey);
      const values = [...tagValues].map(([resourceKey, value]) => ({
        ...where,
        resource_key: resourceKey,
        tag_value: value,
      }));
      await trx('spend_tag_resources').where(where).delete();
      for (const chunk of chunks(values, 500)) {
        await trx('spend_tag_resources').insert(chunk);
      }
      await trx('spend_tag_totals').where(where).delete();
      await this.insertTagTotals(trx, subscriptionId, tagKey);
      await trx('spend_tag_state').where(where).update(updated);
      await this.dropOldestTagKeys(trx, subscriptionId, tagKey);
    });
  }

  /** Each tag key with totals costs storage and work at every spend sync: keeps the most recently built ones. */
  private async dropOldestTagKeys(
    trx: Knex.Transaction,
    subscriptionId: string,
    builtTagKey: string,
  ): Promise<void> {
    const dropped = await trx('spend_tag_state')
      .select('tag_key')
      .where('subscription_id', subscriptionId)
      .whereNot('tag_key', builtTagKey)
      .orderBy([
        { column: 'built_at', order: 'desc' },
        { column: 'tag_key', order: 'asc' },
      ])
      .offset(this.maxTagKeys - 1)
      .limit(1_000);
    for (const { tag_key: key } of dropped) {
      const old = { subscription_id: subscriptionId, tag_key: key };
      await trx('spend_tag_totals').where(old).delete();
      await trx('spend_tag_resources').where(old).delete();
      await trx('spend_tag_state').where(old).delete();
    }
  }

  /** Sums a subscription's `spend_daily` per day, currency and tag value into `spend_tag_totals`. */
  private async insertTagTotals(
    trx: Knex.Transaction,
    subscriptionId: string,
    tagKey: string,
  ): Promise<void> {
    await trx.raw(
      `INSERT INTO spend_tag_totals (subscription_id, tag_key, usage_date, currency, tag_value, amount, row_count)
       SELECT d.subscription_id, ?, d.usage_date, d.currency, COALESCE(v.tag_value, ''), SUM(d.amount), COUNT(*)
       FROM spend_daily d
       LEFT JOIN spend_tag_resources v
         ON v.subscription_id = d.subscription_id AND v.tag_key = ? AND v.resource_key = d.resource_key
       WHERE d.subscription_id = ?
       GROUP BY d.subscription_id, d.usage_date, d.currency, COALESCE(v.tag_value, '')`,
      [tagKey, tagKey, subscriptionId],
    );
  }

  /**
   * Brings a subscription's tag totals of one tag key up to date with the resources changed (tags edited, resources
   * added or removed) since `sinceRevision`, by moving each changed resource's spend from its old tag value to its new
   * one. Returns false, having written nothing, when too much changed for that to beat building them again.
   */
  private async followResourceChanges(
    trx: Knex.Transaction,
    resources: ResourceTagReader,
    subscriptionId: string,
    tagKey: string,
    sinceRevision: number,
  ): Promise<boolean> {
    const where = { subscription_id: subscriptionId, tag_key: tagKey };
    const { changed, removed } = await resources.changesSince({
      subscriptionId,
      revision: sinceRevision,
      tagKey,
      limit: this.maxIncrementalResources + 1,
    });
    if (changed.length + removed.length > this.maxIncrementalResources) {
      return false;
    }

    // The tag value of each changed resource now (none for a removed one) and as the totals have it.
    const next = new Map<string, string | undefined>();
    for (const key of removed) next.set(key, undefined);
    for (const { resourceKey, tagValue } of changed) {
      next.set(resourceKey, tagValue);
    }
    const previous = new Map<string, string>();
    for (const chunk of chunks([...next.keys()])) {
      const rows = await trx('spend_tag_resources')
        .select('resource_key', 'tag_value')
        .where(where)
        .whereIn('resource_key', chunk);
      for (const row of rows) previous.set(row.resource_key, row.tag_value);
    }
    const moved = [...next.keys()].filter(
      key => (previous.get(key) ?? '') !== (next.get(key) ?? ''),
    );
    if (moved.length === 0) return true;
    if (!(await correctTagTotals(trx, where, moved, previous, next))) {
      return false;
    }

    for (const chunk of chunks(moved)) {
      await trx('spend_tag_resources')
        .where(where)
        .whereIn('resource_key', chunk)
        .delete();
      const values = chunk.flatMap(key => {
        const value = next.get(key);
        return value === undefined
          ? []
          : [{ ...where, resource_key: key, tag_value: value }];
      });
      if (values.length > 0) await trx('spend_tag_resources').insert(values);
    }
    return true;
  }
}
