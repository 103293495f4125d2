/**
 * What a budget covers.
 *
 * - `subscription`: every cost of one connected subscription;
 * - `resourceGroup`: every cost of one resource group of a connected subscription (matched case-insensitively);
 * - `entity`: a catalog entity and everything it owns through the catalog: a group or user's owned entities, a
 *   system's or component's parts (`hasPart`) and dependencies (`dependsOn`), down to the Azure resource and
 *   subscription entities, each counted once;
 * - `customGroup`: a named set of subscriptions, resource groups and tag filters, whose costs are the union of what
 *   each member covers (a resource in two members is counted once).
 *
 * @public
 */
export type BudgetScope =
  | { kind: 'subscription'; subscriptionId: string }
  | { kind: 'resourceGroup'; subscriptionId: string; resourceGroup: string }
  | { kind: 'entity'; entityRef: string }
  | {
      kind: 'customGroup';
      /** The group's name, e.g. `Data platform`. */
      name: string;
      subscriptionIds?: string[];
      resourceGroups?: Array<{ subscriptionId: string; resourceGroup: string }>;
      /**
       * Resources of the connected subscriptions whose tag `key` has `value` (tag names compare case-insensitively,
       * values exactly); without `value`, any resource that has the tag.
       */
      tags?: Array<{ key: string; value?: string }>;
    };

/**
 * The reporting periods of a budget. A budget's spend starts from zero at the start of each period.
 *
 * - `monthly`: calendar months;
 * - `quarterly` and `yearly`: quarters and years that start in `startMonth` (1–12; defaults to 1, January), so that
 *   a fiscal year from April is `{ type: 'yearly', startMonth: 4 }`;
 * - `custom`: one period from `startDate` to `endDate` (inclusive, `YYYY-MM-DD`), such as a project's life.
 *
 * Days are UTC days, as Cost Management reports them.
 *
 * @public
 */
export type BudgetPeriod =
  | { type: 'monthly' }
  | { type: 'quarterly' | 'yearly'; startMonth?: number }
  | { type: 'custom'; startDate: string; endDate: string };

/**
 * A threshold of a budget: a percentage of its amount, on actual spend so far in the period or on the spend forecast
 * for the whole period.
 *
 * @public
 */
export interface BudgetThreshold {
  type: 'actual' | 'forecast';
  /** Percent of the budget's amount, above 0 and at most 1000, e.g. 80. */
  percent: number;
}

/**
 * What a budget is made of, as it is created or replaced (`POST /budgets`, `PUT /budgets/{id}`) or declared in
 * app-config (`azureTenant.budgets`).
 *
 * @public
 */
export interface BudgetInput {
  /** Shown in lists and notifications, 1–200 characters. */
  name: string;
  scope: BudgetScope;
  /** The budget for each period, at least 0.01 and at most 1e12, in `currency`. */
  amount: number;
  /** ISO 4217, e.g. `USD`. */
  currency: string;
  period: BudgetPeriod;
  /** Defaults to 50, 80 and 100% actual and 100% forecast. */
  thresholds?: BudgetThreshold[];
  /**
   * The catalog group or user who owns the budget and is notified: defaults to the owner of the scope's entity (the
   * subscription's entity for a subscription or resource group, the entity's owner, or the entity itself for a group
   * or user). Required for a custom group.
   */
  owner?: string;
}

/**
 * A budget as the API returns it.
 *
 * @public
 */
