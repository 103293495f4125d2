import {
  SpendAggregate,
  SpendStore,
  SpendSyncState,
} from '../spend/SpendStore';
import { ResolvedBudgetScope } from './BudgetScopeResolver';

/** One day's spend in one currency. */
interface DayAmount {
  day: string;
  currency: string;
  amount: number;
}

/** What the spend sync has read of a scope's subscriptions. */
export interface ScopeSpendCoverage {
  /** The subscriptions whose spend the scope needs (its own, its resource groups' and its resources'). */
  subscriptionIds: string[];
  /** The last day whose spend is read for every one of them that has been synced at all. */
  spendThrough?: string;
  /** The first day from which every one of them has spend read. */
  readFrom?: string;
}

const subscriptionKey = (id: string) => `s:${id}`;
const groupKey = (subscriptionId: string, resourceGroup: string) =>
  `g:${subscriptionId}/${resourceGroup}`;
const resourceKey = (key: string) => `r:${key}`;

function subscriptionOfResource(key: string): string | undefined {
  return /^\/subscriptions\/([^/]+)/.exec(key)?.[1];
}

/** The subscriptions whose spend a scope's figures come from. */
export function scopeSubscriptions(scope: ResolvedBudgetScope): string[] {
  const ids = new Set(scope.subscriptionIds);
  for (const group of scope.resourceGroups) ids.add(group.subscriptionId);
  for (const key of scope.resourceKeys) {
    const id = subscriptionOfResource(key);
    if (id) ids.add(id);
  }
  return [...ids];
}

/**
 * The daily spend of many budget scopes, read once: the sums per day and currency of each subscription, resource
 * group and resource that any of them covers, and how far each subscription's spend sync has read.
 */
export class ScopeSpend {
  constructor(
    private readonly days: Map<string, DayAmount[]>,
    private readonly states: Map<string, SpendSyncState>,
  ) {}

  private *partsOf(scope: ResolvedBudgetScope): Iterable<string> {
    for (const id of scope.subscriptionIds) yield subscriptionKey(id);
    for (const group of scope.resourceGroups) {
      yield groupKey(group.subscriptionId, group.resourceGroup);
    }
    for (const key of scope.resourceKeys) yield resourceKey(key);
  }

  /** The scope's spend per currency over the days `from`..`to` (both included). */
  sum(
    scope: ResolvedBudgetScope,
    from: string,
    to: string,
  ): Map<string, number> {
    const sums = new Map<string, number>();
    if (from > to) return sums;
    for (const part of this.partsOf(scope)) {
      const days = this.days.get(part);
      if (!days) continue;
      // Days are sorted: find the first one in range by bisection, then walk to the end of the range.
      let low = 0;
      let high = days.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (days[middle].day < from) low = middle + 1;
        else high = middle;
      }
      for (let i = low; i < days.length && days[i].day <= to; i++) {
        const { currency, amount } = days[i];
        sums.set(currency, (sums.get(currency) ?? 0) + amount);
      }
    }
    return sums;
  }

  /** How far the spend sync has read the scope's subscriptions; without `spendThrough` when none was synced yet. */
  coverage(scope: ResolvedBudgetScope): ScopeSpendCoverage {
    const subscriptionIds = scopeSubscriptions(scope);
    let spendThrough: string | undefined;
    let readFrom: string | undefined;
    for (const id of subscriptionIds) {
      const state = this.states.get(id);
      if (!state?.syncedThrough) continue;
      // The figures are complete up to the least advanced subscription.
      if (spendThrough === undefined || state.syncedThrough < spendThrough) {
        spendThrough = state.syncedThrough;
      }
      const from = state.backfilledFrom ?? state.syncedThrough;
      if (readFrom === undefined || from > readFrom) readFrom = from;
    }
    return {
      subscriptionIds,
      ...(spendThrough ? { spendThrough } : {}),
      ...(readFrom ? { readFrom } : {}),
    };
  }
}

/** Options for {@link ScopeSpendReader}. */
export interface ScopeSpendReaderOptions {
  store: Pick<SpendStore, 'aggregate' | 'listSyncStates'>;
}

/**
 * Reads the daily spend of many budget scopes at once, through the spend store's sums: one query per 500
 * subscriptions for whole subscriptions (daily totals), one for the subscriptions of resource groups (daily totals by
 * resource group), one per 500 resources (daily rows), whatever the number of budgets.
 */
export class ScopeSpendReader {
  constructor(private readonly options: ScopeSpendReaderOptions) {}

  async read(
    scopes: ResolvedBudgetScope[],
    range: { from: string; to: string },
  ): Promise<ScopeSpend> {
    const { store } = this.options;
    const subscriptionIds = new Set<string>();
    const groups = new Set<string>();
    const groupSubscriptions = new Set<string>();
    const resourceKeys = new Set<string>();
    const synced = new Set<string>();
    for (const scope of scopes) {
      for (const id of scope.subscriptionIds) subscriptionIds.add(id);
      for (const group of scope.resourceGroups) {
        groups.add(groupKey(group.subscriptionId, group.resourceGroup));
        groupSubscriptions.add(group.subscriptionId);
      }
      for (const key of scope.resourceKeys) resourceKeys.add(key);
      for (const id of scopeSubscriptions(scope)) synced.add(id);
    }

    const days = new Map<string, DayAmount[]>();
    const add = (key: string, aggregate: SpendAggregate) => {
      if (!aggregate.bucket) return;
      const list = days.get(key) ?? [];
      list.push({
        day: aggregate.bucket,
        currency: aggregate.currency,
        amount: aggregate.amount,
      });
      days.set(key, list);
    };
    const { from, to } = range;

    if (subscriptionIds.size > 0) {
      const sums = await store.aggregate({
        scope: { subscriptionIds: [...subscriptionIds], resourceKeys: [] },
        from,
        to,
        granularity: 'day',
        dimension: 'none',
        perSubscription: true,
      });
      for (const sum of sums) {
        if (sum.subscriptionId) add(subscriptionKey(sum.subscriptionId), sum);
      }
    }
    if (groups.size > 0) {
      const sums = await store.aggregate({
        scope: { subscriptionIds: [...groupSubscriptions], resourceKeys: [] },
        from,
        to,
        granularity: 'day',
        dimension: 'resourceGroup',
        perSubscription: true,
      });
      for (const sum of sums) {
        if (!sum.subscriptionId || sum.key === undefined) continue;
        const key = groupKey(sum.subscriptionId, sum.key);
        if (groups.has(key)) add(key, sum);
      }
    }
    if (resourceKeys.size > 0) {
      const sums = await store.aggregate({
        scope: { subscriptionIds: [], resourceKeys: [...resourceKeys] },
        from,
        to,
        granularity: 'day',
        dimension: 'resource',
      });
      for (const sum of sums) {
        if (sum.key !== undefined) add(resourceKey(sum.key), sum);
      }
    }
    for (const list of days.values()) {
      list.sort((a, b) => (a.day < b.day ? -1 : Number(a.day > b.day)));
    }

    const states = new Map<string, SpendSyncState>();
    for (const state of await store.listSyncStates([...synced])) {
      states.set(state.subscriptionId.toLowerCase(), state);
    }
    return new ScopeSpend(days, states);
  }
}
