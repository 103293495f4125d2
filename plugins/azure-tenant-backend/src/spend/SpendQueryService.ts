import {
  AzureDataStaleness,
  SpendGranularity,
  SpendGroup,
  SpendGroupBy,
  SpendPoint,
  SpendReport,
  SpendSeries,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  SpendAggregate,
  SpendDimension,
  SpendScope,
  SpendStore,
  SpendSubscription,
  SpendSyncState,
} from './SpendStore';
import { addDays, dayOf, daysIn, eachDay, monthOf } from './spendDays';
import { stopsSync } from '../azure/accessProblems';
import { AzureTenantStore } from '../database/AzureTenantStore';
import { ComplianceReader } from '../governance/ComplianceStore';

/** A validated spend query, with its defaults filled in. */
export type NormalizedSpendQuery = SpendReport['query'];

/** The group of amounts beyond the top N. */
export const OTHER_GROUP = 'other';
/** The group of amounts whose resource has no value for the tag. */
export const UNTAGGED_GROUP = 'untagged';
/** The group of amounts with no service, resource group, resource or location. */
export const UNASSIGNED_GROUP = 'unassigned';

/** The subscription id in a lower-cased resource id, if any. */
function subscriptionOfResource(resourceKey: string): string | undefined {
  return /^\/subscriptions\/([^/]+)/.exec(resourceKey)?.[1];
}

/** Every bucket of the period, in order. */
function bucketsOf(
  from: string,
  to: string,
  granularity: SpendGranularity,
): string[] {
  const buckets: string[] = [];
  for (const day of eachDay(from, to)) {
    const bucket = granularity === 'month' ? monthOf(day) : day;
    if (buckets[buckets.length - 1] !== bucket) buckets.push(bucket);
  }
  return buckets;
}

function dimensionOf(groupBy: SpendGroupBy): SpendDimension {
  return groupBy.startsWith('tag:') ? 'tag' : (groupBy as SpendDimension);
}

/** Subscriptions whose sync mode keeps no tags, so that their spend cannot be grouped by tag. */
function withoutTags(subscriptions: SpendSubscription[]): SpendSubscription[] {
  return subscriptions.filter(
    s => s.syncMode === 'no-tags' || s.syncMode === 'none',
  );
}

/** Options for {@link SpendQueryService}. */
export interface SpendQueryServiceOptions {
  store: SpendStore;
  /** The subscriptions' access states: a report on spend that cannot be refreshed says why, and since when. */
  access?: Pick<AzureTenantStore, 'getSubscriptions'>;
  /**
   * The tag compliance evaluation's results: a subscription's report then says how much of its spend is unallocated
   * (`SpendReport.unallocated`). Without it, reports have no such field.
   */
  compliance?: Pick<ComplianceReader, 'unownedResourceKeys' | 'summary'>;
  /** The clock; tests move it. Defaults to the system clock. */
  now?: () => Date;
}

/**
 * Builds a {@link SpendReport} from stored spend. The sums are done by the database (GROUP BY day or month, group
 * and currency); only the groups are ranked here. Amounts in different currencies stay in different series.
 */
export class SpendQueryService {
  private readonly store: SpendStore;
  private readonly now: () => Date;
  private readonly access: SpendQueryServiceOptions['access'];
  private readonly compliance: SpendQueryServiceOptions['compliance'];

  constructor(options: SpendQueryServiceOptions) {
    this.store = options.store;
    this.access = options.access;
    this.compliance = options.compliance;
    this.now = options.now ?? (() => new Date());
  }

  async report(
    query: NormalizedSpendQuery,
    scope: SpendScope,
    extraNotes: string[] = [],
  ): Promise<SpendReport> {
    const report = await this.buildReport(query, scope, extraNotes);
    const staleness = await this.staleness(scope, report);
    const unallocated = await this.unallocated(query, report);
    return {
      ...report,
      ...(staleness ? { staleness } : {}),
      ...(unallocated ? { unallocated } : {}),
    };
  }

