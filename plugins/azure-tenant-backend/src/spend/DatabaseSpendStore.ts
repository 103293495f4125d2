import { Knex } from 'knex';
import { SyncMode } from '@azure-tenant/plugin-azure-tenant-common';
import {
  DailyCost,
  SpendAggregate,
  SpendDimension,
  SpendScope,
  SpendStore,
  SpendSubscription,
  SpendSyncState,
  StoredForecast,
  SyncedResource,
} from './SpendStore';

/** Ids per `IN (…)` list, under SQLite's oldest limit of 999 bound parameters per statement. */
const IN_CHUNK = 500;
/** The columns of a `spend_daily` row, each a bound parameter in a multi-row INSERT. */
const SPEND_COLUMNS = [
  'subscription_id',
  'usage_date',
  'resource_key',
  'service_name',
  'currency',
  'amount',
  'resource_id',
  'resource_group',
  'location',
] as const;
type SpendRow = Record<(typeof SPEND_COLUMNS)[number], string | number>;

/**
 * Bound parameters per multi-row INSERT: PostgreSQL takes 65,535; the SQLite of better-sqlite3 32,766; other SQLite
 * drivers may have a SQLite older than 3.32, which takes 999.
 */
export function insertParameters(db: Knex): number {
  const dialect = String((db.client as any).dialect ?? '');
  const driver = String((db.client as any).config?.client ?? '');
  if (dialect === 'postgresql') return 60_000;
  if (driver === 'better-sqlite3') return 30_000;
  return 999;
}

/**
 * Inserts rows with `INSERT … VALUES (…), (…)`, as many rows per statement as the bound parameters allow. (Knex
 * writes a multi-row insert on SQLite as `SELECT … UNION ALL SELECT …`, which SQLite limits to 500 terms.)
 */
