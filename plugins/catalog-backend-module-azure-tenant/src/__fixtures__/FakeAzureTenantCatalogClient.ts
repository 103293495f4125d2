import {
  AzureResourceChanges,
  AzureResourceGroupPage,
  AzureResourceGroupRecord,
  AzureResourcePage,
  AzureResourceRecord,
  AzureSubscription,
  RemovedAzureResource,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantCatalogClient } from '../client/AzureTenantCatalogClient';

/**
 * An in-memory stand-in for the backend plugin's catalog feed: resources with revisions, tombstones, and
 * subscriptions, served in pages the way the real endpoints do.
 */
export class FakeAzureTenantCatalogClient implements AzureTenantCatalogClient {
  subscriptions: AzureSubscription[] = [];
  private readonly resources = new Map<string, AzureResourceRecord>();
  private readonly tombstones: RemovedAzureResource[] = [];
  private revision = 0;
  /** Makes the page with this index (0-based) of the next listings fail. */
  failResourcePage?: number;
  failSubscriptions = false;
  readonly calls: string[] = [];

  constructor(private readonly pageSize = 2) {}

  upsert(...records: Omit<AzureResourceRecord, 'revision'>[]) {
    for (const record of records) {
      this.revision++;
      this.resources.set(record.resourceId.toLowerCase(), {
        ...record,
        revision: this.revision,
      });
    }
  }

  remove(resourceId: string) {
    const record = this.resources.get(resourceId.toLowerCase());
    if (record) {
      this.resources.delete(resourceId.toLowerCase());
      this.revision++;
      this.tombstones.push({
        resourceId: record.resourceId,
        subscriptionId: record.subscriptionId,
        revision: this.revision,
      });
    }
  }

  async listResources(cursor?: string): Promise<AzureResourcePage> {
    this.calls.push(`resources:${cursor ?? ''}`);
    const offset = cursor ? Number(cursor) : 0;
    if (
      this.failResourcePage !== undefined &&
      offset / this.pageSize === this.failResourcePage
    ) {
      throw new Error('502 Bad Gateway');
    }
    const all = [...this.resources.values()];
    const items = all.slice(offset, offset + this.pageSize);
    const next = offset + this.pageSize;
    return {
      items,
      nextCursor: next < all.length ? String(next) : undefined,
      revision: this.revision,
    };
  }

  /**
   * The resource groups of each subscription, by lower-cased subscription id; their resource counts are counted from
   * the resources, as the backend counts them.
   */
  readonly resourceGroups = new Map<
    string,
    Array<Pick<AzureResourceGroupRecord, 'name' | 'location' | 'tags'>>
  >();

  async listResourceGroups(options: {
    subscriptionId?: string;
    cursor?: string;
  }): Promise<AzureResourceGroupPage> {
    this.calls.push(
      `resource-groups:${options.subscriptionId ?? ''}:${options.cursor ?? ''}`,
    );
    const all: AzureResourceGroupRecord[] = [];
    for (const [subscriptionId, groups] of [...this.resourceGroups].sort()) {
      if (
        options.subscriptionId &&
        options.subscriptionId.toLowerCase() !== subscriptionId
      ) {
        continue;
      }
      for (const group of groups) {
        const types = new Map<string, number>();
        for (const r of this.resources.values()) {
          if (
            r.subscriptionId.toLowerCase() === subscriptionId &&
            r.resourceGroup.toLowerCase() === group.name.toLowerCase()
          ) {
            types.set(r.type, (types.get(r.type) ?? 0) + 1);
          }
        }
        const resourceTypes = [...types]
          .map(([type, count]) => ({ type, count }))
          .sort((a, b) => b.count - a.count || (a.type < b.type ? -1 : 1));
        all.push({
          subscriptionId,
          ...group,
          resourceCount: resourceTypes.reduce((n, t) => n + t.count, 0),
          resourceTypes,
        });
      }
    }
    const offset = options.cursor ? Number(options.cursor) : 0;
    const next = offset + this.pageSize;
    return {
      items: all.slice(offset, next),
      nextCursor: next < all.length ? String(next) : undefined,
    };
  }

  async listChanges(after: number): Promise<AzureResourceChanges> {
    this.calls.push(`changes:${after}`);
    const events = [
      ...[...this.resources.values()]
        .filter(r => r.revision > after)
        .map(r => ({ revision: r.revision, changed: r })),
      ...this.tombstones
        .filter(t => t.revision > after)
        .map(t => ({ revision: t.revision, removed: t })),
    ]
      .sort((a, b) => a.revision - b.revision)
      .slice(0, this.pageSize);
    const last = events.length
      ? events[events.length - 1].revision
      : Math.max(after, this.revision);
    return {
      changed: events.flatMap(e => ('changed' in e ? [e.changed] : [])),
      removed: events.flatMap(e => ('removed' in e ? [e.removed] : [])),
      revision: last,
      hasMore: last < this.revision,
    };
  }

  async listSubscriptions(): Promise<AzureSubscription[]> {
    this.calls.push('subscriptions');
    if (this.failSubscriptions) {
      throw new Error('connect ECONNREFUSED');
    }
    return this.subscriptions;
  }
}
