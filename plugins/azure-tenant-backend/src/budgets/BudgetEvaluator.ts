import { LoggerService } from '@backstage/backend-plugin-api';
import { Budget, BudgetState } from '@azure-tenant/plugin-azure-tenant-common';
import { addDays, dayOf, daysIn } from '../spend/spendDays';
import {
  BudgetEvaluation,
  BudgetEvaluationStore,
  NewSpendAlert,
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
import {
  DayRange,
  ScopeSpend,
  ScopeSpendCoverage,
  ScopeSpendReader,
} from './ScopeSpendReader';
import { BatchSpendAlertNotifier } from './SpendAlertNotifier';
import { thresholdAlert, thresholdAlertKey } from './thresholdAlerts';

/** The days of spend whose daily average runs on to the end of the period, in the forecast. */
export const FORECAST_WINDOW_DAYS = 7;

/** Options for {@link BudgetEvaluator}. */
export interface BudgetEvaluatorOptions {
  budgets: Pick<BudgetStore, 'list'>;
  evaluations: BudgetEvaluationStore;
  scopes: BudgetScopeResolver;
  spend: ScopeSpendReader;
  rates: ExchangeRates;
  notifier: BatchSpendAlertNotifier;
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

/** The last day known of a budget's scope, and the ranges its figures are summed over. */
interface SpendPlan {
  through: string;
  /** The period through the last day read. */
  actual: DayRange;
  /** The period's complete days: all but the last day read. */
  beforeLast: DayRange;
  /** The complete days whose average runs on in the forecast. */
  window: DayRange;
  ranges: DayRange[];
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
    const { evaluations, scopes, spend } = this.options;
    const now = this.now();
    const today = options.today ?? dayOf(now);
    const wanted = options.budgetIds ? new Set(options.budgetIds) : undefined;
    const budgets = (await this.options.budgets.list()).filter(
      budget => !wanted || wanted.has(budget.id),
    );
    if (budgets.length === 0) return { evaluated: 0, alerts: 0 };

    const periods = budgets.map(budget => budgetPeriodOf(budget.period, today));
    const resolved = await scopes.resolveAll(budgets.map(b => b.scope));
    const coverage = await spend.coverage(resolved);
    const evaluatedAt = now.toISOString();
    const plans = budgets.map((_budget, i) =>
      this.plan(periods[i], resolved[i], coverage[i], today),
    );
    // One read for every budget, of the sums over the ranges their figures need.
    const read = await spend.read(
      resolved,
      plans.flatMap(plan => ('ranges' in plan ? plan.ranges : [])),
    );
    const results = budgets.map((budget, i) => {
      const plan = plans[i];
      const base = {
        periodStart: periods[i].start,
        periodEnd: periods[i].end,
        evaluatedAt,
      };
      return {
        budget,
        period: periods[i],
        evaluation:
          'ranges' in plan
            ? this.figures(budget, base, plan, resolved[i], read)
            : noData(base, plan.problem),
      };
    });
    await evaluations.saveEvaluations(
      results.map(({ budget, evaluation }) => ({
        ...evaluation,
        budgetId: budget.id,
      })),
    );
    return {
      evaluated: budgets.length,
      alerts: await this.alert(results, now),
    };
  }

  /** Alerts each threshold crossed that was not alerted in the period yet; returns how many were recorded now. */
  private async alert(
    results: Array<{
      budget: Budget;
      period: BudgetPeriodRange;
      evaluation: BudgetEvaluation;
    }>,
    now: Date,
  ): Promise<number> {
    const due: Array<NewSpendAlert & { muted?: boolean }> = [];
    for (const { budget, period, evaluation } of results) {
      if (
        period.position === 'not-started' ||
        evaluation.state === 'no-data' ||
        evaluation.state === 'currency-mismatch'
      ) {
        continue;
      }
      const muted =
        !!budget.mutedUntil && Date.parse(budget.mutedUntil) > now.getTime();
      for (const threshold of budget.thresholds) {
        const percent =
          threshold.type === 'actual'
            ? evaluation.actualPercent
            : evaluation.forecastPercent;
        if (percent >= threshold.percent) {
          due.push({ ...thresholdAlert(budget, evaluation, threshold), muted });
        }
      }
    }
    if (due.length === 0) return 0;
    // Most are alerted already; the store's unique key still decides between replicas for the rest.
    const crossed = await this.options.evaluations.crossedThresholds([
      ...new Set(due.map(alert => alert.budgetId!)),
    ]);
    const alerted = new Set(
      [...crossed].flatMap(([budgetId, list]) =>
        list.map(({ periodStart, threshold }) =>
          thresholdAlertKey(budgetId, periodStart, threshold),
        ),
      ),
    );
    const fresh = due.filter(alert => !alerted.has(alert.dedupeKey));
    if (fresh.length === 0) return 0;
    try {
      return (await this.options.notifier.notifyAll(fresh)).length;
    } catch (error) {
      // Nothing was recorded: the thresholds are alerted at the next evaluation.
      this.options.logger.error(
        `Could not record ${fresh.length} budget alerts: ${
          (error as Error).message
        }`,
      );
      return 0;
    }
  }

  /**
   * What a budget's figures need: the last day known and the ranges to sum; or why it has none (yet).
   */
  private plan(
    period: BudgetPeriodRange,
    scope: ResolvedBudgetScope,
    coverage: ScopeSpendCoverage,
    today: string,
  ): SpendPlan | { problem?: string } {
    if (scope.problem) return { problem: scope.problem };
    if (coverage.subscriptionIds.length === 0) {
      return { problem: 'Its scope covers no Azure subscription or resource.' };
    }
    if (period.position === 'not-started') return {};
    let through = coverage.spendThrough;
    if (!through || through < period.start) return {};
    if (through > today) through = today;
    if (through > period.end) through = period.end;
    let windowFrom = addDays(through, -FORECAST_WINDOW_DAYS);
    if (coverage.readFrom && windowFrom < coverage.readFrom) {
      windowFrom = coverage.readFrom;
    }
    const actual = { from: period.start, to: through };
    const beforeLast = { from: period.start, to: addDays(through, -1) };
    const window = { from: windowFrom, to: addDays(through, -1) };
    return {
      through,
      actual,
      beforeLast,
      window,
      ranges: [actual, beforeLast, window],
    };
  }

  /** A budget's figures in its currency, from the spend read for its plan. */
  private figures(
    budget: Budget,
    base: Pick<BudgetEvaluation, 'periodStart' | 'periodEnd' | 'evaluatedAt'>,
    plan: SpendPlan,
    scope: ResolvedBudgetScope,
    read: ScopeSpend,
  ): BudgetEvaluation {
    const { through } = plan;
    const period = { start: base.periodStart, end: base.periodEnd };
    // Per currency: the actual spend; the spend before the last day read; the run rate's window.
    const actual = read.sum(scope, plan.actual);
    const beforeLast = read.sum(scope, plan.beforeLast);
    const window = read.sum(scope, plan.window);
    const windowDays =
      plan.window.from <= plan.window.to
        ? daysIn(plan.window.from, plan.window.to)
        : 0;
    const left = remainingDays(period, through);

    const currencies = [...new Set([...actual.keys(), ...window.keys()])];
    const forecastOf = (currency: string): number => {
      const known = actual.get(currency) ?? 0;
      if (left === 0) return known;
      if (windowDays === 0) {
        // Nothing complete to average yet: the one day read runs on as it is.
        return known + known * left;
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
        ...noData(
          base,
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

/** The figures of a budget with no spend known for its period (yet). */
function noData(
  base: Pick<BudgetEvaluation, 'periodStart' | 'periodEnd' | 'evaluatedAt'>,
  problem?: string,
): BudgetEvaluation {
  return {
    ...base,
    actual: 0,
    forecast: 0,
    actualPercent: 0,
    forecastPercent: 0,
    state: 'no-data',
    conversions: [],
    ...(problem ? { problem } : {}),
  };
}

function roundCents(amount: number): number {
  return Math.round(amount * 100) / 100;
}
