import { ShowbackRow } from '@azure-tenant/plugin-azure-tenant-common';
import { compareText } from '../spend/spendRows';
import { ShowbackOwnership } from './ShowbackOwnership';

/** The owner of the rows of spend that no team owns. */
export const UNALLOCATED_OWNER = 'unallocated';

/** The spend of one resource (or, with key `''`, of what is not tied to a resource) in one month and currency. */
export interface ResourceMonthSpend {
  /** `YYYY-MM`. */
  month: string;
  /** The lower-cased resource id; `''` for cost not tied to a resource. */
  resourceKey: string;
  subscriptionId: string;
  currency: string;
  amount: number;
}

/** The total of one month and currency, in cents. */
export interface ShowbackTotal {
  month: string;
  currency: string;
  cents: number;
}

/** A row with its amount in cents, as allocated. */
export interface AllocatedRow extends Omit<ShowbackRow, 'amount'> {
  cents: number;
}

/** Every owner's rows and the unallocated ones, with the totals they add up to. */
export interface ShowbackAllocation {
  rows: AllocatedRow[];
  totals: ShowbackTotal[];
}

/*
 * Stored amounts are floating point with Cost Management's many decimals. Each resource's month is turned into an
 * integer of millionths, summed exactly, and each owner's sum is rounded to the cent once: rounding every resource to
 * the cent first would lose a team's many sub-cent costs, and summing floating point would let 0.1 + 0.2 drift.
 */
const MICROS_PER_UNIT = 1_000_000;
const MICROS_PER_CENT = 10_000;

const toMicros = (amount: number) => Math.round(amount * MICROS_PER_UNIT);

/** Rounds half away from zero, so that a credit rounds as its charge does. */
const microsToCents = (micros: number) =>
  Math.sign(micros) * Math.round(Math.abs(micros) / MICROS_PER_CENT) || 0;

/** Cents as an amount of the currency, e.g. 1234 → 12.34. */
export const centsToAmount = (cents: number) => cents / 100;

const SEPARATOR = '\u0000';

function compareRows(a: AllocatedRow, b: AllocatedRow): number {
  const unallocated = (row: AllocatedRow) =>
    row.owner === UNALLOCATED_OWNER ? 1 : 0;
  return (
    compareText(a.month, b.month) ||
    unallocated(a) - unallocated(b) ||
    compareText(a.owner, b.owner) ||
    compareText(a.currency, b.currency)
  );
}

/**
 * Allocates each resource's monthly spend to its owner: the owner of its entity, or for cost not tied to a resource
 * the owner of its subscription's entity, as `ownership` holds them (owners from owner tags only). What has no such
 * owner is unallocated: per month and currency, the total minus the owners' rows, in cents, so that the rows add up
 * to the total to the cent. Currencies are never added together.
 */
export function allocateShowback(
  spend: Iterable<ResourceMonthSpend>,
  ownership: ShowbackOwnership,
): ShowbackAllocation {
  const owned = new Map<
    string,
    { month: string; owner: string; currency: string; micros: number }
  >();
  const resourcesOf = new Map<string, Set<string>>();
  const totals = new Map<
    string,
    { month: string; currency: string; micros: number }
  >();

  for (const item of spend) {
    const micros = toMicros(item.amount);
    const totalKey = [item.month, item.currency].join(SEPARATOR);
    const total = totals.get(totalKey);
    if (total) total.micros += micros;
    else {
      totals.set(totalKey, {
        month: item.month,
        currency: item.currency,
        micros,
      });
    }

    const owner =
      (item.resourceKey
        ? ownership.resources.get(item.resourceKey)
        : ownership.subscriptions.get(item.subscriptionId.toLowerCase())) ??
      UNALLOCATED_OWNER;
    const rowKey = [item.month, item.currency, owner].join(SEPARATOR);
    if (owner !== UNALLOCATED_OWNER) {
      const row = owned.get(rowKey);
      if (row) row.micros += micros;
      else {
        owned.set(rowKey, {
          month: item.month,
          owner,
          currency: item.currency,
          micros,
        });
      }
    }
    if (item.resourceKey) {
      let resources = resourcesOf.get(rowKey);
      if (!resources) resourcesOf.set(rowKey, (resources = new Set()));
      resources.add(item.resourceKey);
    }
  }

  const rows: AllocatedRow[] = [];
  const allocated = new Map<string, number>();
  for (const [rowKey, row] of owned) {
    const cents = microsToCents(row.micros);
    const totalKey = [row.month, row.currency].join(SEPARATOR);
    allocated.set(totalKey, (allocated.get(totalKey) ?? 0) + cents);
    rows.push({
      month: row.month,
      owner: row.owner,
      currency: row.currency,
      cents,
      resourceCount: resourcesOf.get(rowKey)?.size ?? 0,
    });
  }
  const totalRows: ShowbackTotal[] = [];
  for (const [totalKey, total] of totals) {
    const cents = microsToCents(total.micros);
    totalRows.push({ month: total.month, currency: total.currency, cents });
    const rowKey = [total.month, total.currency, UNALLOCATED_OWNER].join(
      SEPARATOR,
    );
    const unallocatedResources = resourcesOf.get(rowKey)?.size ?? 0;
    const unallocatedCents = cents - (allocated.get(totalKey) ?? 0);
    if (unallocatedCents !== 0 || unallocatedResources > 0) {
      rows.push({
        month: total.month,
        owner: UNALLOCATED_OWNER,
        currency: total.currency,
        cents: unallocatedCents,
        resourceCount: unallocatedResources,
      });
    }
  }
  rows.sort(compareRows);
  totalRows.sort(
    (a, b) =>
      compareText(a.month, b.month) || compareText(a.currency, b.currency),
  );
  return { rows, totals: totalRows };
}
