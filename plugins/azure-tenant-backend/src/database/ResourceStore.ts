import {
  AzureResourceChanges,
  AzureResourceGroupPage,
  AzureResourcePage,
  AzureResourceRecord,
} from '@azure-tenant/plugin-azure-tenant-common';

/** A resource as the sync read it, normalized. Tags are absent when the sync mode keeps none. */
export interface SyncedResource {
  /** Lower-cased resource id. */
  key: string;
  resourceId: string;
  subscriptionId: string;
  tenantId: string;
  resourceGroup: string;
  name: string;
  type: string;
  location?: string;
  kind?: string;
  tags?: Record<string, string>;
  createdTime?: string;
  changedTime?: string;
  /** A hash of all of the above, to tell what changed without comparing fields. */
  contentHash: string;
}

/** A resource group as the sync read it. */
export interface SyncedResourceGroup {
  name: string;
  location?: string;
  tags?: Record<string, string>;
}

/** A stored resource group, as the last sync read it. */
export interface StoredResourceGroup {
  name: string;
  tags?: Record<string, string>;
}

/** What one successful sync of a subscription changes. */
export interface SubscriptionSyncResult {
  subscriptionId: string;
  /** New or changed resources. */
  upserts: SyncedResource[];
  /** Keys of resources that are gone. */
  removedKeys: string[];
  /** Every resource group (replaces the stored ones), or undefined to leave them. */
  resourceGroups?: SyncedResourceGroup[];
  /** Drop portal-only tags too (sync modes `no-tags` and `none`). */
  purgePortalTags: boolean;
  /**
   * The subscription's new place in Resource Graph's change feed, stored in the same transaction: a full listing
   * gives `fullListing` too, an incremental run only `cursor`. `null` forgets it (sync mode `none`); undefined
   * leaves it as it is.
   */
  changeFeed?: ChangeFeedAdvance | null;
  resourceCount: number;
  startedAt: Date;
  finishedAt: Date;
}

/** Where a subscription stands in Resource Graph's change feed. Times are Azure's (its `Date` header), ISO 8601. */
export interface ChangeFeedCursor {
  subscriptionId: string;
  /** Every change after this time is still to be applied; those at or before it were. */
  cursor: string;
  /** When the last full listing began. */
  fullListingAt: string;
  /** What decided that listing's contents (sync mode, type filters): when it differs, a full listing is needed. */
  fullListingSettings: string;
}

/** How a sync moves a subscription's {@link ChangeFeedCursor}. */
export interface ChangeFeedAdvance {
  cursor: string;
  /** Given by a full listing only. */
  fullListing?: { at: string; settings: string };
}

/**
 * A search of the stored resources. Every filter is optional and they all apply together. Azure compares resource
 * types, resource group names and tag names without regard to case, and so does the search; tag values are exact.
 * Tag filters look at the Azure tags of the last sync only, never at portal-only tags.
 */
export interface ResourceQuery {
  /** Lower case, as stored. */
  subscriptionId?: string;
  resourceGroup?: string;
  /** An ARM type, e.g. `Microsoft.Compute/virtualMachines`. */
  type?: string;
  /** Resources with this tag; with `tagValue`, with this tag set to exactly that value. */
  tagKey?: string;
  tagValue?: string;
  /** Resources without this tag. */
  missingTag?: string;
  /**
   * Resources whose name holds this text, case-insensitively (on SQLite for ASCII letters only, as its `lower()`).
   */
  nameContains?: string;
  /** Only these resources (lower-cased resource ids), e.g. those a team owns in the catalog. */
  resourceKeys?: string[];
  /**
   * Subscriptions whose stored tags say nothing about Azure's (their sync mode keeps no tags): any tag filter
   * leaves their resources out, as nobody knows whether they have the tag.
   */
  tagsUnknownIn?: string[];
  /** Only resources whose key sorts after this one: the keyset of the previous page. */
  afterKey?: string;
  limit: number;
}

/**
 * The stored resources of the sync, and the feed the catalog module reads. Its implementation is the one writer of
 * `resources`, `resource_tombstones`, `resource_groups` and `sync_counters` (see src/database/README.md).
 */
export interface ResourceStore {
  /**
   * The content hashes of a subscription's stored resources. A hash covers the resource id, so it names one
   * resource: the sync needs neither the keys nor the rows to tell that nothing changed.
   */
  loadContentHashes(subscriptionId: string): Promise<Set<string>>;
  /** Keys of a subscription's stored resources that have one of these content hashes. */
  keysOfContentHashes(
    subscriptionId: string,
    contentHashes: string[],
  ): Promise<string[]>;
  /**
   * Stores a sync's result in one transaction, with increasing revisions. Returns the highest revision written
   * (0 when nothing changed). How the sync ended is the subscription's, recorded by the tenant store.
   */
  applySync(
    result: SubscriptionSyncResult,
  ): Promise<{ revision: number; changed: number }>;
  /** Keys of a subscription's stored resources. */
  listKeys(subscriptionId: string): Promise<string[]>;
  /**
   * Stores several syncs' results in one transaction (one commit for a batch of subscriptions brought up to date from
   * the change feed), each result atomic on its own: one that fails is rolled back alone and answered with its error.
   * Each answer has the subscription's resource count after its writes.
   */
  applySyncBatch(
    results: SubscriptionSyncResult[],
  ): Promise<
    Array<
      | { revision: number; changed: number; resourceCount: number }
      | { error: unknown }
    >
  >;
  /** Where these subscriptions (lower case) stand in the change feed; those never listed in full have none. */
  loadChangeCursors(subscriptionIds: string[]): Promise<ChangeFeedCursor[]>;
  /** These resources (lower-cased ids) as the sync stored them (without portal-only tags); unknown keys are skipped. */
  loadSyncedResources(keys: string[]): Promise<SyncedResource[]>;
  /** How many resources of the subscription are stored. */
  countResources(subscriptionId: string): Promise<number>;

  listResources(options: {
    cursor?: string;
    limit: number;
  }): Promise<AzureResourcePage>;
  listChanges(options: {
    after: number;
    limit: number;
  }): Promise<AzureResourceChanges>;
  getResource(resourceId: string): Promise<AzureResourceRecord | undefined>;
  /** A subscription's resource groups with their tags (absent when the sync mode keeps none), by name. */
  listResourceGroups(subscriptionId: string): Promise<StoredResourceGroup[]>;
  /**
   * A page of resource groups (of one subscription, or of all) with how many resources of each type they hold, in
   * the order of subscription and name, for the catalog module's resource group entities.
   */
  listResourceGroupSummaries(options: {
    subscriptionId?: string;
    cursor?: string;
    limit: number;
  }): Promise<AzureResourceGroupPage>;
  /**
   * The resources that match `query`, at most `limit`, in the order of their keys (lower-cased resource ids), and
   * whether more match after the last one.
   */
  findResources(
    query: ResourceQuery,
  ): Promise<{ items: AzureResourceRecord[]; hasMore: boolean }>;
  /**
   * Gives these resources (lower-cased ids) new revisions without changing them, so that the catalog feed carries
   * them again: what the feed adds to them (their tag compliance) changed. Keys of resources no longer stored are
   * skipped. Returns the highest revision given in each subscription, for its `resources-changed` event.
   */
  touchResources(
    keys: string[],
  ): Promise<Array<{ subscriptionId: string; revision: number }>>;
}
