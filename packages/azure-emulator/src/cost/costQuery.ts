import { ArmError } from '../errors/ArmError';
import { SubscriptionState } from '../model/EmulatorState';
import { ResourceRecord } from '../model/ResourceRecord';
import { resourceTypeInfo } from '../model/resourceTypeCatalog';
import { CostModel, dayNumberOf, parseDay, usageDateOf } from './CostModel';

/** The first day of the month of a day, as a day number. */
function monthStartOf(day: number): number {
  const d = new Date(day * 86_400_000);
  return dayNumberOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}

/** `BillingMonth` as Cost Management writes it: the first of the month, `2024-01-01T00:00:00`. */
function billingMonthOf(day: number): string {
  return `${new Date(day * 86_400_000).toISOString().slice(0, 10)}T00:00:00`;
}

/** A column of a Cost Management result. */
export interface CostColumn {
  name: string;
  type: 'Number' | 'String' | 'Datetime';
}

/** A computed (unpaged) Cost Management result. */
export interface CostTable {
  columns: CostColumn[];
  rows: Array<Array<string | number>>;
}

/** The resources a query covers: one subscription, optionally narrowed to a resource group. */
export interface CostScope {
  subscription: SubscriptionState;
  resourceGroup?: string;
}

const COST_AGGREGATIONS = new Set([
  'cost',
  'pretaxcost',
  'costusd',
  'pretaxcostusd',
]);
const DIMENSIONS: Record<
  string,
  (s: SubscriptionState, r: ResourceRecord) => string
> = {
  resourcegroup: (_s, r) => r.resourceGroup.toLowerCase(),
  resourcegroupname: (_s, r) => r.resourceGroup.toLowerCase(),
  resourceid: (_s, r) => r.id.toLowerCase(),
  resourcetype: (_s, r) => r.type.toLowerCase(),
  resourcelocation: (_s, r) => r.location.toLowerCase(),
  servicename: (_s, r) => resourceTypeInfo(r.type).serviceName,
  metercategory: (_s, r) => resourceTypeInfo(r.type).meterCategory,
  subscriptionid: s => s.subscriptionId,
  subscriptionname: s => s.displayName,
  chargetype: () => 'Usage',
  pricingmodel: () => 'OnDemand',
  publishertype: () => 'Azure',
};

function badRequest(message: string): ArmError {
  return new ArmError(
    400,
    'BadRequest',
    `Invalid query definition: ${message}`,
  );
}

/** The first and last day (inclusive) a query's timeframe covers. */
export function queryDays(
  body: any,
  today: number,
): { from: number; to: number } {
  const timeframe = String(body?.timeframe ?? '');
  const now = new Date(today * 86_400_000);
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  switch (timeframe.toLowerCase()) {
    case 'custom': {
      const from = body?.timePeriod?.from;
      const to = body?.timePeriod?.to;
      if (!from || !to)
        throw badRequest(
          "timePeriod with 'from' and 'to' is required for the Custom timeframe.",
        );
      let range: { from: number; to: number };
      try {
        range = { from: parseDay(String(from)), to: parseDay(String(to)) };
      } catch (error) {
        throw badRequest((error as Error).message);
      }
      if (range.to < range.from)
        throw badRequest("'to' must not be before 'from'.");
      if (range.to - range.from > 366)
        throw badRequest('the time period cannot be longer than 1 year.');
      return range;
    }
    case 'monthtodate':
    case 'billingmonthtodate':
      return { from: dayNumberOf(Date.UTC(y, m, 1)), to: today };
    case 'thelastmonth':
    case 'thelastbillingmonth':
      return {
        from: dayNumberOf(Date.UTC(y, m - 1, 1)),
        to: dayNumberOf(Date.UTC(y, m, 1)) - 1,
      };
    case 'weektodate': {
      const weekday = (now.getUTCDay() + 6) % 7;
      return { from: today - weekday, to: today };
    }
    default:
      throw badRequest(`timeframe '${timeframe}' is not supported.`);
  }
}

type Predicate = (s: SubscriptionState, r: ResourceRecord) => boolean;

