import { Knex } from 'knex';
import { chunks, insertParameters, insertRows } from './spendRows';

/** The columns of a `spend_tag_totals` row. */
export const TAG_TOTAL_COLUMNS = [
  'subscription_id',
  'tag_key',
  'usage_date',
  'currency',
  'tag_value',
  'amount',
  'row_count',
] as const;

/** At most this many tag totals to correct for the totals to follow a change; beyond, they are built again. */
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

/**
 * Moves the spend of the resources `moved` between the tag totals of one subscription and tag key: each one's spend,
 * per day and currency, leaves its `previous` value (`''` for none) for its `next` one. Returns false, having written
 * nothing, when that touches too many totals to beat building them again.
 */
export async function correctTagTotals(
  trx: Knex.Transaction,
  where: { subscription_id: string; tag_key: string },
  moved: string[],
  previous: Map<string, string>,
  next: Map<string, string | undefined>,
): Promise<boolean> {
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
  for (const chunk of chunks(moved)) {
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
  for (const chunk of chunks(affectedValues)) {
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
    Math.min(1_000, Math.floor((insertParameters(trx) - 2) / 5)),
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
        where.subscription_id,
        where.tag_key,
      ],
    );
  }
  await insertRows(trx, 'spend_tag_totals', TAG_TOTAL_COLUMNS, inserts);
  // A total with no rows left is no total (a value that no resource has any more, or nothing left untagged).
  await trx('spend_tag_totals')
    .where(where)
    .where('row_count', '<=', 0)
    .delete();
  return true;
}
