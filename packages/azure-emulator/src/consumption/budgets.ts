import { createHash } from 'node:crypto';
import { CostModel, dayNumberOf, parseDay } from '../cost/CostModel';
import { compileCostFilter } from '../cost/costQuery';
import { ArmError } from '../errors/ArmError';
import { FixtureBudget, FixtureBudgetNotification } from '../model/fixture';
import { SubscriptionState } from '../model/EmulatorState';

/*
 * Microsoft.Consumption budgets, shaped as in
 * specification/consumption/resource-manager/Microsoft.Consumption/stable/2023-05-01/examples/Budget.json and
 * .../BudgetsList.json (definitions `Budget`, `BudgetProperties`, `Notification` of consumption.json).
 */

const DAY_MS = 86_400_000;

/** Months per budget period, by `timeGrain` (consumption.json `BudgetProperties.timeGrain`). */
const GRAIN_MONTHS: Record<string, number> = {
  Monthly: 1,
  Quarterly: 3,
  Annually: 12,
  BillingMonth: 1,
  BillingQuarter: 3,
  BillingAnnual: 12,
};

const OPERATORS = ['EqualTo', 'GreaterThan', 'GreaterThanOrEqualTo'];
const THRESHOLD_TYPES = ['Actual', 'Forecasted'];

/**
 * A budget as the emulator keeps it: the fixture's shape with every default filled in.
 *
 * @public
 */
export interface BudgetState {
  name: string;
  amount: number;
  timeGrain: NonNullable<FixtureBudget['timeGrain']>;
  timePeriod: { startDate: string; endDate: string };
  filter?: Record<string, unknown>;
  notifications: Record<
    string,
    Required<Omit<FixtureBudgetNotification, 'locale'>> & { locale?: string }
  >;
  eTag: string;
}

function invalid(message: string): ArmError {
  return new ArmError(400, 'InvalidBudget', message);
}

/** `2026-11-01T00:00:00Z`, as the spec examples write budget dates. */
function budgetDate(day: number): string {
  return `${new Date(day * DAY_MS).toISOString().slice(0, 10)}T00:00:00Z`;
}

function addMonths(day: number, months: number): number {
  const d = new Date(day * DAY_MS);
  return dayNumberOf(
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate()),
  );
}

function monthsBetween(from: number, to: number): number {
  const a = new Date(from * DAY_MS);
  const b = new Date(to * DAY_MS);
  return (
    (b.getUTCFullYear() - a.getUTCFullYear()) * 12 +
    b.getUTCMonth() -
    a.getUTCMonth()
  );
}

/**
 * Checks a budget and fills in its defaults, refusing what Azure refuses on create (Learn, "Tutorial: Create and
 * manage budgets": the start date is the first of a month; up to five notifications; thresholds 0–1000 %).
 *
 * @param today - the emulator's day number, for the default start date
 */
