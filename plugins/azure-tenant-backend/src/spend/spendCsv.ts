import { SpendReport } from '@azure-tenant/plugin-azure-tenant-common';

/**
 * A CSV field (RFC 4180): quoted when needed, and kept from being read as a formula by spreadsheets. Every CSV export
 * of the plugin writes its text fields with it.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The points of a spend report as CSV: a header, then one row per point, group and currency. */
export function spendReportCsv(report: SpendReport): string {
  const lines = ['date,group,currency,amount'];
  for (const series of report.series) {
    for (const point of series.points) {
      for (const group of series.groups) {
        const amount = point.amounts[group.key] ?? 0;
        lines.push(
          [
            point.date,
            csvField(group.key),
            csvField(series.currency),
            String(amount),
          ].join(','),
        );
      }
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
