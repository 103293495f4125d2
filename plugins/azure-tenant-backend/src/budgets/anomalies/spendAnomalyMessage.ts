import { formatAmount } from '../thresholdAlerts';
import { SpendDayVerdict } from './SpendAnomalyModel';

/** A service's rise on an anomalous day, against the median of its own history. */
export interface SpendAnomalyDriver {
  service: string;
  increase: number;
}

/** An anomalous day of one subscription in one currency. */
export interface SpendAnomalyFinding {
  subscriptionId: string;
  day: string;
  currency: string;
  verdict: SpendDayVerdict;
  /** The days of history the day was judged against. */
  historyDays: number;
  /** The services that rose most, largest rise first. */
  drivers: SpendAnomalyDriver[];
}

/** What an anomalous day is about, in one currency, for the notification's description. */
function explain(finding: SpendAnomalyFinding): string {
  const { currency, verdict, historyDays, drivers } = finding;
  const amount = (value: number) => `${formatAmount(value)} ${currency}`;
  const sentences: string[] = [];
  if (drivers.length > 0) {
    sentences.push(
      `Driven by ${drivers
        .map(d => `${d.service} (+${amount(d.increase)})`)
        .join(', ')}.`,
    );
  }
  const percent = Number.isFinite(verdict.excessPercent)
    ? ` (+${Math.round(verdict.excessPercent)}%)`
    : '';
  const swings =
    verdict.spread > 0
      ? `${(verdict.excess / verdict.spread).toFixed(1)} times the usual`
      : 'while there was no';
  sentences.push(
    `The day is ${amount(
      verdict.excess,
    )}${percent} above the trend of the ${historyDays} days before it, ${swings} day-to-day variation.`,
  );
  return sentences.join(' ');
}

/**
 * The title and description of the alert about a subscription's anomalous day, with the figures: e.g. title "Spend
 * anomaly in Payments prod on 2026-12-02: 1,234.50 USD against an expected 240.10 USD" and description "Driven by
 * Virtual Machines (+950.20 USD), Storage (+30.10 USD). The day is …". `findings` are the day's, one per currency.
 */
export function describeSpendAnomaly(
  subscriptionName: string,
  findings: SpendAnomalyFinding[],
): { title: string; description: string } {
  const figures = findings.map(
    ({ currency, verdict }) =>
      `${formatAmount(
        verdict.actual,
      )} ${currency} against an expected ${formatAmount(
        verdict.expected,
      )} ${currency}`,
  );
  return {
    title: `Spend anomaly in ${subscriptionName} on ${
      findings[0].day
    }: ${figures.join('; ')}`,
    description: findings.map(explain).join(' '),
  };
}