  /**
   * Of a subscription's spend over the query's range, per currency: the part of the resources whose owner tag names
   * no catalog group or user (as the compliance evaluation found) and of the spend not tied to a resource, with how
   * many such resources had spend. Undefined when the subscription's tags are not kept, or before its resources'
   * compliance has been evaluated (every resource would otherwise count as owned).
   */
  private async unallocated(
    query: NormalizedSpendQuery,
    report: SpendReport,
  ): Promise<SpendReport['unallocated']> {
    const { subscriptionId } = query;
    if (!this.compliance || !subscriptionId || report.status !== 'ok') {
      return undefined;
    }
    const subscriptions = await this.store.getSubscriptions([subscriptionId]);
    if (subscriptions.length !== 1 || withoutTags(subscriptions).length > 0) {
      return undefined;
    }
    const unowned = await this.compliance.unownedResourceKeys(subscriptionId);
    if (unowned.size === 0) {
      const { current } = await this.compliance.summary(
        { kind: 'subscription', subscriptionId },
        1,
      );
      if (current.resources + current.unknown === 0) {
        report.notes.push(
          "The unallocated part of the spend is shown once the tag compliance of the subscription's resources has been evaluated.",
        );
        return undefined;
      }
    }
    // One sum per resource (and currency) over the range, done by the database.
    const perResource = await this.store.aggregate({
      scope: { subscriptionIds: [subscriptionId], resourceKeys: [] },
      from: query.from,
      to: query.to,
      dimension: 'resource',
    });
    // Every currency of the report, so that one with nothing unallocated says 0.
    const byCurrency = new Map(
      report.series.map(s => [
        s.currency,
        { total: 0, resources: new Set<string>() },
      ]),
    );
    for (const { key = '', currency, amount } of perResource) {
      if (key !== '' && !unowned.has(key)) continue;
      let entry = byCurrency.get(currency);
      if (!entry) {
        entry = { total: 0, resources: new Set() };
        byCurrency.set(currency, entry);
      }
      entry.total += amount;
      if (key !== '') entry.resources.add(key);
    }
    return [...byCurrency.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, { total, resources }]) => ({
        currency,
        total,
        resources: resources.size,
      }));
  }

  /**
   * Why the spend shown cannot be refreshed: the access problem of a subscription in the scope that stops its spend
   * sync (the first, when several), with the time its spend was last read. Each such subscription gets a note.
   */
  private async staleness(
    scope: SpendScope,
    report: SpendReport,
  ): Promise<AzureDataStaleness | undefined> {
    if (!this.access) return undefined;
    const subscriptionIds = [
      ...new Set([
        ...scope.subscriptionIds,
        ...scope.resourceKeys.flatMap(k => subscriptionOfResource(k) ?? []),
      ]),
    ];
    if (subscriptionIds.length === 0) return undefined;
    const lost = (await this.access.getSubscriptions(subscriptionIds)).filter(
      s => s.access && stopsSync(s.access.problem),
    );
    if (lost.length === 0) return undefined;
    const states = await this.store.listSyncStates(
      lost.map(s => s.subscriptionId),
    );
    for (const subscription of lost) {
      report.notes.push(
        `The spend of subscription ${
          subscription.subscriptionId
        } cannot be refreshed: ${subscription.access!.message}`,
      );
    }
    const [first] = lost;
    const lastSyncedAt = states.find(
      s => s.subscriptionId === first.subscriptionId,
    )?.lastSyncedAt;
    return {
      access: first.access!,
      ...(lastSyncedAt ? { lastSuccessfulSyncAt: lastSyncedAt } : {}),
    };
  }

  private async buildReport(
    query: NormalizedSpendQuery,
    scope: SpendScope,
    extraNotes: string[] = [],
  ): Promise<SpendReport> {
    const notes = [...extraNotes];
    const subscriptionIds = [
      ...new Set([
        ...scope.subscriptionIds,
        ...scope.resourceKeys.flatMap(k => subscriptionOfResource(k) ?? []),
      ]),
    ];
    const states = await this.store.listSyncStates(subscriptionIds);
    const synced = states.filter(s => s.lastSyncedAt);
    if (subscriptionIds.length === 0) {
      return { query, status: 'ok', series: [], notes };
    }
    if (synced.length === 0) {
      notes.push(
        'Spend has not been synced from Azure Cost Management yet; it appears after the first spend sync.',
      );
      return { query, status: 'pending', series: [], notes };
    }
    if (synced.length < subscriptionIds.length) {
      const pending = subscriptionIds.filter(
        id => !synced.some(s => s.subscriptionId === id),
      );
      notes.push(
        `Spend of ${
          pending.length === 1 ? 'subscription' : 'subscriptions'
        } ${pending.join(', ')} has not been synced yet and is not included.`,
      );
    }
    const subscriptions = await this.store.getSubscriptions(subscriptionIds);

    const { from, to, granularity, groupBy, top } = query;
    const previousFrom = addDays(from, -daysIn(from, to));
    const dimension = dimensionOf(groupBy);

    // The parts of the scope to aggregate. Grouped by tag, what has no tags (subscriptions in the sync modes no-tags
    // and none, and their resources) is aggregated without a dimension and shown as untagged.
    const parts: Array<{
      scope: SpendScope;
      dimension: SpendDimension;
      tagKey?: string;
    }> = [];
    if (dimension === 'tag') {
      const untagged = new Set(
        withoutTags(subscriptions).map(s => s.subscriptionId),
      );
      const hasNoTags = (id: string | undefined) =>
        id !== undefined && untagged.has(id);
      parts.push({
        scope: {
          subscriptionIds: scope.subscriptionIds.filter(id => !hasNoTags(id)),
          resourceKeys: scope.resourceKeys.filter(
            key => !hasNoTags(subscriptionOfResource(key)),
          ),
        },
        dimension,
        tagKey: groupBy.slice('tag:'.length),
      });
      const withoutTagsScope = {
        subscriptionIds: scope.subscriptionIds.filter(hasNoTags),
        resourceKeys: scope.resourceKeys.filter(key =>
          hasNoTags(subscriptionOfResource(key)),
        ),
      };
      if (
        withoutTagsScope.subscriptionIds.length > 0 ||
        withoutTagsScope.resourceKeys.length > 0
      ) {
        parts.push({ scope: withoutTagsScope, dimension: 'none' });
      }
    } else {
      parts.push({ scope, dimension });
    }
    const aggregate = async (options: {
      from: string;
      granularity?: SpendGranularity;
      previousFrom?: string;
      keep?: Record<string, string[]>;
    }): Promise<SpendAggregate[]> => {
      const results = await Promise.all(
        parts.map(part => this.store.aggregate({ ...part, to, ...options })),
      );
      return results.flat();
    };

    // First the total of each group in the period and in the previous one (in one query), to rank them; then the
    // buckets of the kept groups, with the rest summed by the database into one amount per bucket.
    const bothPeriods = await aggregate({ from, previousFrom });
    const periodTotals = bothPeriods.filter(a => !a.previous);
    const previous = bothPeriods.filter(a => a.previous);

    const groupKey = await this.groupKeys(
      groupBy,
      [...periodTotals, ...previous],
      subscriptions,
      notes,
    );

    const currencies = [
      ...new Set([...periodTotals, ...previous].map(a => a.currency)),
    ].sort();
    if (currencies.length > 1) {
      notes.push(
        `The spend is in ${currencies.length} currencies (${currencies.join(
          ', ',
        )}); each is shown on its own and they are never added up.`,
      );
    }

    const rankings = new Map(
      currencies.map(currency => {
        const totals = new Map<string, number>();
        const previousTotals = new Map<string, number>();
        for (const a of periodTotals) {
          if (a.currency !== currency) continue;
          const key = groupKey(a);
          totals.set(key, (totals.get(key) ?? 0) + a.amount);
        }
        for (const a of previous) {
          if (a.currency !== currency) continue;
          const key = groupKey(a);
          previousTotals.set(key, (previousTotals.get(key) ?? 0) + a.amount);
        }
        const ranked = [...totals.entries()].sort(
          ([ka, a], [kb, b]) => b - a || ka.localeCompare(kb),
        );
        const kept = new Set(ranked.slice(0, top).map(([key]) => key));
        // The stored keys of the kept groups (a group may gather more than one, such as '' and none for untagged).
        const keptKeys = [
          ...new Set(
            periodTotals
              .filter(
                a =>
                  a.currency === currency &&
                  a.key !== undefined &&
                  kept.has(groupKey(a)),
              )
              .map(a => a.key!),
          ),
        ];
        return [currency, { ranked, kept, keptKeys, previousTotals }] as const;
      }),
    );
    const current = await aggregate({
      from,
      granularity,
      keep: Object.fromEntries(
        [...rankings].map(([currency, r]) => [currency, r.keptKeys]),
      ),
    });

    const forecasts = await this.forecasts(query, scope, synced, notes);
    const buckets = bucketsOf(from, to, granularity);

    const series: SpendSeries[] = currencies.map(currency => {
      const { ranked, kept, previousTotals } = rankings.get(currency)!;
      const shown = (a: SpendAggregate) => {
        if (a.rest) return OTHER_GROUP;
        const key = groupKey(a);
        return kept.has(key) ? key : OTHER_GROUP;
      };

      const total = ranked.reduce((sum, [, amount]) => sum + amount, 0);
      const previousTotal = [...previousTotals.values()].reduce(
        (sum, amount) => sum + amount,
        0,
      );

      const groups: SpendGroup[] = ranked
        .slice(0, top)
        .map(([key, amount]) => ({
          key,
          total: amount,
          share: total === 0 ? 0 : amount / total,
          ...(previousTotals.has(key)
            ? { previousTotal: previousTotals.get(key) }
            : {}),
        }));
      if (ranked.length > top) {
        const otherTotal = ranked
          .slice(top)
          .reduce((sum, [, amount]) => sum + amount, 0);
        const otherPrevious = [...previousTotals.entries()].filter(
          ([key]) => !kept.has(key),
        );
        groups.push({
          key: OTHER_GROUP,
          total: otherTotal,
          share: total === 0 ? 0 : otherTotal / total,
          ...(otherPrevious.length > 0
            ? {
                previousTotal: otherPrevious.reduce(
                  (sum, [, amount]) => sum + amount,
                  0,
                ),
              }
            : {}),
        });
      }

      const groupKeys = groups.map(g => g.key);
      const points = new Map<string, SpendPoint>(
        buckets.map(bucket => [
          bucket,
          {
            date: bucket,
            amounts: Object.fromEntries(groupKeys.map(key => [key, 0])),
          },
        ]),
      );
      for (const a of current) {
        if (a.currency !== currency || !a.bucket) continue;
        const point = points.get(a.bucket);
        if (!point) continue;
        const key = shown(a);
        point.amounts[key] = (point.amounts[key] ?? 0) + a.amount;
      }

      const forecast = forecasts.get(currency);
      return {
        currency,
        total,
        previousTotal,
        ...(previousTotal !== 0
          ? { change: (total - previousTotal) / previousTotal }
          : {}),
        groups,
        points: [...points.values()],
        ...(forecast ? { forecast } : {}),
      };
    });

    const syncedAt = synced
      .map(s => s.lastSyncedAt!)
      .sort()
      .at(0);
    return {
      query,
      status: 'ok',
      series,
      notes,
      ...(syncedAt ? { syncedAt } : {}),
    };
  }

  /** How an aggregate's raw key becomes the key of its group. */
  private async groupKeys(
    groupBy: SpendGroupBy,
    aggregates: SpendAggregate[],
    subscriptions: SpendSubscription[],
    notes: string[],
  ): Promise<(a: SpendAggregate) => string> {
    if (groupBy === 'resource') {
      const resourceKeys = [
        ...new Set(aggregates.map(a => a.key ?? '').filter(Boolean)),
      ];
      // Show Azure's casing of the id when the resource sync knows it.
      const resources = await this.store.getResources(resourceKeys);
      const ids = new Map(resources.map(r => [r.resourceKey, r.resourceId]));
      return a => (a.key ? ids.get(a.key) ?? a.key : UNASSIGNED_GROUP);
    }
    if (!groupBy.startsWith('tag:')) {
      return a => a.key || UNASSIGNED_GROUP;
    }

    const untagged = withoutTags(subscriptions);
    for (const subscription of untagged) {
      notes.push(
        `Tags are not synchronized for subscription ${subscription.subscriptionId} (sync mode ${subscription.syncMode}), so its spend cannot be grouped by tag and is shown as ${UNTAGGED_GROUP}.`,
      );
    }
    // The store gives each amount its resource's tag value, or '' when the resource has none; amounts of what has no
    // tags come without a key.
    return a => a.key || UNTAGGED_GROUP;
  }

  /**
   * Month-end forecasts per currency, when the period includes the current month. Cost Management forecasts whole
   * subscriptions; part of a subscription gets its subscription's forecast in proportion to the month's spend so far.
   */
  private async forecasts(
    query: NormalizedSpendQuery,
    scope: SpendScope,
    synced: SpendSyncState[],
    notes: string[],
  ): Promise<Map<string, { monthEnd: number; through: string }>> {
    const result = new Map<string, { monthEnd: number; through: string }>();
    const today = dayOf(this.now());
    const month = monthOf(today);
    if (monthOf(query.from) > month || monthOf(query.to) < month) {
      return result;
    }
    const current = new Map(
      synced
        .filter(s => s.forecast?.month === month)
        .map(s => [s.subscriptionId, s.forecast!]),
    );
    if (current.size === 0) return result;

    const add = (currency: string, amount: number, through: string) => {
      const entry = result.get(currency);
      if (entry) entry.monthEnd += amount;
      else result.set(currency, { monthEnd: amount, through });
    };
    for (const id of scope.subscriptionIds) {
      const forecast = current.get(id);
      if (forecast) add(forecast.currency, forecast.monthEnd, forecast.through);
    }

    const partial = [
      ...new Set(
        scope.resourceKeys.flatMap(k => subscriptionOfResource(k) ?? []),
      ),
    ].filter(id => current.has(id));
    if (partial.length > 0) {
      const monthStart = `${month}-01`;
      const [part, whole] = await Promise.all([
        this.store.aggregate({
          scope: { subscriptionIds: [], resourceKeys: scope.resourceKeys },
          from: monthStart,
          to: today,
          dimension: 'none',
          perSubscription: true,
        }),
        this.store.aggregate({
          scope: { subscriptionIds: partial, resourceKeys: [] },
          from: monthStart,
          to: today,
          dimension: 'none',
          perSubscription: true,
        }),
      ]);
      let shared = false;
      for (const id of partial) {
        const forecast = current.get(id)!;
        const partAmount = part
          .filter(
            a => a.subscriptionId === id && a.currency === forecast.currency,
          )
          .reduce((sum, a) => sum + a.amount, 0);
        const wholeAmount = whole
          .filter(
            a => a.subscriptionId === id && a.currency === forecast.currency,
          )
          .reduce((sum, a) => sum + a.amount, 0);
        if (wholeAmount > 0) {
          shared = true;
          add(
            forecast.currency,
            (forecast.monthEnd * partAmount) / wholeAmount,
            forecast.through,
          );
        }
      }
      if (shared) {
        notes.push(
          "Cost Management forecasts whole subscriptions: the forecast of single resources is their share of their subscription's forecast, in proportion to this month's spend so far.",
        );
      }
    }
    return result;
  }
}
