/** How many months the showback shows at first, the current one included. */
export const DEFAULT_SHOWBACK_MONTHS = 3;

const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** `YYYY-MM` of a local calendar month. */
function monthOf(year: number, monthIndex: number): string {
  const date = new Date(year, monthIndex, 1);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(
    2,
    '0',
  )}`;
}

/** The last `DEFAULT_SHOWBACK_MONTHS` months up to this one, `YYYY-MM`, both inclusive. */
export function defaultShowbackRange(today: Date): {
  from: string;
  to: string;
} {
  const year = today.getFullYear();
  const month = today.getMonth();
  return {
    from: monthOf(year, month - (DEFAULT_SHOWBACK_MONTHS - 1)),
    to: monthOf(year, month),
  };
}

/** Whether a string is a month as `YYYY-MM`. */
export function isMonth(value: string): boolean {
  return MONTH_PATTERN.test(value);
}

/** Every month from `from` to `to`, newest first: the order the page shows them in. */
export function monthsNewestFirst(from: string, to: string): string[] {
  const [fromYear, fromMonth] = from.split('-').map(Number);
  const [toYear, toMonth] = to.split('-').map(Number);
  const months: string[] = [];
  for (
    let index = toYear * 12 + toMonth - 1;
    index >= fromYear * 12 + fromMonth - 1;
    index--
  ) {
    months.push(monthOf(Math.floor(index / 12), index % 12));
  }
  return months;
}

/** A month as its name and year in the user's language, e.g. `March 2025`. */
export function formatMonth(month: string): string {
  const [year, monthNumber] = month.split('-').map(Number);
  return new Intl.DateTimeFormat(undefined, {
    month: 'long',
    year: 'numeric',
  }).format(new Date(year, monthNumber - 1, 1));
}
