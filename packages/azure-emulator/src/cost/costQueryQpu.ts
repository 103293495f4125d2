import { EmulatorRequest } from '../http/EmulatorHttp';
import { parseDay } from './CostModel';

/** Days counted as one month of data. */
const MONTH_DAYS = 31;

/**
 * The query processing units (QPU) a Cost Management request consumes. Microsoft Learn: "one QPU is deducted for one
 * month of data queried", and the date range is what makes a query cost more
 * (https://learn.microsoft.com/azure/cost-management-billing/costs/manage-automation#qpu-calculation). So a `Custom`
 * period costs one QPU per started 31 days; the named timeframes (`MonthToDate`, `TheLastMonth`, `WeekToDate`, …)
 * cover a month at most and cost one. A body that cannot be read costs one (the query is then refused with a 400).
 */
export function costQueryQpu(request: EmulatorRequest): number {
  let body: any;
  try {
    body = JSON.parse(request.body.toString('utf8'));
  } catch {
    return 1;
  }
  if (String(body?.timeframe ?? '').toLowerCase() !== 'custom') return 1;
  try {
    const from = parseDay(String(body.timePeriod.from));
    const to = parseDay(String(body.timePeriod.to));
    if (!(to >= from)) return 1;
    return Math.max(1, Math.ceil((to - from + 1) / MONTH_DAYS));
  } catch {
    return 1;
  }
}
