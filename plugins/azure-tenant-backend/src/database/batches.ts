/**
 * Items per `IN (…)` list or multi-row statement, well below SQLite's oldest limit of 999 bound parameters per
 * statement (and PostgreSQL's 65,535).
 */
export const BATCH_SIZE = 500;

/** `items` in slices of at most `size`, in order. */
export function chunks<T>(items: T[], size: number = BATCH_SIZE): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    result.push(items.slice(i, i + size));
  }
  return result;
}
