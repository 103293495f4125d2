import { FixtureCosts } from '../model/fixture';
import { SubscriptionState } from '../model/EmulatorState';
import { ResourceRecord } from '../model/ResourceRecord';
import { resourceTypeInfo } from '../model/resourceTypeCatalog';
import { hashString, unitInterval } from '../model/seededRandom';
import {
  ActiveCostScenario,
  CostScenario,
  scenarioFactors,
} from './costScenarios';

const DAY_MS = 86_400_000;

/** Converts between dates and day numbers (days since 1970-01-01, UTC). */
export function dayNumberOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** `YYYYMMDD` as a number, as Cost Management's `UsageDate` column has it. */
export function usageDateOf(day: number): number {
  const d = new Date(day * DAY_MS);
  return (
    d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate()
  );
}

/** Parses `YYYY-MM-DD` (or a full ISO timestamp) into a day number. */
export function parseDay(value: string): number {
  const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) throw new Error(`Invalid date '${value}'`);
  return dayNumberOf(ms);
}

/** Exchange rates from USD used for billing currencies. */
const USD_RATE: Record<string, number> = {
  USD: 1,
  EUR: 0.92,
  GBP: 0.79,
  JPY: 151,
  CHF: 0.88,
};

/** Options for {@link CostModel}. */
export interface CostModelOptions {
  costs?: FixtureCosts;
  /** "Now", for the end of history. */
  now: () => number;
}

/**
 * Computes each resource's daily cost on demand from a seeded function: a base cost (from a
 * profile or the resource type), weekly seasonality, a slow trend and noise. Nothing is stored
 * per day, so 200,000 resources over 90 days cost no memory. Explicit rows override a resource.
 */
export class CostModel {
  private readonly seed: number;
  private readonly historyDays: number;
  private readonly profiles = new Map<
    string,
    { dailyCost: number; weekendFactor: number; noise: number }
  >();
  private readonly rows = new Map<string, Map<number, number>>();
  private readonly now: () => number;
  /** Switched on through the control API; a reset brings a new model, and so none. */
  private readonly scenarios: ActiveCostScenario[] = [];
  private scenarioCount = 0;

  constructor(options: CostModelOptions) {
    const costs = options.costs ?? {};
    this.seed = costs.seed ?? 1;
    this.historyDays = costs.historyDays ?? 120;
    this.now = options.now;
    for (const profile of costs.profiles ?? []) {
      this.profiles.set(profile.resourceId.toLowerCase(), {
        dailyCost: profile.dailyCost,
        weekendFactor: profile.weekendFactor ?? 0.85,
        noise: profile.noise ?? 0.1,
      });
    }
    for (const row of costs.rows ?? []) {
      const id = row.resourceId.toLowerCase();
      const byDay = this.rows.get(id) ?? new Map<number, number>();
      byDay.set(
        parseDay(row.date),
        (byDay.get(parseDay(row.date)) ?? 0) + row.cost,
      );
      this.rows.set(id, byDay);
    }
  }

  /** The last day with cost data: today (UTC). */
  get today(): number {
    return dayNumberOf(this.now());
  }

  /** The first day with cost data. */
  get firstDay(): number {
    return this.today - this.historyDays;
  }

  /** Switches a cost scenario on; see {@link CostScenario}. */
  addScenario(scenario: CostScenario & { from: string }): ActiveCostScenario {
    this.scenarioCount++;
    const active = { ...scenario, id: `scenario-${this.scenarioCount}` };
    this.scenarios.push(active);
    return active;
  }

  /** The scenarios switched on, oldest first. */
  listScenarios(): ActiveCostScenario[] {
    return this.scenarios.map(s => ({ ...s }));
  }

  /** Switches one scenario off (returns whether it was on), or all of them when no id is given. */
  removeScenarios(id?: string): boolean {
    if (id === undefined) {
      const had = this.scenarios.length > 0;
      this.scenarios.length = 0;
      return had;
    }
    const index = this.scenarios.findIndex(s => s.id === id);
    if (index < 0) return false;
    this.scenarios.splice(index, 1);
    return true;
  }

  /** The USD exchange rate of a currency. */
  rateFor(currency: string): number {
    return USD_RATE[currency.toUpperCase()] ?? 1;
  }

  /** The resource's cost on the day, in the subscription's currency. */
  dailyCost(
    subscription: SubscriptionState,
    resource: ResourceRecord,
    day: number,
  ): number {
    return this.dailyCosts(subscription, resource)(day);
  }

  /**
   * The resource's cost per day, as {@link CostModel.dailyCost} computes it, with what does not depend on the day
   * worked out once: for queries that ask for many days of many resources.
   */
  dailyCosts(
    subscription: SubscriptionState,
    resource: ResourceRecord,
  ): (day: number) => number {
    const today = this.today;
    const firstDay = this.firstDay;
    const id = resource.id.toLowerCase();
    const explicit = this.rows.get(id);
    const factor = scenarioFactors(this.scenarios, subscription, resource);
    if (explicit) {
      return day =>
        day > today || day < firstDay
          ? 0
          : (explicit.get(day) ?? 0) * (factor ? factor(day) : 1);
    }
    const created = dayNumberOf(Date.parse(resource.createdTime));
    const modelled = this.modelledCosts(subscription, resource, firstDay);
    return day =>
      day > today || day < firstDay || day < created ? 0 : modelled(day, true);
  }

  /** The modelled cost, also used (without the history window) by forecasts. */
  modelledCost(
    subscription: SubscriptionState,
    resource: ResourceRecord,
    day: number,
    withNoise: boolean,
  ): number {
    return this.modelledCosts(
      subscription,
      resource,
      this.firstDay,
    )(day, withNoise);
  }

  /** {@link CostModel.modelledCost} of one resource, with what does not depend on the day worked out once. */
  private modelledCosts(
    subscription: SubscriptionState,
    resource: ResourceRecord,
    firstDay: number,
  ): (day: number, withNoise: boolean) => number {
    const id = resource.id.toLowerCase();
    const key = hashString(id);
    const profile = this.profiles.get(id);
    const info = resourceTypeInfo(resource.type);
    const base =
      profile?.dailyCost ??
      info.dailyCost * (0.35 + 2 * unitInterval(this.seed, key, 7));
    const weekendFactor =
      profile?.weekendFactor ??
      (info.type.includes('virtualMachines') ? 0.7 : 0.9);
    const slope = unitInterval(this.seed, key, 11) - 0.3;
    const noiseLevel = profile?.noise ?? 0.1;
    const rate = profile ? 1 : this.rateFor(subscription.currency);
    const factor = scenarioFactors(this.scenarios, subscription, resource);
    return (day, withNoise) => {
      const weekday = new Date(day * DAY_MS).getUTCDay();
      const season =
        weekday === 0 || weekday === 6
          ? weekendFactor
          : 1 + 0.04 * (weekday === 2 || weekday === 3 ? 1 : 0);
      const trend = 1 + 0.0015 * (day - firstDay) * slope;
      const noise = withNoise
        ? 1 + noiseLevel * (2 * unitInterval(this.seed, key, day) - 1)
        : 1;
      const scenario = factor ? factor(day) : 1;
      return Math.max(0, base * season * trend * noise * rate * scenario);
    };
  }
}
