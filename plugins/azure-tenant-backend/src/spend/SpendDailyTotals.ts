import { Knex } from 'knex';
import { SpendRow } from './SpendDailyRows';
import { addTo, insertRows } from './spendRows';
import { SpendDimension } from './SpendStore';

const TOTAL_COLUMNS = [
  'subscription_id',
  'dimension',
  'usage_date',
  'currency',
  'group_key',
  'amount',
] as const;

/** The dimensions kept in `spend_totals`, and the `spend_daily` column each sums by. */
export const TOTAL_DIMENSIONS = {
  service: 'service_name',
  resourceGroup: 'resource_group',
  location: 'location',
} as const;
export type TotalDimension = keyof typeof TOTAL_DIMENSIONS;

export const isTotalDimension = (d: SpendDimension): d is TotalDimension =>
  d in TOTAL_DIMENSIONS;

/**
 * The daily totals of spend per service, resource group and location (`spend_totals`), so that a subscription's
 * spend by those is read from one row per day and group rather than from every resource's rows. Their one writer.
 */
export class SpendDailyTotals {
  /**
   * Replaces, in the caller's transaction, a subscription's totals of the days `from`..`to` with the sums of `rows`,
   * the `spend_daily` rows just written for those days (summed here, which saves reading them back).
   */
  async replaceDays(
    trx: Knex.Transaction,
    options: { subscriptionId: string; from: string; to: string },
    rows: SpendRow[],
  ): Promise<void> {
    const { subscriptionId, from, to } = options;
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
    await insertRows(trx, 'spend_totals', TOTAL_COLUMNS, [...totals.values()]);
  }
}
