import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ResourceManagementClient } from '@azure/arm-resources';
import { createResourceManagement } from '@azure/arm-resources/api';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import { LoggerService } from '@backstage/backend-plugin-api';
import { AzureSubscription } from '@azure-tenant/plugin-azure-tenant-common';
import {
  AccessProblemFinding,
  AzureAccessError,
  classifyAccessProblem,
  isAzureAccessError,
  stopsSync,
  subscriptionStateProblem,
} from '../azure/accessProblems';
import { ARM_APP_SCOPE, AzureConnection } from '../azure/azureConnection';
import {
  BUILT_IN_ROLE_IDS,
  coversSubscription,
  roleDefinitionGuid,
} from '../azure/builtInRoles';
import { readAccessTokenClaims } from '../azure/jwtClaims';
import {
  ResourceStore,
  SyncedResource,
  SyncedResourceGroup,
} from '../database/ResourceStore';
import { resourceContentHash, sortedTags } from '../tags';
import {
  AzureFailureReason,
  azureFailureReason,
} from '../metrics/azureFailure';
import { AzureTenantMetrics } from '../metrics/azureTenantMetrics';
import { listResourcePages } from './armResourcePages';
import { SyncConfig } from './SyncConfig';
import { describeAzureError } from '../azure/describeAzureError';
import { durationMs } from './SyncConfig';
import { listingSettings } from './changeFeed/syncPlan';

/** What one subscription's sync did. */
export interface SubscriptionSyncReport {
  subscriptionId: string;
  status: 'succeeded' | 'failed';
  resourceCount: number;
  /** Resources written or removed. */
  changed: number;
  /** The feed revision after the sync. */
  revision: number;
  /**
   * Whether the sync listed the subscription in full, or applied Resource Graph's change feed since its last run;
   * absent when it could not start (its tenant refused the portal).
   */
  kind?: 'full' | 'incremental';
  error?: string;
  /** Why a failed sync failed, for the metrics: a closed set, never a message. */
  failureReason?: AzureFailureReason;
  /**
   * A lost-access problem met by this sync: why it failed, or on a sync that succeeded, a state to show (a `Warned`
   * subscription). Undefined when the portal has access.
   */
  access?: AccessProblemFinding;
  /** The subscription's name in Azure, read with its state; absent under `none`, which reads nothing. */
  displayName?: string;
  /**
   * The subscription's own tags in Azure, read with its state (`{}` when it has none); absent under `no-tags` and
   * `none`, which keep no tags.
   */
  tags?: Record<string, string>;
  startedAt: Date;
  finishedAt: Date;
}

/** What the portal's service principal sees of a tenant: an access problem, or the subscriptions it can read. */
export type TenantAccessCheck =
  | { finding: AccessProblemFinding }
  | {
      finding?: undefined;
      subscriptions: Array<{ subscriptionId: string; displayName: string }>;
    };

/** The resource group named in a resource id ('' when none), in the id's casing. */
export function resourceGroupOf(resourceId: string): string {
  const match = /\/resourceGroups\/([^/]+)/i.exec(resourceId);
  return match ? match[1] : '';
}

