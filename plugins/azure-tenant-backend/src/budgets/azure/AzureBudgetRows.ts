import { Knex } from 'knex';
import { AzureBudget } from '@azure-tenant/plugin-azure-tenant-common';
import { chunks } from '../../database/batches';
import { AzureBudgetRead } from '../../savings/SavingsStore';
import { compareText } from '../../spend/spendRows';

type AzureBudgetRow = {
  id: string;
  subscription_id: string;
  resource_group: string | null;
  name: string;
  data: string;
  read_at: string;
};

/** Rows per multi-row insert: 6 columns, well below SQLite's oldest limit of 999 bound parameters. */
const INSERT_CHUNK = 100;

/**
 * The budgets read from Azure (`azure_budgets`): their one writer, which replaces a subscription's budgets inside the
 * savings store's transaction, and their reader.
 */
export class AzureBudgetRows {
  constructor(private readonly db: Knex) {}

  /** Replaces, in the caller's transaction, the budgets of a subscription with those just read. */
  async replace(
    trx: Knex.Transaction,
    options: { subscriptionId: string; budgets: AzureBudgetRead[]; at: Date },
  ): Promise<void> {
    const { subscriptionId, budgets, at } = options;
    await trx('azure_budgets').where('subscription_id', subscriptionId).del();
    // Azure's ids are case-insensitive: a budget listed twice (paging) is kept once.
    const rows = new Map<string, AzureBudgetRow>();
    for (const budget of budgets) {
      rows.set(budget.id.toLowerCase(), {
        id: budget.id.toLowerCase(),
        subscription_id: subscriptionId,
        resource_group: budget.resourceGroup ?? null,
        name: budget.name,
        data: JSON.stringify(budget),
        read_at: at.toISOString(),
      });
    }
    for (const chunk of chunks([...rows.values()], INSERT_CHUNK)) {
      await trx('azure_budgets').insert(chunk);
    }
  }

  /** The budgets of these subscriptions, by subscription, then resource group (subscription's own first), then name. */
  async list(subscriptionIds: string[]): Promise<AzureBudget[]> {
    const rows: AzureBudgetRow[] = [];
    for (const chunk of chunks(subscriptionIds)) {
      rows.push(
        ...(await this.db<AzureBudgetRow>('azure_budgets').whereIn(
          'subscription_id',
          chunk,
        )),
      );
    }
    const sortKey = (row: AzureBudgetRow) =>
      [
        row.subscription_id,
        (row.resource_group ?? '').toLowerCase(),
        row.name.toLowerCase(),
      ].join('\u0000');
    return rows
      .sort((a, b) => compareText(sortKey(a), sortKey(b)))
      .map(row => ({ ...JSON.parse(row.data), readAt: row.read_at }));
  }
}
