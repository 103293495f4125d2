import { LoggerService } from '@backstage/backend-plugin-api';
import { Budget, BudgetState } from '@azure-tenant/plugin-azure-tenant-common';
import { addDays, dayOf, daysIn } from '../spend/spendDays';
import {
  BudgetEvaluation,
  BudgetEvaluationStore,
} from './BudgetEvaluationStore';
import {
  budgetPeriodOf,
  BudgetPeriodRange,
  remainingDays,
} from './budgetPeriods';
import {
  BudgetScopeResolver,
  ResolvedBudgetScope,
} from './BudgetScopeResolver';
import { BudgetStore } from './BudgetStore';
import { ExchangeRates } from './exchangeRates';
import { ScopeSpend, ScopeSpendReader } from './ScopeSpendReader';
import { SpendAlertNotifier } from './SpendAlertNotifier';
import { thresholdAlert } from './thresholdAlerts';

/** The days of spend whose daily average runs on to the end of the period, in the forecast. */
export const FORECAST_WINDOW_DAYS = 7;

/** Options for {@link BudgetEvaluator}. */
export interface BudgetEvaluatorOptions {
  budgets: Pick<BudgetStore, 'list'>;
  evaluations: BudgetEvaluationStore;
  scopes: BudgetScopeResolver;
  spend: ScopeSpendReader;
  rates: ExchangeRates;
  notifier: SpendAlertNotifier;
  logger: LoggerService;
  /** The clock; tests move it. Defaults to the system clock. */
  now?: () => Date;
}

/** What one evaluation did. */
export interface BudgetEvaluationResult {
  evaluated: number;
  /** Alerts recorded now (sent or muted); thresholds already alerted are not counted. */
  alerts: number;
}

/** Spend per currency, converted into the budget's currency, or the currencies that have no rate to it. */
type Conversion =
  | { amounts: number[]; notes: string[] }
  | { missing: string[] };

/**
 * Evaluates budgets: for each, its current period's actual spend and forecast in the budget's currency, its state,
 * and an alert for each threshold newly crossed in the period. The evaluation of every budget is saved for the
 * budgets API; alerts go through the {@link SpendAlertNotifier}, whose store records each threshold of a period
 * once, so that two replicas evaluating at the same time alert once, and a threshold already alerted is not alerted
 * again in that period when a restatement takes spend under it and back over.
 *
 * The forecast is a run rate: the spend known so far in the period, plus the average daily spend of the last
 * {@link FORECAST_WINDOW_DAYS} complete days times the days left. The last day read counts as incomplete (Cost
 * Management adds to the current day for hours), so the run rate stops the day before it, and the last day is
 * counted among those left. The window may reach back into the previous period, so that a forecast on the second
 * day of a month is not thirty times the first day; it never reaches before the first day read. A forecast is never
 * below the actual spend.
 */
export class BudgetEvaluator {
  private readonly now: () => Date;

