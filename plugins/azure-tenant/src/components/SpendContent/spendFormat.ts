/**
 * An amount in the user's locale and its currency. An unknown currency code (Intl throws on it) still shows the
 * amount, with the code after it, rather than breaking the page.
 */
export function formatCurrency(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency,
    }).format(amount);
  } catch {
    return `${new Intl.NumberFormat(undefined, {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    }).format(amount)} ${currency}`;
  }
}

/** A share from 0 to 1 as a percentage, e.g. `42.5%`. */
export function formatShare(share: number): string {
  return new Intl.NumberFormat(undefined, {
    style: 'percent',
    maximumFractionDigits: 1,
  }).format(share);
}

/** A relative change with its sign, e.g. `+12.5%` or `-3%`; no sign for no change. */
export function formatChange(change: number): string {
  return new Intl.NumberFormat(undefined, {
    style: 'percent',
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  }).format(change);
}

/** The change of a group against the previous period; `undefined` when there is nothing to compare with. */
export function groupChange(group: {
  total: number;
  previousTotal?: number;
}): number | undefined {
  if (group.previousTotal === undefined) {
    return undefined;
  }
  if (group.previousTotal === 0) {
    // From nothing to nothing is no change; from nothing to something has no percentage.
    return group.total === 0 ? 0 : undefined;
  }
  return (group.total - group.previousTotal) / group.previousTotal;
}
