import { Knex } from 'knex';
import { chunks } from './spendRows';
import { SpendSyncState, StoredForecast } from './SpendStore';

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

/** Where each subscription's spend sync stands (`spend_sync_state`), and its stored forecast. Their one writer. */
export class SpendSyncStates {
  constructor(private readonly db: Knex) {}

  /** Records, in the caller's transaction, that the days `from`..`to` have been read. */
  async recordDaysRead(
    trx: Knex.Transaction,
    options: { subscriptionId: string; from: string; to: string; at: Date },
  ): Promise<void> {
    const { subscriptionId, from, to, at } = options;
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
  }

  async get(subscriptionId: string): Promise<SpendSyncState | undefined> {
    const row: SyncStateRow | undefined = await this.db('spend_sync_state')
      .where('subscription_id', subscriptionId)
      .first();
    return row ? toSyncState(row) : undefined;
  }

  async list(subscriptionIds: string[]): Promise<SpendSyncState[]> {
    const result: SpendSyncState[] = [];
    for (const chunk of chunks(subscriptionIds)) {
      const rows: SyncStateRow[] = await this.db('spend_sync_state').whereIn(
        'subscription_id',
        chunk,
      );
      result.push(...rows.map(toSyncState));
    }
    return result;
  }

  async recordSuccess(options: {
    subscriptionId: string;
    at: Date;
    forecast?: StoredForecast;
  }): Promise<void> {
    const { subscriptionId, at, forecast } = options;
    await this.upsert(subscriptionId, {
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

  async recordFailure(options: {
    subscriptionId: string;
    at: Date;
    error: string;
  }): Promise<void> {
    await this.upsert(options.subscriptionId, {
      last_attempt_at: options.at.toISOString(),
      last_status: 'failed',
      last_error: options.error,
    });
  }

  private async upsert(
    subscriptionId: string,
    values: Partial<SyncStateRow>,
  ): Promise<void> {
    await this.db('spend_sync_state')
      .insert({ subscription_id: subscriptionId, ...values })
      .onConflict('subscription_id')
      .merge(Object.keys(values));
  }
}