  constructor(private readonly options: BudgetEvaluatorOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Evaluates every budget, or those of `budgetIds`, in the period that holds `today` (default: the current UTC
   * day).
   */
  async evaluate(
    options: { budgetIds?: string[]; today?: string } = {},
  ): Promise<BudgetEvaluationResult> {
    const { evaluations, scopes, spend, logger } = this.options;
    const now = this.now();
    const today = options.today ?? dayOf(now);
    const wanted = options.budgetIds ? new Set(options.budgetIds) : undefined;
    const budgets = (await this.options.budgets.list()).filter(
      budget => !wanted || wanted.has(budget.id),
    );
    if (budgets.length === 0) return { evaluated: 0, alerts: 0 };

    const periods = budgets.map(budget => budgetPeriodOf(budget.period, today));
    const resolved = await scopes.resolveAll(budgets.map(b => b.scope));
    // One read for all: from the earliest period start (and the forecast window before it) to today.
    let from = today;
    for (const period of periods) {
      const start = addDays(period.start, -(FORECAST_WINDOW_DAYS + 1));
      if (start < from) from = start;
    }
    const read = await spend.read(resolved, { from, to: today });

    const evaluatedAt = now.toISOString();
    const results = budgets.map((budget, i) => ({
      budget,
      evaluation: this.evaluateOne(
        budget,
        periods[i],
        resolved[i],
        read,
        today,
        evaluatedAt,
      ),
    }));
    await evaluations.saveEvaluations(
      results.map(({ budget, evaluation }) => ({
        ...evaluation,
        budgetId: budget.id,
      })),
    );

    let alerts = 0;
    for (const [i, { budget, evaluation }] of results.entries()) {
      if (!this.mayAlert(evaluation, periods[i])) continue;
      const muted =
        !!budget.mutedUntil && Date.parse(budget.mutedUntil) > now.getTime();
      for (const threshold of budget.thresholds) {
        const percent =
          threshold.type === 'actual'
            ? evaluation.actualPercent
            : evaluation.forecastPercent;
        if (percent < threshold.percent) continue;
        try {
          const alert = await this.options.notifier.notify({
            ...thresholdAlert(budget, evaluation, threshold),
            muted,
          });
          if (alert) alerts++;
        } catch (error) {
          // The threshold is alerted at the next evaluation: nothing was recorded for it.
          logger.error(
            `Could not record the alert of budget ${budget.id} for ${
              threshold.type
            } ${threshold.percent}%: ${(error as Error).message}`,
            { budgetId: budget.id },
          );
        }
      }
    }
    return { evaluated: budgets.length, alerts };
  }

  /** Only figures that were compared, in a period that has started. */
  private mayAlert(
    evaluation: BudgetEvaluation,
    period: BudgetPeriodRange,
  ): boolean {
    return (
      period.position !== 'not-started' &&
      evaluation.state !== 'no-data' &&
      evaluation.state !== 'currency-mismatch'
    );
  }

  private evaluateOne(
    budget: Budget,
    period: BudgetPeriodRange,
    scope: ResolvedBudgetScope,
    read: ScopeSpend,
    today: string,
    evaluatedAt: string,
  ): BudgetEvaluation {
    const base = {
      periodStart: period.start,
      periodEnd: period.end,
      evaluatedAt,
    };
    const blank = (problem?: string): BudgetEvaluation => ({
      ...base,
      actual: 0,
      forecast: 0,
      actualPercent: 0,
      forecastPercent: 0,
      state: 'no-data',
      conversions: [],
      ...(problem ? { problem } : {}),
    });

    if (scope.problem) return blank(scope.problem);
    const coverage = read.coverage(scope);
    if (coverage.subscriptionIds.length === 0) {
      return blank('Its scope covers no Azure subscription or resource.');
    }
    if (period.position === 'not-started') return blank();
    let through = coverage.spendThrough;
    if (!through || through < period.start) return blank();
    if (through > today) through = today;
    if (through > period.end) through = period.end;

    // Per currency: the actual spend; the spend before the last day read; the run rate's window.
    const actual = read.sum(scope, period.start, through);
    const beforeLast = read.sum(scope, period.start, addDays(through, -1));
    let windowStart = addDays(through, -FORECAST_WINDOW_DAYS);
    if (coverage.readFrom && windowStart < coverage.readFrom) {
      windowStart = coverage.readFrom;
    }
    const windowEnd = addDays(through, -1);
    const windowDays =
      windowStart <= windowEnd ? daysIn(windowStart, windowEnd) : 0;
    const window = read.sum(scope, windowStart, windowEnd);
    const left = remainingDays(period, through);

    const currencies = [...new Set([...actual.keys(), ...window.keys()])];
    const forecastOf = (currency: string): number => {
      const known = actual.get(currency) ?? 0;
      if (left === 0) return known;
      if (windowDays === 0) {
        // Nothing complete to average yet: the one day read runs on as it is.
        return known + (actual.get(currency) ?? 0) * left;
      }
      const rate = (window.get(currency) ?? 0) / windowDays;
      return Math.max(
        known,
        (beforeLast.get(currency) ?? 0) + rate * (left + 1),
      );
    };
    const converted = this.convert(
      currencies,
      [currency => actual.get(currency) ?? 0, forecastOf],
      budget.currency,
    );
    if ('missing' in converted) {
      return {
        ...blank(
          `Part of the spend is in ${converted.missing.join(
            ', ',
          )}, and azureTenant.budgets.exchangeRates has no rate from ${
            converted.missing.length > 1 ? 'them' : 'it'
          } to ${
            budget.currency
          }: nothing is compared until one is configured.`,
        ),
        spendThrough: through,
        state: 'currency-mismatch',
      };
    }
    const [actualAmount, forecastAmount] = converted.amounts;
    const actualPercent = (actualAmount / budget.amount) * 100;
    const forecastPercent = (forecastAmount / budget.amount) * 100;
    let state: BudgetState = 'on-track';
    if (actualPercent >= 100) state = 'over';
    else if (forecastPercent >= 100) state = 'at-risk';
    return {
      ...base,
      actual: roundCents(actualAmount),
      forecast: roundCents(forecastAmount),
      actualPercent,
      forecastPercent,
      spendThrough: through,
      state,
      conversions: converted.notes,
    };
  }

  /**
   * Sums figures over currencies in the budget's currency: all of them convert, or none is compared (the
   * currencies without a rate are returned).
   */
  private convert(
    currencies: string[],
    figures: Array<(currency: string) => number>,
    to: string,
  ): Conversion {
    const { rates } = this.options;
    const missing = currencies.filter(c => !rates.canConvert(c, to)).sort();
    if (missing.length > 0) return { missing };
    const notes = new Set<string>();
    const amounts = figures.map(figure =>
      currencies.reduce((sum, currency) => {
        const converted = rates.convert(figure(currency), currency, to)!;
        if (converted.note) notes.add(converted.note);
        return sum + converted.amount;
      }, 0),
    );
    return { amounts, notes: [...notes] };
  }
}

function roundCents(amount: number): number {
  return Math.round(amount * 100) / 100;
}
