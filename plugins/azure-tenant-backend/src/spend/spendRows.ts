import { Knex } from 'knex';

import { chunks } from '../database/batches';

export { chunks };

/** Code-unit order. */
export function compareText(a: string | number, b: string | number): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** Adds `amount` to the sum kept under `key`, creating it from `row` the first time. */
export function addTo<R extends { amount: number }>(
  sums: Map<string, R>,
  key: string,
  row: R,
) {
  const sum = sums.get(key);
  if (sum) sum.amount += row.amount;
  else sums.set(key, row);
}

export function isPostgres(db: Knex): boolean {
  return (db.client as any).dialect === 'postgresql';
}

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
export async function insertRows<C extends string>(
  trx: Knex.Transaction,
  table: string,
  columns: readonly C[],
  rows: Array<Record<C, string | number>>,
): Promise<void> {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const chunkSize = Math.max(
    1,
    Math.floor(insertParameters(trx) / columns.length),
  );
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