export interface Budget extends Required<Omit<BudgetInput, 'owner'>> {
  id: string;
  /** The owner's entity ref, e.g. `group:default/team-a`. */
  owner: string;
  /** `portal` when created in the portal; `config` when declared in app-config, and then read-only in the portal. */
  source: 'portal' | 'config';
  /** While set and in the future, alerts are recorded but not sent (ISO 8601). */
  mutedUntil?: string;
  createdBy?: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * How a budget stands in its current period.
 *
 * - `on-track`: neither actual nor forecast spend reaches the budget's amount;
 * - `at-risk`: the forecast reaches the amount, actual spend does not (yet);
 * - `over`: actual spend reaches the amount;
 * - `no-data`: no spend is known for its scope in the period yet;
 * - `currency-mismatch`: part of the scope's spend is in a currency with no configured exchange rate to the
 *   budget's, so nothing is compared (see `problem`).
 *
 * @public
 */
export type BudgetState =
  | 'on-track'
  | 'at-risk'
  | 'over'
  | 'no-data'
  | 'currency-mismatch';

/**
 * A budget with its use in the current period.
 *
 * @public
 */
export interface BudgetStatus {
  budget: Budget;
  /** The current period, `YYYY-MM-DD`, inclusive. */
  periodStart: string;
  periodEnd: string;
  /** Actual spend from the start of the period through `spendThrough`, in the budget's currency. */
  actual: number;
  /** Forecast spend for the whole period, in the budget's currency. */
  forecast: number;
  /** The last day whose spend is known. */
  spendThrough?: string;
  /** `actual / amount` and `forecast / amount`, as percentages. */
  actualPercent: number;
  forecastPercent: number;
  state: BudgetState;
  /**
   * How other currencies were converted, e.g. `USD converted to EUR at 0.92 (azureTenant.budgets.exchangeRates)`;
   * empty when all spend is in the budget's currency.
   */
  conversions: string[];
  /** Why the budget cannot be evaluated, with `currency-mismatch`. */
  problem?: string;
  /** The thresholds already crossed (and alerted) in the current period. */
  crossed: BudgetThreshold[];
  /** When the budget was last evaluated (ISO 8601). */
  evaluatedAt?: string;
}

/**
 * A budget defined in Azure (`Microsoft.Consumption/budgets`), read with the portal's Reader role and shown beside
 * the portal's budgets, read-only.
 *
 * @public
 */
export interface AzureBudget {
  /** Azure's resource id of the budget. */
  id: string;
  name: string;
  subscriptionId: string;
  /** The resource group, for a budget defined on one. */
  resourceGroup?: string;
  amount: number;
  /** `Monthly`, `Quarterly`, `Annually`, … as Azure names it. */
  timeGrain: string;
  startDate: string;
  endDate?: string;
  /** Actual spend in the current period, as Azure reports it, and its currency. */
  currentSpend?: { amount: number; unit: string };
  forecastSpend?: { amount: number; unit: string };
  /** Azure's notification thresholds, e.g. `actual 80%`. */
  notifications: Array<{
    operator: string;
    threshold: number;
    thresholdType: string;
  }>;
  /** When the portal last read it (ISO 8601). */
  readAt: string;
}

/**
 * A notification the portal sent (or would have sent, while muted) about spend.
 *
 * @public
 */
export interface SpendAlert {
  id: string;
  kind: 'threshold' | 'anomaly';
  budgetId?: string;
  budgetName?: string;
  /** For a threshold: the threshold crossed. */
  threshold?: BudgetThreshold;
  /** The budget period (`YYYY-MM-DD`) of a threshold, or the day of an anomaly. */
  periodStart?: string;
  day?: string;
  /** What the alert is about, e.g. a budget's owner or a subscription's entity ref. */
  scopeRef: string;
  /** The entity refs notified. */
  recipients: string[];
  title: string;
  description: string;
  /** The notification's link, relative to the portal, e.g. to the Spend tab. */
  link: string;
  /** `sent`; `muted` when the budget was muted; `failed` when the notifications service refused (retried). */
  delivery: 'sent' | 'muted' | 'failed' | 'pending';
  createdAt: string;
}

/**
 * A team's (or any owner's) spend in one month, for showback.
 *
 * @public
 */
export interface ShowbackRow {
  /** `YYYY-MM`. */
  month: string;
  /** The owner's entity ref; `unallocated` for spend that no team owns. */
  owner: string;
  currency: string;
  amount: number;
  /** How many resources the amount covers. */
  resourceCount: number;
}

/**
 * The showback of a range of months: every owner's spend, and the unallocated rest, so that for each month and
 * currency the rows add up to all the spend of the connected subscriptions.
 *
 * @public
 */
export interface ShowbackReport {
  /** First and last month, `YYYY-MM`, inclusive. */
  from: string;
  to: string;
  rows: ShowbackRow[];
  /** All the spend of each month and currency, for checking. */
  totals: Array<{ month: string; currency: string; amount: number }>;
  /** How unallocated spend was decided, for the page to explain. */
  notes: string[];
}

/**
 * An Azure Advisor cost recommendation on a synced resource.
 *
 * @public
 */
export interface SavingsRecommendation {
  /** Advisor's recommendation id (its resource id). */
  id: string;
  resourceId: string;
  subscriptionId: string;
  /** `High`, `Medium` or `Low`. */
  impact: string;
  problem: string;
  solution: string;
  /** Estimated saving per month, in `currency`; absent when Advisor gives none. */
  monthlySavings?: number;
  currency?: string;
  lastUpdated: string;
}

/**
 * The savings of a subscription, a resource or an entity (what it owns): its recommendations and their sum per
 * currency.
 *
 * @public
 */
export interface SavingsReport {
  recommendations: SavingsRecommendation[];
  totals: Array<{ currency: string; monthlySavings: number }>;
  /** When recommendations were last read from Azure for the subscriptions concerned (ISO 8601). */
  readAt?: string;
  /**
   * What the report cannot show, in words: a subscription whose last read from Azure failed (its earlier
   * recommendations are shown), one not read yet, an entity that owns no Azure resources.
   */
  notes?: string[];
}
