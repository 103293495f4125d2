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

/** Rows per INSERT: 9 bindings each stays under SQLite's oldest limit of 999 bindings per statement. */
const INSERT_CHUNK = 100;
/** Ids per `IN (…)` list, for the same reason. */
const IN_CHUNK = 500;

const DIMENSION_COLUMNS: Record<Exclude<SpendDimension, 'none'>, string> = {
  service: 'service_name',
  resourceGroup: 'resource_group',
  resource: 'resource_key',
  location: 'location',
};

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
  constructor(private readonly db: Knex) {}

  async replaceDays(options: {
    subscriptionId: string;
    from: string;
    to: string;
    costs: DailyCost[];
    at: Date;
  }): Promise<void> {
    const { subscriptionId, from, to, at } = options;
    // Cost Management may split what is one row here (ids differing in case); sum those.
    const rows = new Map<string, Record<string, string | number>>();
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
    await this.db.transaction(async trx => {
      await trx('spend_daily')
        .where('subscription_id', subscriptionId)
        .whereBetween('usage_date', [from, to])
        .delete();
      for (const chunk of chunks([...rows.values()], INSERT_CHUNK)) {
        await trx('spend_daily').insert(chunk);
      }
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

  async aggregate(options: {
    scope: SpendScope;
    from: string;
    to: string;
    granularity?: 'day' | 'month';
    dimension: SpendDimension;
    perSubscription?: boolean;
  }): Promise<SpendAggregate[]> {
    const { scope, from, to, granularity, dimension, perSubscription } =
      options;
    const columns: Array<string | Knex.Raw> = ['currency'];
    const groupBy: Array<string | Knex.Raw> = ['currency'];
    if (granularity === 'day') {
      columns.push('usage_date as bucket');
      groupBy.push('usage_date');
    } else if (granularity === 'month') {
      columns.push(this.db.raw('substr(usage_date, 1, 7) as bucket'));
      groupBy.push(this.db.raw('substr(usage_date, 1, 7)'));
    }
    if (dimension !== 'none') {
      const column = DIMENSION_COLUMNS[dimension];
      columns.push(`${column} as key`);
      groupBy.push(column);
    }
    if (perSubscription) {
      columns.push('subscription_id');
      groupBy.push('subscription_id');
    }

    // Whole subscriptions in one query; single resources in chunks. Each part is summed apart and merged here,
    // which is right because a resource's rows never belong to two parts (resources of listed subscriptions are
    // dropped from the resource list by the caller).
    const parts: Array<(q: Knex.QueryBuilder) => void> = [];
    if (scope.subscriptionIds.length > 0) {
      for (const chunk of chunks(scope.subscriptionIds, IN_CHUNK)) {
        parts.push(q => q.whereIn('subscription_id', chunk));
      }
    }
    for (const chunk of chunks(scope.resourceKeys, IN_CHUNK)) {
      parts.push(q => q.whereIn('resource_key', chunk));
    }

    const merged = new Map<string, SpendAggregate>();
    for (const part of parts) {
      const query = this.db('spend_daily')
        .select(columns)
        .sum({ amount: 'amount' })
        .whereBetween('usage_date', [from, to])
        .groupBy(groupBy as any);
      part(query);
      const rows: any[] = await query;
      for (const row of rows) {
        const aggregate: SpendAggregate = {
          currency: row.currency,
          amount: Number(row.amount),
          ...(row.bucket !== undefined ? { bucket: row.bucket } : {}),
          ...(row.key !== undefined ? { key: row.key } : {}),
          ...(row.subscription_id !== undefined
            ? { subscriptionId: row.subscription_id }
            : {}),
        };
        const mapKey = [
          aggregate.currency,
          aggregate.bucket,
          aggregate.key,
          aggregate.subscriptionId,
        ].join('\u0000');
        const existing = merged.get(mapKey);
        if (existing) existing.amount += aggregate.amount;
        else merged.set(mapKey, aggregate);
      }
    }
    return [...merged.values()];
  }
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
