import { ResourceManagementClient } from '@azure/arm-resources';
import { createResourceManagement } from '@azure/arm-resources/api';
import { LoggerService } from '@backstage/backend-plugin-api';
import { AzureSubscription } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureConnection } from '../azure/azureConnection';
import {
  ResourceStore,
  SyncedResource,
  SyncedResourceGroup,
} from '../database/ResourceStore';
import { resourceContentHash, sortedTags } from '../tags';
import { listResourcePages } from './armResourcePages';
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
  startedAt: Date;
  finishedAt: Date;
}

function resourceGroupOf(resourceId: string): string {
  const match = /\/resourceGroups\/([^/]+)/i.exec(resourceId);
  return match ? match[1] : '';
}

/** An ISO 8601 time from Azure as epoch milliseconds; undefined when absent or not a valid time. */
function epochMs(time: string | undefined): number | undefined {
  if (typeof time !== 'string') return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Whether the type filters of the config let a resource type through. */
function typeAllowed(config: SyncConfig, type: string): boolean {
  const lower = type.toLowerCase();
  if (config.includeTypes.size > 0 && !config.includeTypes.has(lower)) {
    return false;
  }
  return !config.excludeTypes.has(lower);
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
 * failed or partial sync leaves the last good state. It returns how the sync ended; the caller records that on the
 * subscription.
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
        startedAt,
        finishedAt: result.finishedAt,
      };
    } catch (error) {
      const message = describe(error);
      logger.warn(
        `Sync of subscription ${subscriptionId} failed, keeping its last good state: ${message}`,
      );
      return {
        subscriptionId,
        status: 'failed',
        resourceCount: 0,
        changed: 0,
        revision: 0,
        error: message,
        startedAt,
        finishedAt: new Date(),
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
    const clientOptions = {
      ...connection.armClientOptions(),
      additionalPolicies: [
        {
          policy: armThrottlingPolicy({
            minRemainingReads: config.minRemainingReads,
          }),
          position: 'perCall' as const,
        },
      ],
    };
    const credential = connection.appCredential(tenantId);
    const client = new ResourceManagementClient(
      credential,
      subscriptionId,
      clientOptions,
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

    // Each stored hash names one resource (the hash covers its id): `false` until Azure lists that resource as it
    // is stored. What stays `false` at the end changed or went away.
    const stored = new Map<string, boolean>();
    for (const hash of await store.loadContentHashes(subscriptionId)) {
      stored.set(hash, false);
    }
    const filterTypes =
      config.includeTypes.size > 0 || config.excludeTypes.size > 0;
    let unchanged = 0;
    const upserts = new Map<string, SyncedResource>();
    const pages = listResourcePages(
      createResourceManagement(credential, subscriptionId, clientOptions),
      { expand: 'createdTime,changedTime', top: config.pageSize },
    );
    for await (const page of pages) {
      for (const item of page) {
        if (
          typeof item.id !== 'string' ||
          typeof item.type !== 'string' ||
          typeof item.name !== 'string'
        ) {
          continue;
        }
        const type = item.type;
        if (filterTypes && !typeAllowed(config, type)) continue;
        const tags =
          keepTags && item.tags && typeof item.tags === 'object'
            ? item.tags
            : undefined;
        const createdTimeMs = epochMs(item.createdTime);
        const changedTimeMs = epochMs(item.changedTime);
        // The hash comes straight from Azure's item; a record is built only for what changed.
        const contentHash = resourceContentHash({
          resourceId: item.id,
          tenantId,
          name: item.name,
          type,
          location: item.location,
          kind: item.kind,
          tags,
          createdTimeMs,
          changedTimeMs,
        });
        const listed = stored.get(contentHash);
        if (listed !== undefined) {
          // Unchanged (or listed twice by Azure's paging: counted once).
          if (!listed) {
            stored.set(contentHash, true);
            unchanged++;
          }
          continue;
        }
        const key = item.id.toLowerCase();
        upserts.set(key, {
          key,
          resourceId: item.id,
          subscriptionId,
          tenantId,
          resourceGroup: resourceGroupOf(item.id),
          name: item.name,
          type,
          ...(item.location ? { location: item.location } : {}),
          ...(item.kind ? { kind: item.kind } : {}),
          ...(tags ? { tags: sortedTags(tags) } : {}),
          ...(createdTimeMs !== undefined
            ? { createdTime: new Date(createdTimeMs).toISOString() }
            : {}),
          ...(changedTimeMs !== undefined
            ? { changedTime: new Date(changedTimeMs).toISOString() }
            : {}),
          contentHash,
        });
      }
    }

    const unlisted: string[] = [];
    for (const [hash, listed] of stored) if (!listed) unlisted.push(hash);
    // Stored resources Azure did not list as stored: changed (they are upserts) or gone.
    const removedKeys =
      unlisted.length === 0
        ? []
        : (await store.keysOfContentHashes(subscriptionId, unlisted)).filter(
            key => !upserts.has(key),
          );

    return {
      subscriptionId,
      upserts: [...upserts.values()],
      removedKeys,
      resourceGroups,
      purgePortalTags: !keepTags,
      resourceCount: unchanged + upserts.size,
      startedAt,
      finishedAt: new Date(),
    };
  }
}
