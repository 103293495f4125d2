import { AzureSubscription } from '@azure-tenant/plugin-azure-tenant-common';
import pLimit from 'p-limit';
import { ResourceSyncer, SubscriptionSyncReport } from './ResourceSyncer';

/**
 * Syncs a batch of subscriptions of one tenant. The change-feed syncer brings those it can up to date from Azure
 * Resource Graph's change tables in one query for the whole batch, and lists the others in full; the plain one lists
 * every subscription in full. It never rejects: every subscription of the batch gets a report, a failure included.
 */
export interface TenantBatchSyncer {
  syncTenantBatch(
    subscriptions: AzureSubscription[],
  ): Promise<SubscriptionSyncReport[]>;
}

/** A {@link TenantBatchSyncer} that lists every subscription in full, a few at a time. */
export class FullListingBatchSyncer implements TenantBatchSyncer {
  constructor(
    private readonly syncer: ResourceSyncer,
    private readonly concurrency: number,
  ) {}

  async syncTenantBatch(
    subscriptions: AzureSubscription[],
  ): Promise<SubscriptionSyncReport[]> {
    const limit = pLimit(Math.max(1, this.concurrency));
    return Promise.all(
      subscriptions.map(subscription =>
        limit(() => this.syncer.sync(subscription)),
      ),
    );
  }
}