export function budgetStateOf(
  input: FixtureBudget,
  today: number,
): BudgetState {
  if (
    typeof input?.name !== 'string' ||
    !/^[^<>%&:\\?/]{1,63}$/.test(input.name)
  ) {
    throw invalid(
      "'name' must be 1 to 63 characters, without < > % & : \\ ? /.",
    );
  }
  if (typeof input.amount !== 'number' || !(input.amount > 0)) {
    throw invalid("'amount' must be a number above 0.");
  }
  const timeGrain = input.timeGrain ?? 'Monthly';
  if (!GRAIN_MONTHS[timeGrain]) {
    throw invalid(
      `'timeGrain' must be one of ${Object.keys(GRAIN_MONTHS).join(', ')}.`,
    );
  }
  const todayDate = new Date(today * DAY_MS);
  let start = dayNumberOf(
    Date.UTC(todayDate.getUTCFullYear(), todayDate.getUTCMonth(), 1),
  );
  let end: number;
  try {
    if (input.timePeriod?.startDate)
      start = parseDay(input.timePeriod.startDate);
    end = input.timePeriod?.endDate
      ? parseDay(input.timePeriod.endDate)
      : // "If not provided, we default this to 10 years from the start date." (consumption.json BudgetTimePeriod)
        addMonths(start, 120);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  if (new Date(start * DAY_MS).getUTCDate() !== 1) {
    throw invalid("'timePeriod.startDate' must be the first of a month.");
  }
  if (end <= start) {
    throw invalid("'timePeriod.endDate' must be after the start date.");
  }
  if (input.filter !== undefined) {
    try {
      compileCostFilter(input.filter);
    } catch (error) {
      throw invalid((error as Error).message);
    }
  }
  const entries = Object.entries(input.notifications ?? {});
  if (entries.length > 5) {
    throw invalid('A budget can have up to five notifications.');
  }
  const notifications: BudgetState['notifications'] = {};
  for (const [key, n] of entries) {
    if (!OPERATORS.includes(n?.operator)) {
      throw invalid(
        `Notification '${key}': 'operator' must be one of ${OPERATORS.join(
          ', ',
        )}.`,
      );
    }
    if (
      typeof n.threshold !== 'number' ||
      n.threshold < 0 ||
      n.threshold > 1000
    ) {
      throw invalid(`Notification '${key}': 'threshold' must be 0 to 1000.`);
    }
    const thresholdType = n.thresholdType ?? 'Actual';
    if (!THRESHOLD_TYPES.includes(thresholdType)) {
      throw invalid(
        `Notification '${key}': 'thresholdType' must be Actual or Forecasted.`,
      );
    }
    notifications[key] = {
      enabled: n.enabled !== false,
      operator: n.operator,
      threshold: n.threshold,
      contactEmails: [...(n.contactEmails ?? [])],
      contactRoles: [...(n.contactRoles ?? [])],
      contactGroups: [...(n.contactGroups ?? [])],
      thresholdType,
      ...(n.locale ? { locale: n.locale } : {}),
    };
  }
  const state: Omit<BudgetState, 'eTag'> = {
    name: input.name,
    amount: input.amount,
    timeGrain,
    timePeriod: { startDate: budgetDate(start), endDate: budgetDate(end) },
    ...(input.filter ? { filter: structuredClone(input.filter) } : {}),
    notifications,
  };
  // An eTag like the spec example's ("\"1d34d012214157f\""): 15 hex digits, changing with the budget's definition.
  const eTag = `"${createHash('sha256')
    .update(JSON.stringify(state))
    .digest('hex')
    .slice(0, 15)}"`;
  return { ...state, eTag };
}

/**
 * The budget's current period: periods of `timeGrain` months from the start date, clipped to the end date. Before
 * the start it is the first period; after the end, the last.
 */
export function budgetPeriod(
  budget: BudgetState,
  today: number,
): { from: number; to: number } {
  const start = parseDay(budget.timePeriod.startDate);
  const end = parseDay(budget.timePeriod.endDate);
  const grain = GRAIN_MONTHS[budget.timeGrain];
  const reference = Math.min(Math.max(today, start), end);
  const index = Math.floor(monthsBetween(start, reference) / grain);
  const from = addMonths(start, index * grain);
  return { from, to: Math.min(addMonths(from, grain) - 1, end) };
}

/**
 * What the budget's scope has cost in its current period so far (`currentSpend`), and what it will have cost by the
 * period's end (`forecastSpend`: the actual cost so far plus the modelled cost of the days left), in the
 * subscription's currency, computed from the cost model so that cost scenarios move them.
 */
export function budgetSpend(
  model: CostModel,
  subscription: SubscriptionState,
  budget: BudgetState,
): { current: number; forecast: number } {
  const today = model.today;
  const { from, to } = budgetPeriod(budget, today);
  const filter = compileCostFilter(budget.filter);
  let current = 0;
  let forecast = 0;
  for (const resource of subscription.resources.entries()) {
    if (!filter(subscription, resource)) continue;
    const daily = model.dailyCosts(subscription, resource);
    for (let day = from; day <= Math.min(to, today); day++) {
      current += daily(day);
    }
    for (let day = Math.max(from, today + 1); day <= to; day++) {
      forecast += model.modelledCost(subscription, resource, day, false);
    }
  }
  const cents = (value: number) => Math.round(value * 100) / 100;
  return { current: cents(current), forecast: cents(current + forecast) };
}

/** The budget as `GET …/providers/Microsoft.Consumption/budgets/{name}` answers it (spec example Budget.json). */
export function budgetResource(
  model: CostModel,
  subscription: SubscriptionState,
  budget: BudgetState,
): Record<string, unknown> {
  const spend = budgetSpend(model, subscription, budget);
  const unit = subscription.currency;
  return {
    // Without a leading slash, as in the spec examples (Budget.json, BudgetsList.json).
    id: `subscriptions/${subscription.subscriptionId}/providers/Microsoft.Consumption/budgets/${budget.name}`,
    name: budget.name,
    type: 'Microsoft.Consumption/budgets',
    eTag: budget.eTag,
    properties: {
      category: 'Cost',
      amount: budget.amount,
      timeGrain: budget.timeGrain,
      timePeriod: { ...budget.timePeriod },
      ...(budget.filter ? { filter: structuredClone(budget.filter) } : {}),
      currentSpend: { amount: spend.current, unit },
      forecastSpend: { amount: spend.forecast, unit },
      notifications: structuredClone(budget.notifications),
    },
  };
}