async function insertRows<C extends string>(
  trx: Knex.Transaction,
  table: string,
  columns: readonly C[],
  rows: Array<Record<C, string | number>>,
  parameters: number,
): Promise<void> {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const chunkSize = Math.max(1, Math.floor(parameters / columns.length));
  for (const chunk of chunks(rows, chunkSize)) {
    const bindings: Array<string | number> = [];
    for (const row of chunk) {
      for (const column of columns) bindings.push(row[column]);
    }
    await trx.raw(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk
        .map(() => tuple)
        .join(', ')}`,
      bindings,
    );
  }
}

const TOTAL_COLUMNS = [
  'subscription_id',
  'dimension',
  'usage_date',
  'currency',
  'group_key',
  'amount',
] as const;
const TAG_TOTAL_COLUMNS = [
  'subscription_id',
  'tag_key',
  'usage_date',
  'currency',
  'tag_value',
  'amount',
  'row_count',
] as const;

/**
 * At most this many resources changed since a subscription's tag totals were built (by default), and at most this many
 * totals to correct, for the totals to follow the change by moving those resources' spend; beyond, they are built
 * again.
 */
const MAX_INCREMENTAL_RESOURCES = 2_000;
const MAX_INCREMENTAL_TOTALS = 20_000;

/** What a tag total gains (or loses, when negative) from resources whose tag value changed. */
interface TagTotalDelta {
  usage_date: string;
  currency: string;
  tag_value: string;
  amount: number;
  /** The `spend_daily` rows behind `amount`. */
  rows: number;
}

/** Adds `amount` to the sum kept under `key`, creating it from `row` the first time. */
function addTo<R extends { amount: number }>(
  sums: Map<string, R>,
  key: string,
  row: R,
) {
  const sum = sums.get(key);
  if (sum) sum.amount += row.amount;
  else sums.set(key, row);
}

/** Tag names up to this length have tag totals; Azure's tag names are at most 512 characters. */
const MAX_TAG_KEY_LENGTH = 512;

/** The dimensions kept in `spend_totals`, and the `spend_daily` column each sums by. */
const TOTAL_DIMENSIONS = {
  service: 'service_name',
  resourceGroup: 'resource_group',
  location: 'location',
} as const;
type TotalDimension = keyof typeof TOTAL_DIMENSIONS;

const isTotalDimension = (d: SpendDimension): d is TotalDimension =>
  d in TOTAL_DIMENSIONS;

type SyncStateRow = {
  subscription_id: string;
  backfilled_from: string | null;
  synced_through: string | null;
  last_synced_at: string | null;
  last_attempt_at: string | null;
  last_status: 'succeeded' | 'failed' | null;
  last_error: string | null;
  forecast_month: string | null;
  forecast_month_end: number | string | null;
  forecast_currency: string | null;
  forecast_through: string | null;
};

/** Code-unit order. */
function compareText(a: string | number, b: string | number): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    result.push(items.slice(i, i + size));
  }
  return result;
}

/** The lower-cased resource group of a resource id, or `''`. */
export function resourceGroupOf(resourceId: string): string {
  const match = /\/resourcegroups\/([^/]+)/i.exec(resourceId);
  return match ? match[1].toLowerCase() : '';
}

function toSyncState(row: SyncStateRow): SpendSyncState {
  const forecast: StoredForecast | undefined =
    row.forecast_month &&
    row.forecast_month_end !== null &&
    row.forecast_currency &&
    row.forecast_through
      ? {
          month: row.forecast_month,
          monthEnd: Number(row.forecast_month_end),
          currency: row.forecast_currency,
          through: row.forecast_through,
        }
      : undefined;
  return {
    subscriptionId: row.subscription_id,
    backfilledFrom: row.backfilled_from ?? undefined,
    syncedThrough: row.synced_through ?? undefined,
    lastSyncedAt: row.last_synced_at ?? undefined,
    lastAttemptAt: row.last_attempt_at ?? undefined,
    lastStatus: row.last_status ?? undefined,
    lastError: row.last_error ?? undefined,
    forecast,
  };
}

/** {@link SpendStore} on the plugin's own database (SQLite or PostgreSQL). The tables come from the plugin's migrations. */
export class DatabaseSpendStore implements SpendStore {
  /** Tag totals being rebuilt in this process, so that concurrent requests wait for one rebuild. */
  private readonly rebuilding = new Map<string, Promise<void>>();

  private readonly maxTagKeys: number;
  private readonly maxIncrementalResources: number;

  /**
   * @param options.maxTagKeys - Tag keys that keep tag totals, per subscription (default 20). Building one more drops
   *   the one built longest ago, which is built again when it is grouped by again.
   * @param options.maxIncrementalResources - Resources changed since tag totals were built up to which the totals
   *   follow by moving those resources' spend (default 2,000); beyond, they are built again.
   */
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

  async replaceDays(options: {
    subscriptionId: string;
    from: string;
    to: string;
    costs: DailyCost[];
    at: Date;
  }): Promise<void> {
    const { subscriptionId, from, to, at } = options;
    // Cost Management may split what is one row here (ids differing in case); sum those.
    const rows = new Map<string, SpendRow>();
    for (const cost of options.costs) {
      if (cost.date < from || cost.date > to) continue;
      const resourceKey = cost.resourceId.toLowerCase();
      const key = [
        cost.date,
        resourceKey,
        cost.serviceName,
        cost.currency,
      ].join('\u0000');
      const row = rows.get(key);
      if (row) {
        row.amount = Number(row.amount) + cost.amount;
      } else {
        rows.set(key, {
          subscription_id: subscriptionId,
          usage_date: cost.date,
          resource_key: resourceKey,
          service_name: cost.serviceName,
          currency: cost.currency,
          amount: cost.amount,
          resource_id: cost.resourceId,
          resource_group: resourceGroupOf(cost.resourceId),
          location: cost.location,
        });
      }
    }
    const parameters = insertParameters(this.db);
    await this.db.transaction(async trx => {
      await trx('spend_daily')
        .where('subscription_id', subscriptionId)
        .whereBetween('usage_date', [from, to])
        .delete();
      // Resource by resource, then day by day: each B-tree of spend_daily (the primary key leads with the day, the
      // resource index with the resource) then takes the rows in a few runs of ascending keys rather than all over.
      const sorted = [...rows.values()].sort(
        (a, b) =>
          compareText(a.resource_key, b.resource_key) ||
          compareText(a.usage_date, b.usage_date),
      );
      await insertRows(trx, 'spend_daily', SPEND_COLUMNS, sorted, parameters);
      await this.writeTotals(trx, subscriptionId, from, to, sorted);
      const existing: SyncStateRow | undefined = await trx('spend_sync_state')
        .where('subscription_id', subscriptionId)
        .first();
      const backfilledFrom =
        existing?.backfilled_from && existing.backfilled_from < from
          ? existing.backfilled_from
          : from;
      const syncedThrough =
        existing?.synced_through && existing.synced_through > to
          ? existing.synced_through
          : to;
      if (existing) {
        await trx('spend_sync_state')
          .where('subscription_id', subscriptionId)
          .update({
            backfilled_from: backfilledFrom,
            synced_through: syncedThrough,
            last_attempt_at: at.toISOString(),
          });
      } else {
        await trx('spend_sync_state').insert({
          subscription_id: subscriptionId,
          backfilled_from: backfilledFrom,
          synced_through: syncedThrough,
          last_attempt_at: at.toISOString(),
        });
      }
    });
  }

  async getSyncState(
    subscriptionId: string,
  ): Promise<SpendSyncState | undefined> {
    const row: SyncStateRow | undefined = await this.db('spend_sync_state')
      .where('subscription_id', subscriptionId)
      .first();
    return row ? toSyncState(row) : undefined;
  }

  async listSyncStates(subscriptionIds: string[]): Promise<SpendSyncState[]> {
    const result: SpendSyncState[] = [];
    for (const chunk of chunks(subscriptionIds, IN_CHUNK)) {
      const rows: SyncStateRow[] = await this.db('spend_sync_state').whereIn(
        'subscription_id',
        chunk,
      );
      result.push(...rows.map(toSyncState));
    }
    return result;
  }

  async recordSyncSuccess(options: {
    subscriptionId: string;
    at: Date;
    forecast?: StoredForecast;
  }): Promise<void> {
    const { subscriptionId, at, forecast } = options;
    await this.upsertState(subscriptionId, {
      last_synced_at: at.toISOString(),
      last_attempt_at: at.toISOString(),
      last_status: 'succeeded',
      last_error: null,
      ...(forecast
        ? {
            forecast_month: forecast.month,
            forecast_month_end: forecast.monthEnd,
            forecast_currency: forecast.currency,
            forecast_through: forecast.through,
          }
        : {}),
    });
  }

  async recordSyncFailure(options: {
    subscriptionId: string;
    at: Date;
    error: string;
  }): Promise<void> {
    await this.upsertState(options.subscriptionId, {
      last_attempt_at: options.at.toISOString(),
      last_status: 'failed',
      last_error: options.error,
    });
  }

  private async upsertState(
    subscriptionId: string,
    values: Partial<SyncStateRow>,
  ): Promise<void> {
    await this.db('spend_sync_state')
      .insert({ subscription_id: subscriptionId, ...values })
      .onConflict('subscription_id')
      .merge(Object.keys(values));
  }

  async getSubscription(
    subscriptionId: string,
  ): Promise<SpendSubscription | undefined> {
    const [subscription] = await this.getSubscriptions([subscriptionId]);
    return subscription;
  }

  async listSubscriptions(): Promise<SpendSubscription[]> {
    const rows = await this.db('subscriptions')
      .select('subscription_id', 'tenant_id', 'sync_mode')
      .orderBy('subscription_id');
    return rows.map(toSubscription);
  }

  async getSubscriptions(
    subscriptionIds: string[],
  ): Promise<SpendSubscription[]> {
    const result: SpendSubscription[] = [];
    for (const chunk of chunks(
      subscriptionIds.map(id => id.toLowerCase()),
      IN_CHUNK,
    )) {
      const rows = await this.db('subscriptions')
        .select('subscription_id', 'tenant_id', 'sync_mode')
        .whereIn('subscription_id', chunk);
      result.push(...rows.map(toSubscription));
    }
    return result;
  }

  async findResourceSubscription(
    resourceKey: string,
  ): Promise<string | undefined> {
    const resource = await this.db('resources')
      .select('subscription_id')
      .where('resource_key', resourceKey)
      .first();
    if (resource) return resource.subscription_id;
    const spend = await this.db('spend_daily')
      .select('subscription_id')
      .where('resource_key', resourceKey)
      .first();
    return spend?.subscription_id;
  }

  async getResources(resourceKeys: string[]): Promise<SyncedResource[]> {
    const result: SyncedResource[] = [];
    for (const chunk of chunks(resourceKeys, IN_CHUNK)) {
      const rows = await this.db('resources')
        .select('resource_key', 'resource_id', 'subscription_id', 'tags')
        .whereIn('resource_key', chunk);
      for (const row of rows) {
        let tags: Record<string, string> | undefined;
        try {
          tags = row.tags ? JSON.parse(row.tags) : undefined;
        } catch {
          tags = undefined;
        }
        result.push({
          resourceKey: row.resource_key,
          resourceId: row.resource_id,
          subscriptionId: row.subscription_id,
          tags,
        });
      }
    }
    return result;
  }

  /**
   * Writes the totals of a subscription's days `from`..`to` from its `spend_daily` rows, replacing what was there: the
   * service, resource group and location totals, and the tag totals of every tag key that has them (from the tag
   * values they were built with, which a later query rebuilds if the resources moved on since).
   */
  private async writeTotals(
    trx: Knex.Transaction,
    subscriptionId: string,
    from: string,
    to: string,
    rows: SpendRow[],
  ): Promise<void> {
    // Summed here from the rows just written, which saves reading them back.
    const parameters = insertParameters(this.db);
    const totals = new Map<
      string,
      Record<(typeof TOTAL_COLUMNS)[number], any>
    >();
    for (const row of rows) {
      for (const [dimension, column] of Object.entries(TOTAL_DIMENSIONS)) {
        const key = String(row[column as keyof SpendRow]);
        addTo(
          totals,
          [dimension, row.usage_date, row.currency, key].join('\u0000'),
          {
            subscription_id: subscriptionId,
            dimension,
            usage_date: row.usage_date,
            currency: row.currency,
            group_key: key,
            amount: Number(row.amount),
          },
        );
      }
    }
    await trx('spend_totals')
      .where('subscription_id', subscriptionId)
      .whereBetween('usage_date', [from, to])
      .delete();
    await insertRows(
      trx,
      'spend_totals',
      TOTAL_COLUMNS,
      [...totals.values()],
      parameters,
    );

    // Lock the tag keys' states, so that a rebuild running at the same time (PostgreSQL) comes before or after.
    const states = trx('spend_tag_state')
      .select('tag_key')
      .where('subscription_id', subscriptionId);
    if (this.isPostgres()) states.forUpdate();
    for (const { tag_key: tagKey } of await states) {
      // With the tag values the totals were built with: a later query rebuilds them if the resources moved on.
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
      await insertRows(
        trx,
        'spend_tag_totals',
        TAG_TOTAL_COLUMNS,
        [...tagTotals.values()],
        parameters,
      );
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

  private isPostgres(): boolean {
    return (this.db.client as any).dialect === 'postgresql';
  }

  /** Where a subscription's resources stand: their highest revision (tombstones too) and how many there are. */
  private async resourceFingerprint(
    db: Knex,
    subscriptionId: string,
  ): Promise<{ revision: number; count: number }> {
    const result = await db.raw(
      `SELECT
         (SELECT MAX(revision) FROM resources WHERE subscription_id = ?) AS resources,
         (SELECT MAX(revision) FROM resource_tombstones WHERE subscription_id = ?) AS tombstones,
         (SELECT COUNT(*) FROM resources WHERE subscription_id = ?) AS resource_count`,
      [subscriptionId, subscriptionId, subscriptionId],
    );
    const row = Array.isArray(result) ? result[0] : result.rows[0];
    return {
      revision: Math.max(
        Number(row.resources ?? 0),
        Number(row.tombstones ?? 0),
      ),
      count: Number(row.resource_count ?? 0),
    };
  }

  private async counterRevision(db: Knex): Promise<number> {
    const row = await db('sync_counters')
      .where({ name: 'revision' })
      .first('value');
    return Number(row?.value ?? 0);
  }

  /**
   * Makes sure the tag totals of a subscription and tag key reflect its resources' current tags. Every change to a
   * resource takes a new revision from `sync_counters` (resource sync, tag edits, removals into tombstones), so:
   * totals are current while that counter has not moved since they were last found current; when it moved, they
   * still are if the subscription's highest resource revision and resource count are those they were built from;
   * otherwise, in one transaction, they follow the resources changed since (their spend moves between tag values),
   * or, when too many changed or they were never built, they are built with one aggregate over the subscription's
   * spend. Spend changes need no check: `replaceDays` rewrites the tag totals of the days it replaces.
   */
  async ensureTagTotals(subscriptionId: string, tagKey: string): Promise<void> {
    // The state and the counter in one statement: this runs on every tag query.
    const state = await this.db('spend_tag_state')
      .select(
        'built_at',
        'counter_revision',
        'resource_revision',
        'resource_count',
        this.db('sync_counters')
          .select('value')
          .where({ name: 'revision' })
          .as('counter'),
      )
      .where({ subscription_id: subscriptionId, tag_key: tagKey })
      .first();
    const counter = Number(state?.counter ?? 0);
    if (state?.built_at && Number(state.counter_revision) === counter) return;
    if (state?.built_at) {
      const fingerprint = await this.resourceFingerprint(
        this.db,
        subscriptionId,
      );
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
      running = this.rebuildTagTotals(subscriptionId, tagKey).finally(() =>
        this.rebuilding.delete(id),
      );
      this.rebuilding.set(id, running);
    }
    await running;
  }

  private async rebuildTagTotals(
    subscriptionId: string,
    tagKey: string,
  ): Promise<void> {
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
      if (this.isPostgres()) locked.forUpdate();
      const state = await locked;
      // The counter first: whatever the resources show afterwards is at least as new as it.
      const counter = await this.counterRevision(trx);
      const fingerprint = await this.resourceFingerprint(trx, subscriptionId);
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
          subscriptionId,
          tagKey,
          Number(state.resource_revision),
        ))
      ) {
        await trx('spend_tag_state').where(where).update(updated);
        return;
      }

      const resources = await trx('resources')
        .select('resource_key', 'tags')
        .where('subscription_id', subscriptionId);
      const values: Array<Record<string, string>> = [];
      for (const resource of resources) {
        const value = tagValueOf(resource.tags, tagKey);
        if (value !== undefined) {
          values.push({
            ...where,
            resource_key: resource.resource_key,
            tag_value: value,
          });
        }
      }
      await trx('spend_tag_resources').where(where).delete();
      for (const chunk of chunks(values, 500)) {
        await trx('spend_tag_resources').insert(chunk);
      }
      await trx('spend_tag_totals').where(where).delete();
      await this.insertTagTotals(trx, subscriptionId, tagKey);
      await trx('spend_tag_state').where(where).update(updated);

      // Each tag key with totals costs storage and work at every spend sync: keep the most recently built ones.
      const dropped = await trx('spend_tag_state')
        .select('tag_key')
        .where('subscription_id', subscriptionId)
        .whereNot('tag_key', tagKey)
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
    });
  }

  /**
   * Brings a subscription's tag totals of one tag key up to date with the resources changed (tags edited, resources
   * added or removed) since `sinceRevision`, by moving each changed resource's spend from its old tag value to its new
   * one. Returns false, having written nothing, when too much changed for that to beat building them again.
   */
  private async followResourceChanges(
    trx: Knex.Transaction,
    subscriptionId: string,
    tagKey: string,
    sinceRevision: number,
  ): Promise<boolean> {
    const where = { subscription_id: subscriptionId, tag_key: tagKey };
    const [changed, removed] = await Promise.all([
      trx('resources')
        .select('resource_key', 'tags')
        .where('subscription_id', subscriptionId)
        .where('revision', '>', sinceRevision)
        .limit(this.maxIncrementalResources + 1),
      trx('resource_tombstones')
        .select('resource_key')
        .where('subscription_id', subscriptionId)
        .where('revision', '>', sinceRevision)
        .limit(this.maxIncrementalResources + 1),
    ]);
    if (changed.length + removed.length > this.maxIncrementalResources) {
      return false;
    }

    // The tag value of each changed resource now (none for a removed one) and as the totals have it.
    const next = new Map<string, string | undefined>();
    for (const { resource_key: key } of removed) next.set(key, undefined);
    for (const { resource_key: key, tags } of changed) {
      next.set(key, tagValueOf(tags, tagKey));
    }
    const previous = new Map<string, string>();
    for (const chunk of chunks([...next.keys()], IN_CHUNK)) {
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

    // What each total gains and loses: every moved resource's spend, per day and currency, leaves its old value ('' for
    // none) for its new one.
    const deltas = new Map<string, TagTotalDelta>();
    const shift = (row: any, value: string, sign: number) => {
      const id = [row.usage_date, row.currency, value].join('\u0000');
      let delta = deltas.get(id);
      if (!delta) {
        delta = {
          usage_date: row.usage_date,
          currency: row.currency,
          tag_value: value,
          amount: 0,
          rows: 0,
        };
        deltas.set(id, delta);
      }
      delta.amount += sign * Number(row.amount);
      delta.rows += sign * Number(row.row_count);
    };
    for (const chunk of chunks(moved, IN_CHUNK)) {
      const sums: any[] = await trx('spend_daily')
        .select('resource_key', 'usage_date', 'currency')
        .sum({ amount: 'amount' })
        .count({ row_count: '*' })
        // Through the (resource_key, usage_date) index; a resource key names its subscription.
        .whereIn('resource_key', chunk)
        .groupBy('resource_key', 'usage_date', 'currency');
      for (const row of sums) {
        shift(row, previous.get(row.resource_key) ?? '', -1);
        shift(row, next.get(row.resource_key) ?? '', 1);
      }
      if (deltas.size > MAX_INCREMENTAL_TOTALS) return false;
    }

    // Totals that exist are corrected in place, the others are inserted; both in batches.
    const existing = new Set<string>();
    const affectedValues = [
      ...new Set([...deltas.values()].map(d => d.tag_value)),
    ];
    for (const chunk of chunks(affectedValues, IN_CHUNK)) {
      const rows = await trx('spend_tag_totals')
        .select('usage_date', 'currency', 'tag_value')
        .where(where)
        .whereIn('tag_value', chunk);
      for (const row of rows) {
        existing.add(
          [row.usage_date, row.currency, row.tag_value].join('\u0000'),
        );
      }
    }
    const updates: TagTotalDelta[] = [];
    const inserts: Array<Record<(typeof TAG_TOTAL_COLUMNS)[number], any>> = [];
    for (const [id, delta] of deltas) {
      if (delta.rows === 0 && delta.amount === 0) continue;
      if (existing.has(id)) {
        updates.push(delta);
      } else if (delta.rows > 0) {
        inserts.push({
          ...where,
          usage_date: delta.usage_date,
          currency: delta.currency,
          tag_value: delta.tag_value,
          amount: delta.amount,
          row_count: delta.rows,
        });
      }
    }
    // UPDATE … FROM (VALUES …), in PostgreSQL and in SQLite (3.33 and later); the casts type the bound values.
    const tuple =
      '(CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS double precision), CAST(? AS integer))';
    const perUpdate = Math.max(
      1,
      Math.min(1_000, Math.floor((insertParameters(this.db) - 2) / 5)),
    );
    for (const chunk of chunks(updates, perUpdate)) {
      await trx.raw(
        `UPDATE spend_tag_totals AS t
         SET amount = t.amount + d.column4, row_count = t.row_count + d.column5
         FROM (VALUES ${chunk.map(() => tuple).join(', ')}) AS d
         WHERE t.subscription_id = ? AND t.tag_key = ?
           AND t.usage_date = d.column1 AND t.currency = d.column2 AND t.tag_value = d.column3`,
        [
          ...chunk.flatMap(d => [
            d.usage_date,
            d.currency,
            d.tag_value,
            d.amount,
            d.rows,
          ]),
          subscriptionId,
          tagKey,
        ],
      );
    }
    await insertRows(
      trx,
      'spend_tag_totals',
      TAG_TOTAL_COLUMNS,
      inserts,
      insertParameters(this.db),
    );
    // A total with no rows left is no total (a value that no resource has any more, or nothing left untagged).
    await trx('spend_tag_totals')
      .where(where)
      .where('row_count', '<=', 0)
      .delete();

    for (const chunk of chunks(moved, IN_CHUNK)) {
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

  async aggregate(options: {
    scope: SpendScope;
    from: string;
    to: string;
    granularity?: 'day' | 'month';
    dimension: SpendDimension;
    tagKey?: string;
    perSubscription?: boolean;
    previousFrom?: string;
    keep?: Record<string, string[]>;
  }): Promise<SpendAggregate[]> {
    const { scope, to, granularity, dimension, perSubscription } = options;
    if (options.previousFrom !== undefined && granularity) {
      throw new Error('previousFrom cannot be combined with a granularity');
    }
    if (
      options.previousFrom !== undefined &&
      options.previousFrom > options.from
    ) {
      throw new Error('previousFrom must not be after from');
    }
    // With a previous period, the rows of both are read together and told apart by `usage_date < splitAt`.
    const splitAt =
      options.previousFrom !== undefined ? options.from : undefined;
    const from = options.previousFrom ?? options.from;
    const tagKey = (options.tagKey ?? '').toLowerCase();
    if (dimension === 'tag' && !tagKey) {
      throw new Error('A tag aggregation needs a tag key');
    }
    const kept =
      options.keep && dimension !== 'none'
        ? new Map(
            Object.entries(options.keep).map(([currency, keys]) => [
              currency,
              new Set(keys),
            ]),
          )
        : undefined;

    const merged = new Map<string, SpendAggregate>();
    const add = (aggregate: SpendAggregate) => {
      if (
        kept &&
        (aggregate.key === undefined ||
          !kept.get(aggregate.currency)?.has(aggregate.key))
      ) {
        delete aggregate.key;
        aggregate.rest = true;
      }
      const mapKey = [
        aggregate.currency,
        aggregate.bucket ?? '',
        aggregate.rest ? '\u0001' : aggregate.key ?? '',
        aggregate.subscriptionId ?? '',
        aggregate.previous ? 'p' : '',
      ].join('\u0000');
      const existing = merged.get(mapKey);
      if (existing) existing.amount += aggregate.amount;
      else merged.set(mapKey, aggregate);
    };

    /** A sum of `amount` per currency (and bucket and subscription) over a table or subquery with `usage_date`. */
    const bucketed = (source: string | Knex.QueryBuilder) => {
      const base: Knex.QueryBuilder =
        typeof source === 'string' ? this.db(source) : this.db.from(source);
      const query = base
        .select('currency')
        .sum({ amount: 'amount' })
        .whereBetween('usage_date', [from, to])
        .groupBy('currency');
      if (granularity === 'day') {
        query.select('usage_date as bucket').groupBy('usage_date');
      } else if (granularity === 'month') {
        query
          .select(this.db.raw('substr(usage_date, 1, 7) as bucket'))
          .groupBy(this.db.raw('substr(usage_date, 1, 7)') as any);
      }
      if (perSubscription) {
        query.select('subscription_id').groupBy('subscription_id');
      }
      if (splitAt !== undefined) {
        // Grouped by its alias: PostgreSQL would not match two copies of an expression with a bound parameter.
        query
          .select(
            this.db.raw(
              'CASE WHEN usage_date < ? THEN 1 ELSE 0 END AS previous',
              [splitAt],
            ),
          )
          .groupBy('previous');
      }
      return query;
    };
    /**
     * Sums of a totals table by its key column; with `keep`, the keys that are not kept are summed together in SQL
     * (a null key), so that only the kept groups and one rest come back per bucket.
     */
    const byKey = (
      table: string,
      column: string,
      filter: (query: Knex.QueryBuilder) => void,
    ) => {
      if (!kept) {
        const query = bucketed(table)
          .select(`${column} as key`)
          .groupBy(column);
        filter(query);
        return query;
      }
      const conditions: string[] = [];
      const bindings: string[] = [];
      for (const [currency, keys] of kept) {
        if (keys.size === 0) continue;
        conditions.push(
          `(currency = ? AND ${column} IN (${[...keys]
            .map(() => '?')
            .join(', ')}))`,
        );
        bindings.push(currency, ...keys);
      }
      const inner = this.db(table)
        .select(
          'currency',
          'usage_date',
          'subscription_id',
          'amount',
          this.db.raw(
            `CASE WHEN ${
              conditions.length > 0 ? conditions.join(' OR ') : '1 = 0'
            } THEN ${column} END AS kept_key`,
            bindings,
          ),
        )
        .whereBetween('usage_date', [from, to]);
      filter(inner);
      return bucketed(inner.as('kept'))
        .select('kept_key as key')
        .groupBy('kept_key');
    };
    const collect = async (query: Knex.QueryBuilder) => {
      const rows: any[] = await query;
      for (const row of rows) add(toAggregate(row));
    };

    // Whole subscriptions from the totals (or, by resource, their rows); single resources from their rows, through
    // the resource index. Each part is summed apart and merged here, which is right because a resource's rows never
    // belong to two parts (resources of listed subscriptions are dropped from the resource list by the caller).
    const tagTotals =
      dimension === 'tag' && tagKey.length <= MAX_TAG_KEY_LENGTH;
    for (const chunk of chunks(scope.subscriptionIds, IN_CHUNK)) {
      if (dimension === 'none') {
        await collect(
          bucketed('spend_totals')
            .where('dimension', 'service')
            .whereIn('subscription_id', chunk),
        );
      } else if (isTotalDimension(dimension)) {
        await collect(
          byKey('spend_totals', 'group_key', query =>
            query
              .where('dimension', dimension)
              .whereIn('subscription_id', chunk),
          ),
        );
      } else if (tagTotals) {
        for (const subscriptionId of chunk) {
          await this.ensureTagTotals(subscriptionId, tagKey);
        }
        await collect(
          byKey('spend_tag_totals', 'tag_value', query =>
            query.where('tag_key', tagKey).whereIn('subscription_id', chunk),
          ),
        );
      } else {
        const rows = await bucketed('spend_daily')
          .select('resource_key as key')
          .whereIn('subscription_id', chunk)
          .groupBy('resource_key');
        await this.addByResource(rows, dimension, tagKey, add);
      }
    }
    for (const chunk of chunks(scope.resourceKeys, IN_CHUNK)) {
      const query = bucketed('spend_daily').whereIn('resource_key', chunk);
      if (isTotalDimension(dimension)) {
        const column = TOTAL_DIMENSIONS[dimension];
        query.select(`${column} as key`).groupBy(column);
        await collect(query);
      } else if (dimension === 'none') {
        await collect(query);
      } else {
        const rows = await query
          .select('resource_key as key')
          .groupBy('resource_key');
        await this.addByResource(rows, dimension, tagKey, add);
      }
    }
    return [...merged.values()];
  }

  /** Adds per-resource sums, as they are (`resource`) or under the resource's value of the tag (`tag`). */
  private async addByResource(
    rows: any[],
    dimension: SpendDimension,
    tagKey: string,
    add: (aggregate: SpendAggregate) => void,
  ): Promise<void> {
    if (dimension !== 'tag') {
      for (const row of rows) add(toAggregate(row));
      return;
    }
    const values = new Map<string, string>();
    const keys = [...new Set(rows.map(row => String(row.key)).filter(Boolean))];
    for (const chunk of chunks(keys, IN_CHUNK)) {
      const resources = await this.db('resources')
        .select('resource_key', 'tags')
        .whereIn('resource_key', chunk);
      for (const resource of resources) {
        const value = tagValueOf(resource.tags, tagKey);
        if (value !== undefined) values.set(resource.resource_key, value);
      }
    }
    for (const row of rows) {
      add(toAggregate({ ...row, key: values.get(row.key) ?? '' }));
    }
  }
}

/** A row of an aggregate query as a {@link SpendAggregate}. */
function toAggregate(row: any): SpendAggregate {
  return {
    currency: row.currency,
    amount: Number(row.amount),
    ...(row.bucket !== undefined && row.bucket !== null
      ? { bucket: row.bucket }
      : {}),
    ...(row.key !== undefined && row.key !== null ? { key: row.key } : {}),
    ...(row.subscription_id !== undefined
      ? { subscriptionId: row.subscription_id }
      : {}),
    ...(Number(row.previous) === 1 ? { previous: true } : {}),
  };
}

/**
 * A resource's value of a tag, from its stored tags (JSON): the first tag whose name is `tagKey` ignoring case, if its
 * value is not empty. Undefined when the resource has no tags, no such tag, or tags that are not JSON.
 */
export function tagValueOf(
  tags: string | null | undefined,
  tagKey: string,
): string | undefined {
  if (!tags) return undefined;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(tags);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const entry = Object.entries(parsed).find(
    ([name]) => name.toLowerCase() === tagKey,
  );
  return entry && entry[1] !== '' && entry[1] !== null && entry[1] !== undefined
    ? String(entry[1])
    : undefined;
}

function toSubscription(row: {
  subscription_id: string;
  tenant_id: string;
  sync_mode: SyncMode;
}): SpendSubscription {
  return {
    subscriptionId: row.subscription_id,
    tenantId: row.tenant_id,
    syncMode: row.sync_mode,
  };
}
