import { Knex } from 'knex';
import { AzureSubscription } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantStore } from '../database/AzureTenantStore';
import { DatabaseAzureTenantStore } from '../database/DatabaseAzureTenantStore';
import {
  DatabaseResourceTagReader,
  ResourceTagReader,
} from '../database/ResourceTagReader';
import { SpendAggregation } from './SpendAggregation';
import { SpendDailyRows } from './SpendDailyRows';
import { SpendDailyTotals } from './SpendDailyTotals';
import {
  DailyCost,
  SpendAggregate,
  SpendAggregateOptions,
  SpendStore,
  SpendSubscription,
  SpendSyncState,
  StoredForecast,
  SyncedResource,
} from './SpendStore';
import { SpendSyncStates } from './SpendSyncStates';
import { SpendTagTotals } from './SpendTagTotals';

export { resourceGroupOf } from './SpendDailyRows';
export { tagValueOf } from '../database/ResourceTagReader';

function toSpendSubscription(
  subscription: AzureSubscription,
): SpendSubscription {
  return {
    subscriptionId: subscription.subscriptionId,
    tenantId: subscription.tenantId,
    syncMode: subscription.syncMode,
  };
}

/**
 * {@link SpendStore} on the plugin's own database (SQLite or PostgreSQL), on a schema that `migrateDatabase` has
 * brought up to date. It puts together the concepts of spend, each the one writer of its tables: the daily rows
 * ({@link SpendDailyRows}), their daily totals ({@link SpendDailyTotals}), the tag totals that follow tag edits
 * ({@link SpendTagTotals}) and where each subscription's spend sync stands ({@link SpendSyncStates}). Subscriptions and
 * resources it reads through the stores that own them.
 */
export class DatabaseSpendStore implements SpendStore {
  private readonly rows: SpendDailyRows;
  private readonly totals = new SpendDailyTotals();
  private readonly tagTotals: SpendTagTotals;
  private readonly states: SpendSyncStates;
  private readonly aggregation: SpendAggregation;
  private readonly subscriptions: Pick<
    AzureTenantStore,
    'listSubscriptions' | 'getSubscriptions'
  >;
  private readonly resources: ResourceTagReader;

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
    this.rows = new SpendDailyRows(db);
    this.tagTotals = new SpendTagTotals(db, options);
    this.states = new SpendSyncStates(db);
    this.subscriptions = new DatabaseAzureTenantStore(db);
    this.resources = new DatabaseResourceTagReader(db);
    this.aggregation = new SpendAggregation(db, {
      tagTotals: this.tagTotals,
      resources: this.resources,
    });
  }

  async replaceDays(options: {
    subscriptionId: string;
    from: string;
    to: string;
    costs: DailyCost[];
    at: Date;
  }): Promise<void> {
    const { subscriptionId, from, to, at } = options;
    const days = { subscriptionId, from, to };
    const rows = SpendDailyRows.toRows(subscriptionId, from, to, options.costs);
    await this.db.transaction(async trx => {
      await this.rows.replace(trx, days, rows);
      await this.totals.replaceDays(trx, days, rows);
      await this.tagTotals.replaceDays(trx, days, rows);
      await this.states.recordDaysRead(trx, { ...days, at });
    });
  }

  getSyncState(subscriptionId: string): Promise<SpendSyncState | undefined> {
    return this.states.get(subscriptionId);
  }

  listSyncStates(subscriptionIds: string[]): Promise<SpendSyncState[]> {
    return this.states.list(subscriptionIds);
  }

  recordSyncSuccess(options: {
    subscriptionId: string;
    at: Date;
    forecast?: StoredForecast;
  }): Promise<void> {
    return this.states.recordSuccess(options);
  }

  recordSyncFailure(options: {
    subscriptionId: string;
    at: Date;
    error: string;
  }): Promise<void> {
    return this.states.recordFailure(options);
  }

  async getSubscription(
    subscriptionId: string,
  ): Promise<SpendSubscription | undefined> {
    const [subscription] = await this.getSubscriptions([subscriptionId]);
    return subscription;
  }

  async listSubscriptions(): Promise<SpendSubscription[]> {
    const subscriptions = await this.subscriptions.listSubscriptions();
    return subscriptions
      .map(toSpendSubscription)
      .sort((a, b) =>
        a.subscriptionId < b.subscriptionId
          ? -1
          : Number(a.subscriptionId > b.subscriptionId),
      );
  }

  async getSubscriptions(
    subscriptionIds: string[],
  ): Promise<SpendSubscription[]> {
    const subscriptions = await this.subscriptions.getSubscriptions(
      subscriptionIds.map(id => id.toLowerCase()),
    );
    return subscriptions.map(toSpendSubscription);
  }

  async findResourceSubscription(
    resourceKey: string,
  ): Promise<string | undefined> {
    return (
      (await this.resources.subscriptionOf(resourceKey)) ??
      (await this.rows.subscriptionOf(resourceKey))
    );
  }

  getResources(resourceKeys: string[]): Promise<SyncedResource[]> {
    return this.resources.getResources(resourceKeys);
  }

  /** See {@link SpendTagTotals.ensure}. */
  ensureTagTotals(subscriptionId: string, tagKey: string): Promise<void> {
    return this.tagTotals.ensure(subscriptionId, tagKey);
  }

  aggregate(options: SpendAggregateOptions): Promise<SpendAggregate[]> {
    return this.aggregation.aggregate(options);
  }
}