/** An ISO 8601 time from Azure as epoch milliseconds; undefined when absent or not a valid time. */
export function epochMs(time: string | undefined): number | undefined {
  if (typeof time !== 'string') return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Whether the type filters of the config let a resource type through. */
export function typeAllowed(config: SyncConfig, type: string): boolean {
  const lower = type.toLowerCase();
  if (config.includeTypes.size > 0 && !config.includeTypes.has(lower)) {
    return false;
  }
  return !config.excludeTypes.has(lower);
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
      /** Counts throttled requests and waits; the sync's runs are counted by its caller. */
      metrics?: AzureTenantMetrics;
    },
  ) {}

  /**
   * Whether the portal's service principal holds a role that reads everything on the subscription (Reader, or
   * Contributor or Owner, which include it), at the subscription or above. A resource listing alone does not prove
   * it: Tag Contributor may list resources, while Cost Management wants Reader. Reads the principal's role
   * assignments, which every role the portal is given may read.
   */
  async holdsReadRole(subscription: AzureSubscription): Promise<boolean> {
    const { connection } = this.options;
    const credential = connection.appCredential(subscription.tenantId);
    const token = await credential.getToken(ARM_APP_SCOPE);
    const principalId = token && readAccessTokenClaims(token.token).oid;
    if (!principalId) return false;
    const scope = `/subscriptions/${subscription.subscriptionId}`;
    const client = new AuthorizationManagementClient(
      credential,
      subscription.subscriptionId,
      connection.armClientOptions(),
    );
    const readRoles = new Set([
      BUILT_IN_ROLE_IDS.reader,
      BUILT_IN_ROLE_IDS.contributor,
      BUILT_IN_ROLE_IDS.owner,
    ]);
    for await (const assignment of client.roleAssignments.listForScope(scope, {
      filter: `principalId eq '${principalId}'`,
    })) {
      if (
        assignment.roleDefinitionId &&
        assignment.scope &&
        readRoles.has(roleDefinitionGuid(assignment.roleDefinitionId)) &&
        coversSubscription(assignment.scope, scope)
      ) {
        return true;
      }
    }
    return false;
  }

  async sync(subscription: AzureSubscription): Promise<SubscriptionSyncReport> {
    const { store, logger } = this.options;
    const { subscriptionId } = subscription;
    const startedAt = new Date();
    let stateFinding: AccessProblemFinding | undefined;
    let displayName: string | undefined;
    let tags: Record<string, string> | undefined;
    let azureTimeMs: number | undefined;
    try {
      if (subscription.syncMode !== 'none') {
        ({
          finding: stateFinding,
          displayName,
          tags,
          azureTimeMs,
        } = await this.readState(subscription));
        if (stateFinding && stopsSync(stateFinding.problem)) {
          throw new AzureAccessError(stateFinding);
        }
      }
      const result =
        subscription.syncMode === 'none'
          ? await this.removeAll(subscription, startedAt)
          : await this.readFromAzure(subscription, startedAt);
      const { revision, changed } = await store.applySync({
        ...result,
        changeFeed: this.changeFeedAfterListing(subscription, azureTimeMs),
      });
      logger.info(
        `Synced subscription ${subscriptionId} (${subscription.syncMode}): ${result.resourceCount} resources, ${changed} changes`,
        {
          tenantId: subscription.tenantId,
          subscriptionId,
          syncMode: subscription.syncMode,
          resourceCount: result.resourceCount,
          changed,
        },
      );
      return {
        subscriptionId,
        status: 'succeeded',
        resourceCount: result.resourceCount,
        changed,
        revision,
        kind: 'full',
        ...(stateFinding ? { access: stateFinding } : {}),
        ...(displayName ? { displayName } : {}),
        ...(tags && subscription.syncMode !== 'no-tags' ? { tags } : {}),
        startedAt,
        finishedAt: result.finishedAt,
      };
    } catch (error) {
      const access = isAzureAccessError(error)
        ? error.finding
        : classifyAccessProblem(error, 'read', subscription);
      // Lost access is said in a sentence; the raw error (with scopes and tracing options) is never kept.
      const message = access ? access.message : describeAzureError(error);
      logger.warn(
        `Sync of subscription ${subscriptionId} failed, keeping its last good state: ${message}`,
        {
          subscriptionId,
          tenantId: subscription.tenantId,
          ...(access ? { accessProblem: access.problem } : {}),
        },
      );
      return {
        subscriptionId,
        status: 'failed',
        resourceCount: 0,
        changed: 0,
        revision: 0,
        kind: 'full',
        error: message,
        ...(access ? { access } : {}),
        failureReason: azureFailureReason(error),
        startedAt,
        finishedAt: new Date(),
      };
    }
  }

  /**
   * Whether the portal still gets a token in the tenant, and which subscriptions its service principal can read
   * there (`GET /subscriptions`, app-only). With `renewToken`, the cached token is dropped first, so that Entra ID
   * is asked again: a token outlives a revoked consent.
   */
  async checkTenant(
    tenantId: string,
    options: { renewToken?: boolean } = {},
  ): Promise<TenantAccessCheck> {
    const { connection } = this.options;
    if (options.renewToken) connection.renewAppCredential(tenantId);
    const credential = connection.appCredential(tenantId);
    try {
      await credential.getToken(ARM_APP_SCOPE);
    } catch (error) {
      const finding = classifyAccessProblem(error, 'token', { tenantId });
      if (finding) return { finding };
      throw error;
    }
    const client = new SubscriptionClient(
      credential,
      connection.armClientOptions(),
    );
    const subscriptions: Array<{
      subscriptionId: string;
      displayName: string;
    }> = [];
    for await (const item of client.subscriptions.list()) {
      if (!item.subscriptionId) continue;
      if (
        item.tenantId &&
        item.tenantId.toLowerCase() !== tenantId.toLowerCase()
      ) {
        continue;
      }
      subscriptions.push({
        subscriptionId: item.subscriptionId.toLowerCase(),
        displayName: item.displayName ?? item.subscriptionId,
      });
    }
    return { subscriptions };
  }

  /**
   * Where the change feed stands after a full listing: its cursor is Azure's time when the listing began (the `Date`
   * of its first answer, `GET /subscriptions/{id}`) minus the overlap, so that a change made while it listed is read
   * again. Under `none` there is none; without Azure's time the cursor is left as it was.
   */
  private changeFeedAfterListing(
    subscription: AzureSubscription,
    azureTimeMs: number | undefined,
  ) {
    if (subscription.syncMode === 'none') return null;
    if (azureTimeMs === undefined) return undefined;
    const { config } = this.options;
    return {
      cursor: new Date(
        azureTimeMs - durationMs(config.changeFeed.overlap),
      ).toISOString(),
      fullListing: {
        at: new Date(azureTimeMs).toISOString(),
        settings: listingSettings(subscription.syncMode, config),
      },
    };
  }

  /**
   * The subscription in Azure (`GET /subscriptions/{id}`): its state, as an access problem when it is not enabled,
   * its name (a subscription declared in config without one shows its id until then), its own tags (Azure leaves
   * `tags` out when there are none), and Azure's time of the answer (its `Date` header).
   */
  async readState(subscription: AzureSubscription): Promise<{
    finding?: AccessProblemFinding;
    displayName?: string;
    tags: Record<string, string>;
    azureTimeMs?: number;
  }> {
    const { connection } = this.options;
    const client = new SubscriptionClient(
      connection.appCredential(subscription.tenantId),
      connection.armClientOptions(),
    );
    let azureTimeMs: number | undefined;
    const found = await client.subscriptions.get(subscription.subscriptionId, {
      onResponse: response => {
        azureTimeMs = epochMs(response.headers.get('date'));
      },
    });
    return {
      azureTimeMs,
      finding: subscriptionStateProblem(
        found.state,
        subscription.subscriptionId,
      ),
      displayName: found.displayName || undefined,
      tags:
        found.tags && typeof found.tags === 'object'
          ? sortedTags(found.tags)
          : {},
    };
  }

  /** The subscription's resource groups in Azure, with their tags unless the sync mode keeps none. */
  async readResourceGroups(
    subscription: AzureSubscription,
    client = new ResourceManagementClient(
      this.options.connection.appCredential(subscription.tenantId),
      subscription.subscriptionId,
      this.options.connection.armClientOptions({
        tenantId: subscription.tenantId,
        metrics: this.options.metrics,
        minRemainingReads: this.options.config.minRemainingReads,
      }),
    ),
  ): Promise<SyncedResourceGroup[]> {
    const keepTags = subscription.syncMode !== 'no-tags';
    const resourceGroups: SyncedResourceGroup[] = [];
    for await (const group of client.resourceGroups.list()) {
      if (!group.name) continue;
      resourceGroups.push({
        name: group.name,
        location: group.location,
        tags: keepTags && group.tags ? sortedTags(group.tags) : undefined,
      });
    }
    return resourceGroups;
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
    const { connection, store, config, metrics } = this.options;
    const { subscriptionId, tenantId, syncMode } = subscription;
    const keepTags = syncMode !== 'no-tags';
    const clientOptions = connection.armClientOptions({
      tenantId,
      metrics,
      minRemainingReads: config.minRemainingReads,
    });
    const credential = connection.appCredential(tenantId);
    const client = new ResourceManagementClient(
      credential,
      subscriptionId,
      clientOptions,
    );

    const resourceGroups = await this.readResourceGroups(subscription, client);

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
