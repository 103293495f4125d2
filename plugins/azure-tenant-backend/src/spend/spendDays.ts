import { DateTime } from 'luxon';

/*
 * Days of spend are `YYYY-MM-DD` strings in UTC, as Cost Management reports usage dates, and months `YYYY-MM`: they
 * compare and sort as text, which the database queries rely on. The arithmetic on them is luxon's.
 */

function parseDay(day: string): DateTime {
  const parsed = DateTime.fromISO(day, { zone: 'utc' });
  if (!parsed.isValid) throw new Error(`Not a day: '${day}'`);
  return parsed;
}

function format(time: DateTime): string {
  return time.toISODate() as string;
}

/** Whether `value` is a day `YYYY-MM-DD` that exists (not 30 February). */
export function isDay(value: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(value) &&
    DateTime.fromISO(value, { zone: 'utc' }).isValid
  );
}

/** The UTC day of a time. */
export function dayOf(time: Date): string {
  return format(DateTime.fromJSDate(time, { zone: 'utc' }));
}

/** The day `days` after `day` (before it, when negative). */
export function addDays(day: string, days: number): string {
  return format(parseDay(day).plus({ days }));
}

/** How many days `from`..`to` cover, both included. */
export function daysIn(from: string, to: string): number {
  return parseDay(to).diff(parseDay(from), 'days').days + 1;
}

/** Every day of `from`..`to`, in order. */
export function eachDay(from: string, to: string): string[] {
  const days: string[] = [];
  const end = parseDay(to);
  for (let day = parseDay(from); day <= end; day = day.plus({ days: 1 })) {
    days.push(format(day));
  }
  return days;
}

/** The month (`YYYY-MM`) of a day. */
export const monthOf = (day: string): string => day.slice(0, 7);

/** The first and the last day of the month of `day`. */
export function monthOfDay(day: string): { first: string; last: string } {
  const time = parseDay(day);
  return {
    first: format(time.startOf('month')),
    last: format(time.endOf('month')),
  };
}
