import type { AzureDataStaleness } from './access';
/**
 * The time buckets of a spend series.
 *
 * @public
 */
export type SpendGranularity = 'day' | 'month';

/**
 * What spend is grouped by: Cost Management's service name, resource group, resource or location, or the value of a
 * tag (`tag:cost-center`), from the synced tags.
 *
 * @public
 */
export type SpendGroupBy =
  | 'service'
  | 'resourceGroup'
  | 'resource'
  | 'location'
  | `tag:${string}`;

/**
 * The query of `GET /spend` (and `GET /spend.csv`). Exactly one of `subscriptionId`, `resourceId` and `entityRef`.
 *
 * @public
 */
export interface SpendQuery {
  subscriptionId?: string;
  resourceId?: string;
  /**
   * A catalog entity: an Azure subscription or resource entity, or a group or user, whose spend is that of the Azure
   * resources it owns.
   */
  entityRef?: string;
  /** First day, `YYYY-MM-DD`, inclusive. */
  from: string;
  /** Last day, `YYYY-MM-DD`, inclusive. */
  to: string;
  granularity?: SpendGranularity;
  groupBy?: SpendGroupBy;
  /** How many groups to keep; the rest are summed into `other`. Defaults to 5. */
  top?: number;
}

/**
 * One group of a spend series, e.g. one service.
 *
 * @public
 */
export interface SpendGroup {
  /** The group's key, e.g. `Virtual Machines`; `other` for the groups beyond the top N; `untagged` for no tag value. */
  key: string;
  total: number;
  /** Share of the series total, from 0 to 1. */
  share: number;
  /** The group's total in the previous period of the same length; absent when there was no data then. */
  previousTotal?: number;
}

/**
 * One bucket of a spend series: an amount for each group.
 *
 * @public
 */
export interface SpendPoint {
  /** `YYYY-MM-DD` for days, `YYYY-MM` for months. */
  date: string;
  /** Amount per group key. */
  amounts: Record<string, number>;
}

/**
 * The spend of one currency. Amounts in different currencies are never added up.
 *
 * @public
 */
export interface SpendSeries {
  /** ISO 4217, e.g. `USD`. */
  currency: string;
  total: number;
  /** The total of the previous period of the same length (e.g. the 30 days before). */
  previousTotal: number;
  /** `(total - previousTotal) / previousTotal`; absent when the previous total is 0. */
  change?: number;
  groups: SpendGroup[];
  points: SpendPoint[];
  /** Cost Management's forecast of the month's total, for a query that includes the current month. */
  forecast?: { monthEnd: number; through: string };
}

/**
 * The answer of `GET /spend`.
 *
 * @public
 */
export interface SpendReport {
  query: Required<
    Pick<SpendQuery, 'from' | 'to' | 'granularity' | 'groupBy' | 'top'>
  > &
    Pick<SpendQuery, 'subscriptionId' | 'resourceId' | 'entityRef'>;
  /**
   * `ok`, or `pending` when no spend has been synced yet for what was asked (the first spend sync has not run):
   * an empty series then means "not known yet", not zero.
   */
  status: 'ok' | 'pending';
  /** One series per currency. */
  series: SpendSeries[];
  /** Plain-words notes, e.g. that tag grouping is not possible because the subscription's mode is `no-tags`. */
  notes: string[];
  /** ISO 8601: when the spend shown was last read from Azure. */
  syncedAt?: string;
  /** Set when the spend cannot be refreshed because the portal lost access: why, and since when. */
  staleness?: AzureDataStaleness;
  /**
   * Of a subscription's spend (`subscriptionId` queries only): the part whose resources have no owner tag naming a
   * catalog group or user, per currency over the same range, and how many such resources had spend. Spend not tied
   * to a resource counts as unallocated too. Absent when the subscription's tags are not kept.
   */
  unallocated?: Array<{ currency: string; total: number; resources: number }>;
}
