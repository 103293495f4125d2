import { ResourceManagementClient } from '@azure/arm-resources';
import { LoggerService } from '@backstage/backend-plugin-api';
import { AzureSubscription } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureConnection } from '../azure/azureConnection';
import {
  ResourceStore,
  SyncedResource,
  SyncedResourceGroup,
} from '../database/ResourceStore';
import { resourceContentHash, sortedTags } from '../tags';
import { armThrottlingPolicy } from './armThrottlingPolicy';
import { SyncConfig } from './SyncConfig';

/** What one subscription's sync did. */
export interface SubscriptionSyncReport {
  subscriptionId: string;
  status: 'succeeded' | 'failed';
  resourceCount: number;
  /** Resources written or removed. */
  changed: number;
  /** The feed revision after the sync. */
  revision: number;
  error?: string;
}

function resourceGroupOf(resourceId: string): string {
  const match = /\/resourceGroups\/([^/]+)/i.exec(resourceId);
  return match ? match[1] : '';
}

/** Only the service's message: error objects may carry the request, and with it a bearer token. */
function describe(error: unknown): string {
  const code = (error as { code?: string })?.code;
  const message = (error as Error)?.message ?? String(error);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}

/**
 * Syncs one subscription with the portal's own credential in its tenant, under its sync mode:
 * - `none`: reads nothing from Azure and removes what was stored;
 * - `no-tags`: reads resources, keeps no tag value, and purges earlier ones;
 * - `read-tags` and `read-write-tags`: reads resources and their tags.
 *
 * It pages through Azure and keeps only what changed in memory; nothing is stored unless every page was read, so a
 * failed or partial sync leaves the last good state.
 */
export class ResourceSyncer {
  constructor(
    private readonly options: {
      connection: AzureConnection;
      store: ResourceStore;
      config: SyncConfig;
      logger: LoggerService;
    },
  ) {}

  async sync(subscription: AzureSubscription): Promise<SubscriptionSyncReport> {
    const { store, logger } = this.options;
    const { subscriptionId } = subscription;
    const startedAt = new Date();
    try {
      const result =
        subscription.syncMode === 'none'
          ? await this.removeAll(subscription, startedAt)
          : await this.readFromAzure(subscription, startedAt);
      const { revision, changed } = await store.applySync(result);
      logger.info(
        `Synced subscription ${subscriptionId} (${subscription.syncMode}): ${result.resourceCount} resources, ${changed} changes`,
      );
      return {
        subscriptionId,
        status: 'succeeded',
        resourceCount: result.resourceCount,
        changed,
        revision,
      };
    } catch (error) {
      const message = describe(error);
      logger.warn(
        `Sync of subscription ${subscriptionId} failed, keeping its last good state: ${message}`,
      );
      await store.recordSyncFailure(
        subscriptionId,
        message,
        new Date(),
        startedAt,
      );
      return {
        subscriptionId,
        status: 'failed',
        resourceCount: 0,
        changed: 0,
        revision: 0,
        error: message,
      };
    }
  }

  private async removeAll(subscription: AzureSubscription, startedAt: Date) {
    return {
      subscriptionId: subscription.subscriptionId,
      upserts: [],
      removedKeys: await this.options.store.listKeys(
        subscription.subscriptionId,
      ),
      resourceGroups: [],
      purgePortalTags: true,
      resourceCount: 0,
      startedAt,
      finishedAt: new Date(),
    };
  }

  private async readFromAzure(
    subscription: AzureSubscription,
    startedAt: Date,
  ) {
    const { connection, store, config } = this.options;
    const { subscriptionId, tenantId, syncMode } = subscription;
    const keepTags = syncMode !== 'no-tags';
    const client = new ResourceManagementClient(
      connection.appCredential(tenantId),
      subscriptionId,
      {
        ...connection.armClientOptions(),
        additionalPolicies: [
          {
            policy: armThrottlingPolicy({
              minRemainingReads: config.minRemainingReads,
            }),
            position: 'perCall',
          },
        ],
      },
    );

    const resourceGroups: SyncedResourceGroup[] = [];
    for await (const group of client.resourceGroups.list()) {
      if (!group.name) continue;
      resourceGroups.push({
        name: group.name,
        location: group.location,
        tags: keepTags && group.tags ? sortedTags(group.tags) : undefined,
      });
    }

    const stored = await store.loadContentHashes(subscriptionId);
    const seen = new Set<string>();
    const upserts: SyncedResource[] = [];
    const pages = client.resources
      .list({ expand: 'createdTime,changedTime', top: config.pageSize })
      .byPage();
    for await (const page of pages) {
      for (const item of page) {
        if (!item.id || !item.type || !item.name) continue;
        const type = item.type;
        if (
          config.includeTypes.size > 0 &&
          !config.includeTypes.has(type.toLowerCase())
        )
          continue;
        if (config.excludeTypes.has(type.toLowerCase())) continue;
        const key = item.id.toLowerCase();
        seen.add(key);
        const resource = {
          key,
          resourceId: item.id,
          subscriptionId,
          tenantId,
          resourceGroup: resourceGroupOf(item.id),
          name: item.name,
          type,
          ...(item.location ? { location: item.location } : {}),
          ...(item.kind ? { kind: item.kind } : {}),
          ...(keepTags && item.tags ? { tags: sortedTags(item.tags) } : {}),
          ...(item.createdTime
            ? { createdTime: new Date(item.createdTime).toISOString() }
            : {}),
          ...(item.changedTime
            ? { changedTime: new Date(item.changedTime).toISOString() }
            : {}),
        };
        const hash = resourceContentHash(resource);
        if (stored.get(key) !== hash) {
          upserts.push({ ...resource, contentHash: hash });
        }
      }
    }

    const removedKeys = [...stored.keys()].filter(key => !seen.has(key));
    return {
      subscriptionId,
      upserts,
      removedKeys,
      resourceGroups,
      purgePortalTags: !keepTags,
      resourceCount: seen.size,
      startedAt,
      finishedAt: new Date(),
    };
  }
}
