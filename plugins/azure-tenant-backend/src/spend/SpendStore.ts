import { SyncMode } from '@azure-tenant/plugin-azure-tenant-common';
import { TaggedResource } from '../database/ResourceTagReader';

/** One day of actual cost of one resource and service, in one currency, as Cost Management reported it. */
export interface DailyCost {
  /** `YYYY-MM-DD`. */
  date: string;
  /** As Cost Management wrote it; `''` for cost that is not tied to a resource. */
  resourceId: string;
  serviceName: string;
  /** Lower case; `''` when unknown. */
  location: string;
  currency: string;
  amount: number;
}

/** Cost Management's month-end forecast of a subscription. */
export interface StoredForecast {
  /** `YYYY-MM`. */
  month: string;
  monthEnd: number;
  currency: string;
  /** `YYYY-MM-DD`: the last day the forecast covers. */
  through: string;
}

/** Where a subscription's spend sync stands. */
export interface SpendSyncState {
  subscriptionId: string;
  /** Every day from `backfilledFrom` to `syncedThrough` (inclusive) has been read. */
  backfilledFrom?: string;
  syncedThrough?: string;
  /** When spend was last read successfully (ISO 8601). */
  lastSyncedAt?: string;
  lastAttemptAt?: string;
  lastStatus?: 'succeeded' | 'failed';
  lastError?: string;
  forecast?: StoredForecast;
}

/** A subscription as far as spend cares. */
export interface SpendSubscription {
  subscriptionId: string;
  tenantId: string;
  syncMode: SyncMode;
}

/** The spend rows a query covers: whole subscriptions and single resources (by lower-cased id). */
export interface SpendScope {
  subscriptionIds: string[];
  resourceKeys: string[];
}

/**
 * What a spend aggregation groups by, besides the time bucket and currency. `tag` groups by the value of the tag
 * `tagKey` of each resource (case-insensitive name, synced Azure tags), `''` for spend of resources without it.
 */
export type SpendDimension =
  | 'service'
  | 'resourceGroup'
  | 'resource'
  | 'location'
  | 'tag'
  | 'none';

/** One aggregated amount. */
export interface SpendAggregate {
  /** The time bucket (`YYYY-MM-DD` or `YYYY-MM`); absent when not bucketed. */
  bucket?: string;
  /** The dimension's value (lower-cased resource id for `resource`, tag value or `''` for `tag`); absent for `none`. */
  key?: string;
  /** The subscription of the rows, when asked for. */
  subscriptionId?: string;
  /** Amounts whose key is not among the kept ones (see `keep` of {@link SpendStore.aggregate}), summed together. */
  rest?: boolean;
  /** Amounts of the days before `from` (see `previousFrom` of {@link SpendStore.aggregate}). */
  previous?: boolean;
  currency: string;
  amount: number;
}

/** A resource as synced by the resource sync, for tag grouping and names; read through the resource store. */
export type SyncedResource = TaggedResource;

/** What {@link SpendStore.aggregate} sums, and how. */
export interface SpendAggregateOptions {
  scope: SpendScope;
  from: string;
  to: string;
  /**
   * `segment`: an amount's bucket is the last of `segmentStarts` on or before its day, so that sums over ranges that
   * start and end at segment boundaries come in a few rows per key rather than one per day.
   */
  granularity?: 'day' | 'month' | 'segment';
  /** With `granularity: 'segment'`: days, ascending, the first on or before `from`. */
  segmentStarts?: string[];
  dimension: SpendDimension;
  /** The tag name of the dimension `tag`. */
  tagKey?: string;
  perSubscription?: boolean;
  /**
   * Also sums the days `previousFrom`..`from - 1`, apart, marked `previous` (the previous period, for comparison).
   * Not with `granularity`.
   */
  previousFrom?: string;
  /**
   * The keys to keep apart, per currency: amounts of any other key are summed into one aggregate per bucket (and
   * currency and subscription) marked `rest`, without a key.
   */
  keep?: Record<string, string[]>;
}

/** Storage of synced spend. Subscriptions and resources it reads through the stores that own them. */
export interface SpendStore {
  /**
   * Replaces a subscription's spend for the days `from`..`to` (inclusive) with `costs`, in one transaction with the
   * daily totals of those days, and records that those days have been read.
   */
  replaceDays(options: {
    subscriptionId: string;
    from: string;
    to: string;
    costs: DailyCost[];
    at: Date;
  }): Promise<void>;

  getSyncState(subscriptionId: string): Promise<SpendSyncState | undefined>;
  listSyncStates(subscriptionIds: string[]): Promise<SpendSyncState[]>;
  recordSyncSuccess(options: {
    subscriptionId: string;
    at: Date;
    forecast?: StoredForecast;
  }): Promise<void>;
  recordSyncFailure(options: {
    subscriptionId: string;
    at: Date;
    error: string;
  }): Promise<void>;

  getSubscription(
    subscriptionId: string,
  ): Promise<SpendSubscription | undefined>;
  listSubscriptions(): Promise<SpendSubscription[]>;
  getSubscriptions(subscriptionIds: string[]): Promise<SpendSubscription[]>;

  /** The subscription of a resource, from the synced resources or, failing that, from stored spend. */
  findResourceSubscription(resourceKey: string): Promise<string | undefined>;
  getResources(resourceKeys: string[]): Promise<SyncedResource[]>;

  /** Sums spend in `scope` for days `from`..`to`, per currency and the given bucket and dimension. */
  aggregate(options: SpendAggregateOptions): Promise<SpendAggregate[]>;
}
