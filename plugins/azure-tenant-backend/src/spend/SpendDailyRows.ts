import { Knex } from 'knex';
import { compareText, insertRows } from './spendRows';
import { DailyCost } from './SpendStore';

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

/** A row of `spend_daily`: one day of one resource's cost of one service, in one currency. */
export type SpendRow = Record<(typeof SPEND_COLUMNS)[number], string | number>;

/** The lower-cased resource group of a resource id, or `''`. */
export function resourceGroupOf(resourceId: string): string {
  const match = /\/resourcegroups\/([^/]+)/i.exec(resourceId);
  return match ? match[1].toLowerCase() : '';
}

/**
 * The daily rows of spend (`spend_daily`), as Cost Management reported them: the source that every total is summed
 * from. It is their one writer.
 */
export class SpendDailyRows {
  constructor(private readonly db: Knex) {}

  /**
   * The rows of a subscription's costs of the days `from`..`to`, ordered resource by resource, then day by day: each
   * B-tree of spend_daily (the primary key leads with the day, the resource index with the resource) then takes the
   * rows in a few runs of ascending keys rather than all over.
   */
  static toRows(
    subscriptionId: string,
    from: string,
    to: string,
    costs: DailyCost[],
  ): SpendRow[] {
    // Cost Management may split what is one row here (ids differing in case); sum those.
    const rows = new Map<string, SpendRow>();
    for (const cost of costs) {
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
    return [...rows.values()].sort(
      (a, b) =>
        compareText(a.resource_key, b.resource_key) ||
        compareText(a.usage_date, b.usage_date),
    );
  }

  /** Replaces a subscription's rows of the days `from`..`to` with `rows`, in the caller's transaction. */
  async replace(
    trx: Knex.Transaction,
    options: { subscriptionId: string; from: string; to: string },
    rows: SpendRow[],
  ): Promise<void> {
    await trx('spend_daily')
      .where('subscription_id', options.subscriptionId)
      .whereBetween('usage_date', [options.from, options.to])
      .delete();
    await insertRows(trx, 'spend_daily', SPEND_COLUMNS, rows);
  }

  /** The subscription of a resource that has spend. */
  async subscriptionOf(resourceKey: string): Promise<string | undefined> {
    const spend = await this.db('spend_daily')
      .select('subscription_id')
      .where('resource_key', resourceKey)
      .first();
    return spend?.subscription_id;
  }
}
