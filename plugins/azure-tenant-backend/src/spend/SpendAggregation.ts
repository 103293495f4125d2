import { Knex } from 'knex';
import { ResourceTagReader } from '../database/ResourceTagReader';
import { isTotalDimension, TOTAL_DIMENSIONS } from './SpendDailyTotals';
import { chunks } from './spendRows';
import {
  SpendAggregate,
  SpendAggregateOptions,
  SpendDimension,
} from './SpendStore';
import { MAX_TAG_KEY_LENGTH, SpendTagTotals } from './SpendTagTotals';

/**
 * Sums of spend for the spend API (see {@link SpendStore.aggregate}): whole subscriptions from the daily totals and tag
 * totals, single resources and grouping by resource from the daily rows. It only reads.
 */
export class SpendAggregation {
  constructor(
    private readonly db: Knex,
    private readonly options: {
      tagTotals: SpendTagTotals;
      resources: ResourceTagReader;
    },
  ) {}

  async aggregate(options: SpendAggregateOptions): Promise<SpendAggregate[]> {
    const { scope, to, granularity, dimension, perSubscription } = options;
    if (
      granularity === 'segment' &&
      !(
        options.segmentStarts?.length &&
        options.segmentStarts[0] <= options.from
      )
    ) {
      throw new Error('segmentStarts must begin on or before from');
    }
    if (options.previousFrom !== undefined && granularity) {
      throw new Error('previousFrom cannot be combined with a granularity');
    }
    if (
      options.previousFrom !== undefined &&
      options.previousFrom > options.from
    ) {
      throw new Error('previousFrom must not be after from');
    }
    // With a previous period, the rows of both are read together and told apart by `usage_date < splitAt`.
    const splitAt =
      options.previousFrom !== undefined ? options.from : undefined;
    const from = options.previousFrom ?? options.from;
    const tagKey = (options.tagKey ?? '').toLowerCase();
    if (dimension === 'tag' && !tagKey) {
      throw new Error('A tag aggregation needs a tag key');
    }
    const kept =
      options.keep && dimension !== 'none'
        ? new Map(
            Object.entries(options.keep).map(([currency, keys]) => [
              currency,
              new Set(keys),
            ]),
          )
        : undefined;

    const merged = new Map<string, SpendAggregate>();
    const add = (aggregate: SpendAggregate) => {
      if (
        kept &&
        (aggregate.key === undefined ||
          !kept.get(aggregate.currency)?.has(aggregate.key))
      ) {
        delete aggregate.key;
        aggregate.rest = true;
      }
      const mapKey = [
        aggregate.currency,
        aggregate.bucket ?? '',
        aggregate.rest ? '\u0001' : aggregate.key ?? '',
        aggregate.subscriptionId ?? '',
        aggregate.previous ? 'p' : '',
      ].join('\u0000');
      const existing = merged.get(mapKey);
      if (existing) existing.amount += aggregate.amount;
      else merged.set(mapKey, aggregate);
    };

    /** A sum of `amount` per currency (and bucket and subscription) over a table or subquery with `usage_date`. */
    const bucketed = (source: string | Knex.QueryBuilder) => {
      const base: Knex.QueryBuilder =
        typeof source === 'string' ? this.db(source) : this.db.from(source);
      const query = base
        .select('currency')
        .sum({ amount: 'amount' })
        .whereBetween('usage_date', [from, to])
        .groupBy('currency');
      if (granularity === 'day') {
        query.select('usage_date as bucket').groupBy('usage_date');
      } else if (granularity === 'month') {
        query
          .select(this.db.raw('substr(usage_date, 1, 7) as bucket'))
          .groupBy(this.db.raw('substr(usage_date, 1, 7)') as any);
      } else if (granularity === 'segment') {
        // The latest start first; grouped by its alias, as `previous` below.
        const starts = [...(options.segmentStarts ?? [])].reverse();
        query
          .select(
            this.db.raw(
              `CASE ${starts
                .map(() => 'WHEN usage_date >= ? THEN CAST(? AS TEXT)')
                .join(' ')} END AS bucket`,
              starts.flatMap(start => [start, start]),
            ),
          )
          .groupBy('bucket');
      }
      if (perSubscription) {
        query.select('subscription_id').groupBy('subscription_id');
      }
      if (splitAt !== undefined) {
        // Grouped by its alias: PostgreSQL would not match two copies of an expression with a bound parameter.
        query
          .select(
            this.db.raw(
              'CASE WHEN usage_date < ? THEN 1 ELSE 0 END AS previous',
              [splitAt],
            ),
          )
          .groupBy('previous');
      }
      return query;
    };
    /**
     * Sums of a totals table by its key column; with `keep`, the keys that are not kept are summed together in SQL
     * (a null key), so that only the kept groups and one rest come back per bucket.
     */
    const byKey = (
      table: string,
      column: string,
      filter: (query: Knex.QueryBuilder) => void,
    ) => {
      if (!kept) {
        const query = bucketed(table)
          .select(`${column} as key`)
          .groupBy(column);
        filter(query);
        return query;
      }
      const conditions: string[] = [];
      const bindings: string[] = [];
      for (const [currency, keys] of kept) {
        if (keys.size === 0) continue;
        conditions.push(
          `(currency = ? AND ${column} IN (${[...keys]
            .map(() => '?')
            .join(', ')}))`,
        );
        bindings.push(currency, ...keys);
      }
      const inner = this.db(table)
        .select(
          'currency',
          'usage_date',
          'subscription_id',
          'amount',
          this.db.raw(
            `CASE WHEN ${
              conditions.length > 0 ? conditions.join(' OR ') : '1 = 0'
            } THEN ${column} END AS kept_key`,
            bindings,
          ),
        )
        .whereBetween('usage_date', [from, to]);
      filter(inner);
      return bucketed(inner.as('kept'))
        .select('kept_key as key')
        .groupBy('kept_key');
    };
    const collect = async (query: Knex.QueryBuilder) => {
      const rows: any[] = await query;
      for (const row of rows) add(toAggregate(row));
    };

    // Whole subscriptions from the totals (or, by resource, their rows); single resources from their rows, through
    // the resource index. Each part is summed apart and merged here, which is right because a resource's rows never
    // belong to two parts (resources of listed subscriptions are dropped from the resource list by the caller).
    const tagTotals =
      dimension === 'tag' && tagKey.length <= MAX_TAG_KEY_LENGTH;
    for (const chunk of chunks(scope.subscriptionIds)) {
      if (dimension === 'none') {
        await collect(
          bucketed('spend_totals')
            .where('dimension', 'service')
            .whereIn('subscription_id', chunk),
        );
      } else if (isTotalDimension(dimension)) {
        await collect(
          byKey('spend_totals', 'group_key', query =>
            query
              .where('dimension', dimension)
              .whereIn('subscription_id', chunk),
          ),
        );
      } else if (tagTotals) {
        for (const subscriptionId of chunk) {
          await this.options.tagTotals.ensure(subscriptionId, tagKey);
        }
        await collect(
          byKey('spend_tag_totals', 'tag_value', query =>
            query.where('tag_key', tagKey).whereIn('subscription_id', chunk),
          ),
        );
      } else {
        const rows = await bucketed('spend_daily')
          .select('resource_key as key')
          .whereIn('subscription_id', chunk)
          .groupBy('resource_key');
        await this.addByResource(rows, dimension, tagKey, add);
      }
    }
    for (const chunk of chunks(scope.resourceKeys)) {
      const query = bucketed('spend_daily').whereIn('resource_key', chunk);
      if (isTotalDimension(dimension)) {
        const column = TOTAL_DIMENSIONS[dimension];
        query.select(`${column} as key`).groupBy(column);
        await collect(query);
      } else if (dimension === 'none') {
        await collect(query);
      } else {
        const rows = await query
          .select('resource_key as key')
          .groupBy('resource_key');
        await this.addByResource(rows, dimension, tagKey, add);
      }
    }
    return [...merged.values()];
  }

  /** Adds per-resource sums, as they are (`resource`) or under the resource's value of the tag (`tag`). */
  private async addByResource(
    rows: any[],
    dimension: SpendDimension,
    tagKey: string,
    add: (aggregate: SpendAggregate) => void,
  ): Promise<void> {
    if (dimension !== 'tag') {
      for (const row of rows) add(toAggregate(row));
      return;
    }
    const keys = [...new Set(rows.map(row => String(row.key)).filter(Boolean))];
    const values = await this.options.resources.tagValuesOf(keys, tagKey);
    for (const row of rows) {
      add(toAggregate({ ...row, key: values.get(row.key) ?? '' }));
    }
  }
}

/** A row of an aggregate query as a {@link SpendAggregate}. */
function toAggregate(row: any): SpendAggregate {
  return {
    currency: row.currency,
    amount: Number(row.amount),
    ...(row.bucket !== undefined && row.bucket !== null
      ? { bucket: row.bucket }
      : {}),
    ...(row.key !== undefined && row.key !== null ? { key: row.key } : {}),
    ...(row.subscription_id !== undefined
      ? { subscriptionId: row.subscription_id }
      : {}),
    ...(Number(row.previous) === 1 ? { previous: true } : {}),
  };
}