/** Compiles a query filter (`and`, `or`, `not`, `dimensions`, `tags` with `In`). */
export function compileCostFilter(filter: any): Predicate {
  if (!filter) return () => true;
  if (Array.isArray(filter.and)) {
    const parts = filter.and.map(compileCostFilter);
    return (s, r) => parts.every((p: Predicate) => p(s, r));
  }
  if (Array.isArray(filter.or)) {
    const parts = filter.or.map(compileCostFilter);
    return (s, r) => parts.some((p: Predicate) => p(s, r));
  }
  if (filter.not) {
    const inner = compileCostFilter(filter.not);
    return (s, r) => !inner(s, r);
  }
  const comparison = filter.dimensions ?? filter.tags;
  if (comparison) {
    const operator = String(comparison.operator ?? 'In').toLowerCase();
    if (operator !== 'in' && operator !== 'equal')
      throw badRequest(`operator '${comparison.operator}' is not supported.`);
    const values = new Set(
      (comparison.values ?? []).map((v: string) => String(v).toLowerCase()),
    );
    if (filter.dimensions) {
      const dimension = DIMENSIONS[String(comparison.name).toLowerCase()];
      if (!dimension)
        throw badRequest(`dimension '${comparison.name}' is not supported.`);
      return (s, r) => values.has(dimension(s, r).toLowerCase());
    }
    const tag = String(comparison.name).toLowerCase();
    return (_s, r) =>
      Object.entries(r.tags).some(
        ([k, v]) => k.toLowerCase() === tag && values.has(v.toLowerCase()),
      );
  }
  return () => true;
}

/**
 * Runs a Cost Management query (`ActualCost`, `AmortizedCost` or `Usage`; Daily (a `UsageDate` column), Monthly (a
 * `BillingMonth` column) or no granularity; Sum of Cost/PreTaxCost/CostUSD/PreTaxCostUSD; up to two Dimension or TagKey
 * groupings) over the scope.
 */
export function runCostQuery(
  model: CostModel,
  scope: CostScope,
  body: any,
): CostTable {
  const type = String(body?.type ?? '');
  if (!['actualcost', 'amortizedcost', 'usage'].includes(type.toLowerCase())) {
    throw badRequest(
      `type '${type}' is not supported; use ActualCost, AmortizedCost or Usage.`,
    );
  }
  const dataset = body?.dataset ?? {};
  const granularity = String(dataset.granularity ?? 'None');
  const daily = granularity.toLowerCase() === 'daily';
  const monthly = granularity.toLowerCase() === 'monthly';
  if (!daily && !monthly && granularity.toLowerCase() !== 'none') {
    throw badRequest(
      `granularity '${granularity}' is not supported; use Daily, Monthly or omit it.`,
    );
  }
  const aggregations = Object.entries<any>(
    dataset.aggregation ?? { totalCost: { name: 'Cost', function: 'Sum' } },
  );
  for (const [alias, aggregation] of aggregations) {
    if (
      String(aggregation?.function).toLowerCase() !== 'sum' ||
      !COST_AGGREGATIONS.has(String(aggregation?.name).toLowerCase())
    ) {
      throw badRequest(
        `aggregation '${alias}' must be the Sum of Cost, PreTaxCost, CostUSD or PreTaxCostUSD.`,
      );
    }
  }
  const groupings: Array<{ type: string; name: string }> =
    dataset.grouping ?? [];
  if (groupings.length > 2)
    throw badRequest('the query can have at most 2 groupings.');
  const groupColumns: CostColumn[] = [];
  const groupValues: Array<
    (s: SubscriptionState, r: ResourceRecord) => string[]
  > = [];
  for (const grouping of groupings) {
    if (String(grouping.type).toLowerCase() === 'dimension') {
      const dimension = DIMENSIONS[String(grouping.name).toLowerCase()];
      if (!dimension)
        throw badRequest(
          `dimension '${grouping.name}' is not supported for grouping.`,
        );
      groupColumns.push({ name: grouping.name, type: 'String' });
      groupValues.push((s, r) => [dimension(s, r)]);
    } else if (String(grouping.type).toLowerCase() === 'tagkey') {
      const tag = String(grouping.name).toLowerCase();
      groupColumns.push(
        { name: 'TagKey', type: 'String' },
        { name: 'TagValue', type: 'String' },
      );
      groupValues.push((_s, r) => {
        const entry = Object.entries(r.tags).find(
          ([k]) => k.toLowerCase() === tag,
        );
        return entry ? [grouping.name, entry[1]] : ['', ''];
      });
    } else {
      throw badRequest(
        `grouping type '${grouping.type}' is not supported; use Dimension or TagKey.`,
      );
    }
  }
  const { from, to } = queryDays(body, model.today);
  const filter = compileCostFilter(dataset.filter);
  const { subscription } = scope;
  const rate = model.rateFor(subscription.currency);
  const group = scope.resourceGroup?.toLowerCase();

  // Per group (the grouping values joined), then per day (its month's first day when monthly, 0 for no granularity).
  const groups = new Map<
    string,
    { keys: string[]; keyText: string; days: Map<number, number> }
  >();
  for (const resource of subscription.resources.entries()) {
    if (group && resource.resourceGroup.toLowerCase() !== group) continue;
    if (!filter(subscription, resource)) continue;
    const keys = groupValues.flatMap(g => g(subscription, resource));
    const keyText = keys.join('\u0000');
    let sums = groups.get(keyText);
    if (!sums) {
      sums = { keys, keyText, days: new Map() };
      groups.set(keyText, sums);
    }
    const dailyCost = model.dailyCosts(subscription, resource);
    for (let day = from; day <= to; day++) {
      const cost = dailyCost(day);
      if (cost === 0) continue;
      let bucketDay = 0;
      if (daily) bucketDay = day;
      else if (monthly) bucketDay = monthStartOf(day);
      sums.days.set(bucketDay, (sums.days.get(bucketDay) ?? 0) + cost);
    }
  }
  const columns: CostColumn[] = [
    ...aggregations.map(([, a]) => ({
      name: String(a.name),
      type: 'Number' as const,
    })),
    ...groupColumns,
    ...(daily ? [{ name: 'UsageDate', type: 'Number' as const }] : []),
    ...(monthly ? [{ name: 'BillingMonth', type: 'Datetime' as const }] : []),
    { name: 'Currency', type: 'String' },
  ];
  // Rows by day, then by group in code-unit order (the same on every host, unlike a locale's collation). The groups
  // are ranked once, so that the sort of the rows compares numbers.
  const rank = new Map<string, number>();
  [...groups.keys()]
    .sort((a, b) => {
      if (a < b) return -1;
      return a > b ? 1 : 0;
    })
    .forEach((keyText, i) => rank.set(keyText, i));
  const entries: Array<{
    keys: string[];
    rank: number;
    day: number;
    total: number;
  }> = [];
  for (const sums of groups.values()) {
    const groupRank = rank.get(sums.keyText)!;
    for (const [day, total] of sums.days) {
      entries.push({ keys: sums.keys, rank: groupRank, day, total });
    }
  }
  const rows = entries
    .sort((a, b) => a.day - b.day || a.rank - b.rank)
    .map(sum => [
      ...aggregations.map(([, a]) =>
        String(a.name).toLowerCase().endsWith('usd')
          ? sum.total / rate
          : sum.total,
      ),
      ...sum.keys,
      ...(daily ? [usageDateOf(sum.day)] : []),
      ...(monthly ? [billingMonthOf(sum.day)] : []),
      subscription.currency,
    ]);
  return { columns, rows };
}

