import { ShowbackReport } from '@azure-tenant/plugin-azure-tenant-common';
import { csvField } from '../spend/spendCsv';

/** The rows of a showback as CSV: a header, then one line per month, owner and currency, amounts with 2 decimals. */
export function showbackCsv(report: ShowbackReport): string {
  const lines = ['month,owner,currency,amount,resources'];
  for (const row of report.rows) {
    lines.push(
      [
        row.month,
        csvField(row.owner),
        csvField(row.currency),
        row.amount.toFixed(2),
        String(row.resourceCount),
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
