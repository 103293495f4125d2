import { SpendGranularity } from '@azure-tenant/plugin-azure-tenant-common';

/** The periods a user can pick. */
export type SpendPeriod = 'last30' | 'last90' | 'monthToDate' | 'lastMonth';

export const spendPeriodLabels: Record<SpendPeriod, string> = {
  last30: 'Last 30 days',
  last90: 'Last 90 days',
  monthToDate: 'Month to date',
  lastMonth: 'Last month',
};

/** The days of a period, both inclusive, as `YYYY-MM-DD`. */
export interface SpendDateRange {
  from: string;
  to: string;
  /** How many days the range holds. */
  days: number;
}

/** Periods this long or shorter are shown by day only; longer ones may be shown by month. */
export const MAX_DAYS_FOR_DAILY_ONLY = 31;

const MS_PER_DAY = 24 * 60 * 60 * 1000;

/** `YYYY-MM-DD` of a local calendar date: spend days follow the user's calendar, not UTC. */
function isoDate(date: Date): string {
  const month = String(date.getMonth() + 1).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, '0');
  return `${date.getFullYear()}-${month}-${day}`;
}

function range(from: Date, to: Date): SpendDateRange {
  // Counted on UTC midnights so that a daylight saving change does not lose or add a day.
  const days =
    Math.round(
      (Date.UTC(to.getFullYear(), to.getMonth(), to.getDate()) -
        Date.UTC(from.getFullYear(), from.getMonth(), from.getDate())) /
        MS_PER_DAY,
    ) + 1;
  return { from: isoDate(from), to: isoDate(to), days };
}

/** The dates of a period that ends today (or, for "Last month", the whole previous month). */
export function spendDateRange(
  period: SpendPeriod,
  today: Date,
): SpendDateRange {
  const year = today.getFullYear();
  const month = today.getMonth();
  const day = today.getDate();
  switch (period) {
    case 'last30':
      return range(new Date(year, month, day - 29), new Date(year, month, day));
    case 'last90':
      return range(new Date(year, month, day - 89), new Date(year, month, day));
    case 'monthToDate':
      return range(new Date(year, month, 1), new Date(year, month, day));
    case 'lastMonth':
    default:
      // Day 0 of this month is the last day of the previous one.
      return range(new Date(year, month - 1, 1), new Date(year, month, 0));
  }
}

/** The granularities that make sense for a range: day only for a month or less, else day or month. */
export function granularitiesFor(
  dateRange: SpendDateRange,
): SpendGranularity[] {
  return dateRange.days <= MAX_DAYS_FOR_DAILY_ONLY ? ['day'] : ['day', 'month'];
}
