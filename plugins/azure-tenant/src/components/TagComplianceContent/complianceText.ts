import { TagComplianceFigure } from '@azure-tenant/plugin-azure-tenant-common';

/** A figure's share of compliant resources, e.g. `82.5%`, or a dash when no resource was evaluated. */
export function percentText(figure: TagComplianceFigure): string {
  return figure.percent === undefined ? '—' : `${figure.percent.toFixed(1)}%`;
}

/**
 * The change of the compliant share against an earlier figure, in percentage points, or undefined when either has no
 * resources to compare.
 */
export function percentChange(
  now: TagComplianceFigure,
  before?: TagComplianceFigure,
): number | undefined {
  if (now.percent === undefined || before?.percent === undefined) {
    return undefined;
  }
  // One decimal, as the figures are given, so that 0.1 + 0.2 reads 0.3.
  return Math.round((now.percent - before.percent) * 10) / 10;
}
