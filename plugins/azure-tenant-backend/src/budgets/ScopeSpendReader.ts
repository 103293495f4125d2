import { addDays } from '../spend/spendDays';
import { SpendAggregate, SpendStore } from '../spend/SpendStore';
import { ResolvedBudgetScope } from './BudgetScopeResolver';

/** A range of days, both included. */
export interface DayRange {
  from: string;
  to: string;
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

/** A sum of one segment of days (from `start` to the next segment's start) in one currency. */
interface SegmentAmount {
  start: string;
  currency: string;
  amount: number;
}

const subscriptionKey = (id: string) => `s:${id}`;
const groupKey = (subscriptionId: string, resourceGroup: string) =>
  `g:${subscriptionId}/${resourceGroup}`;
const resourceKey = (key: string) => `r:${key}`;

/** The subscriptions whose spend a scope's figures come from. */
export function scopeSubscriptions(scope: ResolvedBudgetScope): string[] {
  const ids = new Set(scope.subscriptionIds);
  for (const group of scope.resourceGroups) ids.add(group.subscriptionId);
  for (const key of scope.resourceKeys) {
    const id = /^\/subscriptions\/([^/]+)/.exec(key)?.[1];
    if (id) ids.add(id);
  }
  return [...ids];
}

/**
 * The spend of many budget scopes, read once: for each subscription, resource group and resource that any of them
 * covers, its sums per currency over the segments of days between the bounds of the ranges that were asked for.
 */
export class ScopeSpend {
  constructor(
    private readonly segments: Map<string, SegmentAmount[]>,
    private readonly bounds: ReadonlySet<string>,
  ) {}

  private *partsOf(scope: ResolvedBudgetScope): Iterable<string> {
    for (const id of scope.subscriptionIds) yield subscriptionKey(id);
    for (const group of scope.resourceGroups) {
      yield groupKey(group.subscriptionId, group.resourceGroup);
    }
    for (const key of scope.resourceKeys) yield resourceKey(key);
  }

  /**
   * The scope's spend per currency over `from`..`to` (both included): one of the ranges it was read for, or a range
   * between their bounds.
   */
  sum(scope: ResolvedBudgetScope, range: DayRange): Map<string, number> {
    const { from, to } = range;
    const sums = new Map<string, number>();
    if (from > to) return sums;
    if (!this.bounds.has(from) || !this.bounds.has(addDays(to, 1))) {
      throw new Error(`${from}..${to} is not a range the spend was read for`);
    }
    for (const part of this.partsOf(scope)) {
      const segments = this.segments.get(part);
      if (!segments) continue;
      for (const { start, currency, amount } of segments) {
        if (start >= from && start <= to) {
          sums.set(currency, (sums.get(currency) ?? 0) + amount);
        }
      }
    }
    return sums;
  }
}

/** Options for {@link ScopeSpendReader}. */
export interface ScopeSpendReaderOptions {
  store: Pick<SpendStore, 'aggregate' | 'listSyncStates'>;
}

/**
 * Reads the spend of many budget scopes at once, through the spend store: the sync states of their subscriptions
 * in one query, then sums per segment of days for whole subscriptions (one query per 500, from the daily totals),
 * for resource groups (one per 500 of their subscriptions, from the daily totals by resource group) and for single
 * resources (one per 500, from the daily rows), whatever the number of budgets. Summing by segments between the
 * bounds of the ranges the budgets need, rather than by day, keeps the rows read to a few per resource.
 */
export class ScopeSpendReader {
  constructor(private readonly options: ScopeSpendReaderOptions) {}

  /** How far the spend sync has read the subscriptions of each scope. */
  async coverage(scopes: ResolvedBudgetScope[]): Promise<ScopeSpendCoverage[]> {
    const all = new Set(scopes.flatMap(scopeSubscriptions));
    const states = new Map(
      (await this.options.store.listSyncStates([...all])).map(state => [
        state.subscriptionId.toLowerCase(),
        state,
      ]),
    );
    return scopes.map(scope => {
      const subscriptionIds = scopeSubscriptions(scope);
      let spendThrough: string | undefined;
      let readFrom: string | undefined;
      for (const id of subscriptionIds) {
        const state = states.get(id);
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
    });
  }

  /** The spend of the scopes, read so that each of `ranges` (of any scope) can be summed. */
  async read(
    scopes: ResolvedBudgetScope[],
    ranges: DayRange[],
  ): Promise<ScopeSpend> {
    const wanted = ranges.filter(range => range.from <= range.to);
    const bounds = new Set<string>();
    for (const { from, to } of wanted) {
      bounds.add(from);
      bounds.add(addDays(to, 1));
    }
    const segments = new Map<string, SegmentAmount[]>();
    if (wanted.length === 0) return new ScopeSpend(segments, bounds);
    const segmentStarts = [...bounds].sort();
    const from = segmentStarts[0];
    const to = wanted.reduce((last, r) => (r.to > last ? r.to : last), from);

    const subscriptionIds = new Set<string>();
    const groups = new Set<string>();
    const groupSubscriptions = new Set<string>();
    const resourceKeys = new Set<string>();
    for (const scope of scopes) {
      for (const id of scope.subscriptionIds) subscriptionIds.add(id);
      for (const group of scope.resourceGroups) {
        groups.add(groupKey(group.subscriptionId, group.resourceGroup));
        groupSubscriptions.add(group.subscriptionId);
      }
      for (const key of scope.resourceKeys) resourceKeys.add(key);
    }

    const add = (key: string, aggregate: SpendAggregate) => {
      if (!aggregate.bucket) return;
      const list = segments.get(key) ?? [];
      list.push({
        start: aggregate.bucket,
        currency: aggregate.currency,
        amount: aggregate.amount,
      });
      segments.set(key, list);
    };
    const sums = { from, to, granularity: 'segment' as const, segmentStarts };
    const { store } = this.options;

    if (subscriptionIds.size > 0) {
      for (const sum of await store.aggregate({
        ...sums,
        scope: { subscriptionIds: [...subscriptionIds], resourceKeys: [] },
        dimension: 'none',
        perSubscription: true,
      })) {
        if (sum.subscriptionId) add(subscriptionKey(sum.subscriptionId), sum);
      }
    }
    if (groups.size > 0) {
      for (const sum of await store.aggregate({
        ...sums,
        scope: { subscriptionIds: [...groupSubscriptions], resourceKeys: [] },
        dimension: 'resourceGroup',
        perSubscription: true,
      })) {
        if (!sum.subscriptionId || sum.key === undefined) continue;
        const key = groupKey(sum.subscriptionId, sum.key);
        if (groups.has(key)) add(key, sum);
      }
    }
    if (resourceKeys.size > 0) {
      for (const sum of await store.aggregate({
        ...sums,
        scope: { subscriptionIds: [], resourceKeys: [...resourceKeys] },
        dimension: 'resource',
      })) {
        if (sum.key !== undefined) add(resourceKey(sum.key), sum);
      }
    }
    return new ScopeSpend(segments, bounds);
  }
}
