import { Knex } from 'knex';
import {
  AzureBudget,
  SavingsRecommendation,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureBudgetRows } from '../budgets/azure/AzureBudgetRows';
import { chunks } from '../database/batches';
import { compareText } from '../spend/spendRows';
import { SpendScope } from '../spend/SpendStore';
import { SavingsRead, SavingsStore, SavingsSyncState } from './SavingsStore';

type RecommendationRow = {
  id: string;
  subscription_id: string;
  resource_key: string;
  resource_id: string;
  impact: string;
  problem: string;
  solution: string;
  monthly_savings: number | string | null;
  currency: string | null;
  last_updated: string;
  read_at: string;
};

type SyncStateRow = {
  subscription_id: string;
  last_read_at: string | null;
  last_attempt_at: string | null;
  last_status: 'succeeded' | 'failed' | null;
  last_error: string | null;
};

/** Rows per multi-row insert: 11 columns, well below SQLite's oldest limit of 999 bound parameters. */
const INSERT_CHUNK = 50;

function toRecommendation(row: RecommendationRow): SavingsRecommendation {
  return {
    id: row.id,
    resourceId: row.resource_id,
    subscriptionId: row.subscription_id,
    impact: row.impact,
    problem: row.problem,
    solution: row.solution,
    // PostgreSQL may hand a double back as a string.
    ...(row.monthly_savings !== null
      ? { monthlySavings: Number(row.monthly_savings) }
      : {}),
    ...(row.currency ? { currency: row.currency } : {}),
    lastUpdated: row.last_updated,
  };
}

/**
 * The one writer of `advisor_recommendations` and `savings_sync_state`; it writes `azure_budgets` through their
 * owner, {@link AzureBudgetRows}, in the same transaction, so that one read of a subscription replaces all three.
 */
export class DatabaseSavingsStore implements SavingsStore {
  private readonly azureBudgets: AzureBudgetRows;

  constructor(private readonly db: Knex) {
    this.azureBudgets = new AzureBudgetRows(db);
  }

  async replaceSubscription(read: SavingsRead): Promise<void> {
    const { subscriptionId, recommendations, azureBudgets, at } = read;
    const readAt = at.toISOString();
    // Advisor's ids are resource ids, case-insensitive: a row listed twice (paging) is kept once.
    const rows = new Map<string, RecommendationRow>();
    for (const r of recommendations) {
      const id = r.id.toLowerCase();
      rows.set(id, {
        id,
        subscription_id: subscriptionId,
        resource_key: r.resourceId.toLowerCase(),
        resource_id: r.resourceId,
        impact: r.impact,
        problem: r.problem,
        solution: r.solution,
        monthly_savings: r.monthlySavings ?? null,
        currency: r.currency ?? null,
        last_updated: r.lastUpdated,
        read_at: readAt,
      });
    }
    await this.db.transaction(async trx => {
      await trx('advisor_recommendations')
        .where('subscription_id', subscriptionId)
        .del();
      for (const chunk of chunks([...rows.values()], INSERT_CHUNK)) {
        await trx('advisor_recommendations').insert(chunk);
      }
      await this.azureBudgets.replace(trx, {
        subscriptionId,
        budgets: azureBudgets,
        at,
      });
      await this.upsertState(trx, subscriptionId, {
        last_read_at: readAt,
        last_attempt_at: readAt,
        last_status: 'succeeded',
        last_error: null,
      });
    });
  }

  async recordReadFailure(options: {
    subscriptionId: string;
    at: Date;
    error: string;
  }): Promise<void> {
    await this.upsertState(this.db, options.subscriptionId, {
      last_attempt_at: options.at.toISOString(),
      last_status: 'failed',
      last_error: options.error,
    });
  }

  async listRecommendations(
    scope: SpendScope,
  ): Promise<SavingsRecommendation[]> {
    const byId = new Map<string, RecommendationRow>();
    const collect = async (column: string, values: string[]) => {
      for (const chunk of chunks(values)) {
        const rows: RecommendationRow[] = await this.db(
          'advisor_recommendations',
        ).whereIn(column, chunk);
        for (const row of rows) byId.set(row.id, row);
      }
    };
    await collect('subscription_id', scope.subscriptionIds);
    await collect('resource_key', scope.resourceKeys);
    // The biggest saving first, then by resource, so that a list reads the same every time.
    return [...byId.values()]
      .map(toRecommendation)
      .sort(
        (a, b) =>
          (b.monthlySavings ?? -1) - (a.monthlySavings ?? -1) ||
          compareText(a.resourceId.toLowerCase(), b.resourceId.toLowerCase()) ||
          compareText(a.id, b.id),
      );
  }

  async listSyncStates(subscriptionIds: string[]): Promise<SavingsSyncState[]> {
    const states: SavingsSyncState[] = [];
    for (const chunk of chunks(subscriptionIds)) {
      const rows: SyncStateRow[] = await this.db('savings_sync_state').whereIn(
        'subscription_id',
        chunk,
      );
      for (const row of rows) {
        states.push({
          subscriptionId: row.subscription_id,
          lastReadAt: row.last_read_at ?? undefined,
          lastAttemptAt: row.last_attempt_at ?? undefined,
          lastStatus: row.last_status ?? undefined,
          lastError: row.last_error ?? undefined,
        });
      }
    }
    return states;
  }

  listAzureBudgets(subscriptionIds: string[]): Promise<AzureBudget[]> {
    return this.azureBudgets.list(subscriptionIds);
  }

  private async upsertState(
    db: Knex | Knex.Transaction,
    subscriptionId: string,
    values: Partial<SyncStateRow>,
  ): Promise<void> {
    await db('savings_sync_state')
      .insert({ subscription_id: subscriptionId, ...values })
      .onConflict('subscription_id')
      .merge(Object.keys(values));
  }
}