/** Runs a forecast: actual daily cost up to today, then the modelled cost, with `CostStatus`. */
export function runCostForecast(
  model: CostModel,
  scope: CostScope,
  body: any,
): CostTable {
  const dataset = body?.dataset ?? {};
  const aggregation = Object.values<any>(
    dataset.aggregation ?? { totalCost: { name: 'Cost', function: 'Sum' } },
  )[0];
  if (
    !aggregation ||
    !COST_AGGREGATIONS.has(String(aggregation.name).toLowerCase())
  ) {
    throw badRequest(
      'the forecast aggregation must be the Sum of Cost, PreTaxCost, CostUSD or PreTaxCostUSD.',
    );
  }
  if (dataset.grouping?.length)
    throw badRequest('grouping is not supported by forecasts.');
  const { from, to } = queryDays(body, model.today);
  const includeActual = body?.includeActualCost !== false;
  const filter = compileCostFilter(dataset.filter);
  const { subscription } = scope;
  const group = scope.resourceGroup?.toLowerCase();
  const rate = model.rateFor(subscription.currency);
  const usd = String(aggregation.name).toLowerCase().endsWith('usd');
  const totals = new Map<number, { total: number; actual: boolean }>();
  for (const resource of subscription.resources.entries()) {
    if (group && resource.resourceGroup.toLowerCase() !== group) continue;
    if (!filter(subscription, resource)) continue;
    for (let day = from; day <= to; day++) {
      const actual = day <= model.today;
      if (actual && !includeActual) continue;
      const cost = actual
        ? model.dailyCost(subscription, resource, day)
        : model.modelledCost(subscription, resource, day, false);
      const entry = totals.get(day) ?? { total: 0, actual };
      entry.total += cost;
      totals.set(day, entry);
    }
  }
  return {
    columns: [
      { name: String(aggregation.name), type: 'Number' },
      { name: 'UsageDate', type: 'Number' },
      { name: 'CostStatus', type: 'String' },
      { name: 'Currency', type: 'String' },
    ],
    rows: [...totals.entries()]
      .sort(([a], [b]) => a - b)
      .map(([day, { total, actual }]) => [
        usd ? total / rate : total,
        usageDateOf(day),
        actual ? 'Actual' : 'Forecast',
        subscription.currency,
      ]),
  };
}
