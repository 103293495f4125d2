import { DateTime } from 'luxon';
import { BudgetPeriod } from '@azure-tenant/plugin-azure-tenant-common';
import { addDays, daysIn } from '../spend/spendDays';

/**
 * One reporting period of a budget, `YYYY-MM-DD` UTC days, both included. `position` says where the day it was found
 * for stands: in it, or, for a custom period (there is only one), before it starts or after it ended.
 */
export interface BudgetPeriodRange {
  start: string;
  end: string;
  position: 'current' | 'not-started' | 'ended';
}

function parseDay(day: string): DateTime {
  const parsed = DateTime.fromISO(day, { zone: 'utc' });
  if (!parsed.isValid) throw new Error(`Not a day: '${day}'`);
  return parsed;
}

/** A period of `months` months whose months start at `startMonth` (1–12), holding `day`. */
function monthsPeriod(
  day: string,
  months: number,
  startMonth: number,
): BudgetPeriodRange {
  const time = parseDay(day);
  // How far the day's month is into the period: months since the last start month, modulo the period's length.
  const offset = (((time.month - startMonth) % 12) + 12) % months;
  const start = time.startOf('month').minus({ months: offset });
  const end = start.plus({ months }).minus({ days: 1 });
  return {
    start: start.toISODate() as string,
    end: end.toISODate() as string,
    position: 'current',
  };
}

/**
 * The period of `period` that holds `day`: its calendar month, its quarter or year from `startMonth` (a fiscal year
 * from April is `{ type: 'yearly', startMonth: 4 }`: 2026-04-01..2027-03-31), or the one custom period.
 *
 * A custom period has no other period to move to. Before it starts, it is returned `not-started` (its spend is zero
 * so far, and nothing is alerted); after it ended, it is returned `ended`, so that its final figures stay shown and a
 * late restatement of its last days still counts, rather than the budget going blank.
 */
export function budgetPeriodOf(
  period: BudgetPeriod,
  day: string,
): BudgetPeriodRange {
  switch (period.type) {
    case 'monthly':
      return monthsPeriod(day, 1, 1);
    case 'quarterly':
      return monthsPeriod(day, 3, period.startMonth ?? 1);
    case 'yearly':
      return monthsPeriod(day, 12, period.startMonth ?? 1);
    case 'custom': {
      const { startDate: start, endDate: end } = period;
      let position: BudgetPeriodRange['position'] = 'current';
      if (day < start) position = 'not-started';
      else if (day > end) position = 'ended';
      return { start, end, position };
    }
    default:
      throw new Error(
        `Unknown budget period type '${(period as { type: string }).type}'`,
      );
  }
}

/** How many days a period has. */
export function daysInPeriod(range: { start: string; end: string }): number {
  return daysIn(range.start, range.end);
}

/**
 * How many days of the period have passed through `through` (included): none before the period, all of them
 * after it.
 */
export function elapsedDays(
  range: { start: string; end: string },
  through: string,
): number {
  if (through < range.start) return 0;
  if (through >= range.end) return daysInPeriod(range);
  return daysIn(range.start, through);
}

/** The days of the period after `through`, up to its end: none once it has ended. */
export function remainingDays(
  range: { start: string; end: string },
  through: string,
): number {
  if (through >= range.end) return 0;
  if (through < range.start) return daysInPeriod(range);
  return daysIn(addDays(through, 1), range.end);
}
