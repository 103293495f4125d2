import {
  AZURE_TENANT_EVENTS_TOPIC,
  AzureResourceGroupRecord,
  AzureResourceRecord,
  AzureSubscription,
  AzureTenantEvent,
  RemovedAzureResource,
  SyncMode,
  azureResourceEntityRef,
  azureSubscriptionEntityRef,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { EventsService } from '@backstage/plugin-events-node';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { createHash } from 'crypto';
import { AzureTenantCatalogClient } from '../client/AzureTenantCatalogClient';
import {
  DEFAULT_AZURE_TENANT_CATALOG_SCHEDULE,
  DEFAULT_OWNER_TAG_KEY,
} from '../config/AzureTenantCatalogConfig';
import { AzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import { azureTenantLocationKey } from '../entities/entityLocation';
import { AzureTenantEntityProviderOptions } from './AzureTenantEntityProviderOptions';
import {
  buildAzureResourceEntity,
  hasUnresolvedOwnerTag,
} from '../entities/resourceEntity';
import { buildAzureResourceGroupEntity } from '../entities/resourceGroupEntity';
import { buildAzureSubscriptionEntity } from '../entities/subscriptionEntity';
import {
  DEFAULT_AZURE_TENANT_ENTITIES,
  EntityGranularityResolver,
} from '../config/entityGranularity';
import {
  AZURE_TENANT_UNOWNED_GROUP_LOCATION_KEY,
  AZURE_TENANT_UNOWNED_GROUP_REF,
  buildAzureUnownedGroupEntity,
} from '../entities/unownedGroupEntity';

/** The name of the provider, as the catalog records it on every entity it provides. */
export const AZURE_TENANT_PROVIDER_NAME = 'azure-tenant';

/** The id of the provider's subscription on the events service. */
export const AZURE_TENANT_EVENTS_SUBSCRIBER_ID = 'catalog-azure-tenant';

/**
 * A run of the entity provider: `full` replaces every entity with a fresh listing, `delta` applies the changes since
 * the provider's cursor.
 *
 * @public
 */
export type AzureTenantProviderRunKind = 'full' | 'delta';

interface PendingRun {
  kind: AzureTenantProviderRunKind;
  logger: LoggerService;
  done: Array<() => void>;
}

/** What a run reads about subscriptions: their entities, with a hash of each, their sync modes and tenants. */
interface SubscriptionSnapshot {
  modes: Map<string, SyncMode>;
  entities: Map<string, { entity: DeferredEntity; hash: string }>;
  tenants: Map<string, string>;
  /** How each subscription's last sync ended: a resource group's tags change only with a sync. */
  syncs: Map<string, string>;
}

/** The resource group entities of each subscription (lower-cased id), by entity reference, with a hash of each. */
type GroupEntities = Map<
  string,
  Map<string, { entity: DeferredEntity; hash: string }>
>;

function hashOf(entity: unknown): string {
  return createHash('sha256').update(JSON.stringify(entity)).digest('base64');
}

/**
 * Provides a `Resource` entity for every onboarded Azure subscription, and, as configured per tenant or subscription
 * (`entities`), for every resource group with a count of its resources per type and for every synced Azure resource
 * of the chosen types. Resources are a `dependencyOf` their group, groups a `dependencyOf` their subscription.
 *
 * On connect it applies a full mutation from a complete listing of the backend plugin. Afterwards it applies only
 * deltas, on each event of the backend plugin and on a poll, from the changes after the revision it has seen; a
 * periodic full reconciliation corrects any drift. Runs never overlap: a run asked for while one is running is
 * coalesced into a single next run. A run that fails applies nothing and keeps its cursor, so a failed or partial
 * listing never removes entities.
 *
 * @public
 */
export class AzureTenantEntityProvider implements EntityProvider {
  private readonly client: AzureTenantCatalogClient;
  private readonly logger: LoggerService;
  private readonly ownerTagKey: string;
  private readonly defaultOwner: string;
  /** The group the provider adds when no default owner is configured. */
  private readonly unownedGroup?: DeferredEntity;
  private readonly loadOwners?: () => Promise<AzureOwnerDirectory>;
  private readonly ownersMaxAgeMs: number;
  private readonly unresolvedOwnersMaxAgeMs: number;
  private readonly scheduler?: SchedulerService;
  private readonly schedule: SchedulerServiceTaskScheduleDefinition;
  private readonly reconcileInterval: HumanDuration;
  private readonly events?: EventsService;
  private readonly now: () => number;
  private readonly granularity: EntityGranularityResolver;

  private connection?: EntityProviderConnection;
  /** The revision up to which the catalog holds every change; `undefined` until a full run succeeds. */
  private cursor?: number;
  private subscriptionHashes = new Map<string, string>();
  /** The hash of each resource group entity in the catalog, per subscription. */
  private groupHashes = new Map<string, Map<string, string>>();
  /** How each subscription's last sync had ended when its resource group entities were read. */
  private appliedSyncs = new Map<string, string>();
  private owners = AzureOwnerDirectory.empty();
  private ownersLoadedAt?: number;
  /** The fingerprint of the owner directory that the entities in the catalog were built with. */
  private appliedOwnersFingerprint?: string;
  /** The sync mode of each subscription that the resource entities in the catalog were built with. */
  private appliedModes = new Map<string, SyncMode>();
  /** Whether an entity in the catalog has an owner tag that the directory did not resolve. */
  private unresolvedOwnerTags = false;

  private pending?: PendingRun;
  private draining?: Promise<void>;

  constructor(options: AzureTenantEntityProviderOptions) {
    this.client = options.client;
    this.logger = options.logger;
    this.ownerTagKey = options.ownerTagKey ?? DEFAULT_OWNER_TAG_KEY;
    this.defaultOwner = options.defaultOwner ?? AZURE_TENANT_UNOWNED_GROUP_REF;
    if (!options.defaultOwner) {
      this.unownedGroup = {
        entity: buildAzureUnownedGroupEntity(),
        locationKey: AZURE_TENANT_UNOWNED_GROUP_LOCATION_KEY,
      };
    }
    this.loadOwners = options.loadOwners;
    this.ownersMaxAgeMs = durationToMilliseconds(
      options.ownersMaxAge ?? { minutes: 5 },
    );
    this.unresolvedOwnersMaxAgeMs = durationToMilliseconds(
      options.unresolvedOwnersMaxAge ?? { seconds: 30 },
    );
    this.scheduler = options.scheduler;
    this.schedule = options.schedule ?? DEFAULT_AZURE_TENANT_CATALOG_SCHEDULE;
    this.reconcileInterval = options.reconcileInterval ?? { hours: 6 };
    this.events = options.events;
    this.now = options.now ?? Date.now;
    this.granularity = new EntityGranularityResolver(
      options.entities ?? DEFAULT_AZURE_TENANT_ENTITIES,
    );
  }

  getProviderName(): string {
    return AZURE_TENANT_PROVIDER_NAME;
  }

  /**
   * Starts the provider: a full run in the background (its errors are logged, and the poll tries again), the
   * subscription to the backend plugin's events, and the scheduled poll and reconciliation.
   */
  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    // Not awaited: the backend plugin may still be starting, and the catalog must not wait for a listing.
    void this.refresh('full');

    await this.events?.subscribe({
      id: AZURE_TENANT_EVENTS_SUBSCRIBER_ID,
      topics: [AZURE_TENANT_EVENTS_TOPIC],
      onEvent: async params => this.onEvent(params.eventPayload),
    });

    if (this.scheduler) {
      const pollTaskId = `${AZURE_TENANT_PROVIDER_NAME}:poll`;
      await this.scheduler.scheduleTask({
        ...this.schedule,
        id: pollTaskId,
        // Each instance keeps its own cursor, so each one polls.
        scope: 'local',
        fn: () =>
          this.refresh('delta', this.logger.child({ taskId: pollTaskId })),
      });
      const reconcileTaskId = `${AZURE_TENANT_PROVIDER_NAME}:reconcile`;
      await this.scheduler.scheduleTask({
        id: reconcileTaskId,
        scope: 'local',
        frequency: this.reconcileInterval,
        initialDelay: this.reconcileInterval,
        timeout: { minutes: 30 },
        fn: () =>
          this.refresh('full', this.logger.child({ taskId: reconcileTaskId })),
      });
    }
  }

  /**
   * Asks for a run and resolves when it has finished; never rejects (failures are logged). `full` replaces every
   * entity of the provider; `delta` applies what changed since the last run, or a full run when none succeeded yet.
   * While a run is in progress, requests are coalesced into one next run, which is full if any of them asked for it.
   */
  refresh(
    kind: AzureTenantProviderRunKind = 'delta',
    logger = this.logger,
  ): Promise<void> {
    return new Promise(resolve => {
      if (this.pending) {
        if (kind === 'full') {
          this.pending.kind = 'full';
        }
        this.pending.done.push(resolve);
      } else {
        this.pending = { kind, logger, done: [resolve] };
      }
      if (!this.draining) {
        this.draining = this.drain();
      }
    });
  }

  /** Resolves once no run is in progress or waiting. */
  async idle(): Promise<void> {
    while (this.draining) {
      await this.draining;
    }
  }

  private async drain(): Promise<void> {
    while (this.pending) {
      const run = this.pending;
      this.pending = undefined;
      try {
        await this.run(run.kind, run.logger);
      } catch (error) {
        run.logger.error(
          `Azure tenant entity provider: ${
            run.kind
          } refresh failed, the catalog keeps its last good state: ${stringifyError(
            error,
          )}`,
          { refresh: run.kind, errorName: (error as Error)?.name ?? 'Error' },
        );
      }
      run.done.forEach(resolve => resolve());
    }
    // Cleared in the same tick as the last check of `pending`, so that a request made when a waiter resumes starts
    // a new drain rather than waiting on this finished one.
    this.draining = undefined;
  }

  private onEvent(payload: unknown) {
    const event = payload as Partial<AzureTenantEvent> | undefined;
    if (event?.type === 'resources-changed') {
      if (
        this.cursor !== undefined &&
        typeof event.revision === 'number' &&
        event.revision <= this.cursor &&
        !this.pending
      ) {
        return; // Already applied.
      }
      void this.refresh('delta');
    } else if (event?.type === 'subscription-changed') {
      void this.refresh('delta');
    }
  }

  private async run(
    kind: AzureTenantProviderRunKind,
    logger: LoggerService,
  ): Promise<void> {
    const connection = this.connection;
    if (!connection) {
      throw new Error('not connected to the catalog yet');
    }
    const started = this.now();
    const subscriptions = await this.client.listSubscriptions();
    const owners = await this.currentOwners(kind === 'full', logger);
    const snapshot = this.snapshotSubscriptions(subscriptions);

    if (
      kind === 'full' ||
      this.cursor === undefined ||
      owners.fingerprint !== this.appliedOwnersFingerprint ||
      // A new sync mode changes every resource entity of its subscription (its annotation, its tags, or whether it
      // exists), and the feed carries none of that until the sync has run: rebuild them all now, so that the change
      // reaches the catalog in one step, whatever the mode.
      this.modesChanged(snapshot)
    ) {
      await this.runFull(connection, snapshot, owners, logger);
    } else {
      await this.runDelta(connection, this.cursor, snapshot, owners, logger);
    }
    logger.debug(
      `Azure tenant entity provider: ${kind} refresh took ${
        this.now() - started
      } ms`,
      { refresh: kind, durationMs: this.now() - started },
    );
  }

  private async runFull(
    connection: EntityProviderConnection,
    snapshot: SubscriptionSnapshot,
    owners: AzureOwnerDirectory,
    logger: LoggerService,
  ) {
    const entities: DeferredEntity[] = [];
    let revision: number | undefined;
    let pageCursor: string | undefined;
    // A full run rebuilds every entity, so it finds out again whether any owner tag is unresolved.
    const hadUnresolvedOwnerTags = this.unresolvedOwnerTags;
    this.unresolvedOwnerTags = false;
    const seenCursors = new Set<string>();
    do {
      const page = await this.client.listResources(pageCursor);
      // The first page's revision is the one at the start of the listing: later changes come as deltas.
      revision ??= page.revision;
      for (const record of page.items) {
        const mode = snapshot.modes.get(record.subscriptionId.toLowerCase());
        if (mode !== 'none' && this.becomesEntity(record)) {
          entities.push(this.resourceEntity(record, mode, owners));
        }
      }
      pageCursor = page.nextCursor;
      if (pageCursor !== undefined) {
        if (seenCursors.has(pageCursor)) {
          throw new Error(
            `the resource listing returned the cursor '${pageCursor}' twice`,
          );
        }
        seenCursors.add(pageCursor);
      }
    } while (pageCursor !== undefined);

    const resourceCount = entities.length;
    const groups = await this.readGroups(
      snapshot,
      owners,
      [...snapshot.entities.keys()].filter(id => this.hasGroups(snapshot, id)),
      'all',
    );
    let groupCount = 0;
    for (const ofSubscription of groups.values()) {
      for (const { entity } of ofSubscription.values()) {
        entities.push(entity);
        groupCount++;
      }
    }
    for (const { entity } of snapshot.entities.values()) {
      entities.push(entity);
    }
    if (this.unownedGroup) {
      entities.push(this.unownedGroup);
    }
    try {
      await connection.applyMutation({ type: 'full', entities });
    } catch (error) {
      this.unresolvedOwnerTags ||= hadUnresolvedOwnerTags;
      throw error;
    }

    this.cursor = revision;
    this.subscriptionHashes = new Map(
      [...snapshot.entities].map(([id, { hash }]) => [id, hash]),
    );
    this.appliedOwnersFingerprint = owners.fingerprint;
    this.appliedModes = snapshot.modes;
    this.groupHashes = hashesOf(groups);
    this.appliedSyncs = snapshot.syncs;
    logger.info(
      `Azure tenant entity provider: applied ${resourceCount} resources, ${groupCount} resource groups and ${snapshot.entities.size} subscriptions (full, revision ${revision})`,
      {
        refresh: 'full',
        revision,
        resourceCount,
        resourceGroupCount: groupCount,
        subscriptionCount: snapshot.entities.size,
      },
    );
  }

  private async runDelta(
    connection: EntityProviderConnection,
    after: number,
    snapshot: SubscriptionSnapshot,
    owners: AzureOwnerDirectory,
    logger: LoggerService,
  ) {
    // Keyed by the lower-cased resource id: the last word on each resource wins.
    const changed = new Map<string, AzureResourceRecord>();
    const removed = new Map<string, RemovedAzureResource>();
    let revision = after;
    for (;;) {
      const page = await this.client.listChanges(revision);
      for (const record of page.changed) {
        const id = record.resourceId.toLowerCase();
        removed.delete(id);
        changed.set(id, record);
      }
      for (const gone of page.removed) {
        const id = gone.resourceId.toLowerCase();
        changed.delete(id);
        removed.set(id, gone);
      }
      if (!page.hasMore) {
        revision = Math.max(revision, page.revision);
        break;
      }
      if (!(page.revision > revision)) {
        throw new Error(
          `the change feed did not advance past revision ${revision}`,
        );
      }
      revision = page.revision;
    }

    const added: DeferredEntity[] = [];
    const removedEntities: { entityRef: string; locationKey: string }[] = [];
    // The subscriptions whose resource groups may have changed: those of changed resources, and those synced since.
    const touched = new Set<string>();
    for (const record of changed.values()) {
      const mode = snapshot.modes.get(record.subscriptionId.toLowerCase());
      touched.add(record.subscriptionId.toLowerCase());
      if (mode === 'none') {
        removedEntities.push(removedResource(record));
      } else if (this.becomesEntity(record)) {
        added.push(this.resourceEntity(record, mode, owners));
      }
      // A type never changes and the granularity is fixed while the provider runs: a resource that is no entity
      // now was none before either, so there is nothing to remove.
    }
    for (const gone of removed.values()) {
      touched.add(gone.subscriptionId.toLowerCase());
      removedEntities.push(removedResource(gone));
    }
    for (const [id, sync] of snapshot.syncs) {
      if (this.appliedSyncs.get(id) !== sync) touched.add(id);
    }
    const groupHashes = new Map(this.groupHashes);
    const groups = await this.readGroups(
      snapshot,
      owners,
      [...touched].filter(id => this.hasGroups(snapshot, id)),
      'each',
    );
    let groupsChanged = 0;
    for (const id of touched) {
      const now = groups.get(id) ?? new Map();
      const before = this.groupHashes.get(id) ?? new Map<string, string>();
      for (const [ref, { entity, hash }] of now) {
        if (before.get(ref) !== hash) {
          added.push(entity);
          groupsChanged++;
        }
      }
      for (const ref of before.keys()) {
        if (!now.has(ref)) {
          removedEntities.push({
            entityRef: ref,
            locationKey: azureTenantLocationKey(id),
          });
          groupsChanged++;
        }
      }
      groupHashes.set(id, new Map([...now].map(([ref, g]) => [ref, g.hash])));
    }

    let subscriptionsChanged = 0;
    for (const [id, { entity, hash }] of snapshot.entities) {
      if (this.subscriptionHashes.get(id) !== hash) {
        added.push(entity);
        subscriptionsChanged++;
      }
    }
    const goneSubscriptions = [...this.subscriptionHashes.keys()].filter(
      id => !snapshot.entities.has(id),
    );
    for (const id of goneSubscriptions) {
      removedEntities.push({
        entityRef: azureSubscriptionEntityRef(id),
        locationKey: azureTenantLocationKey(id),
      });
      for (const ref of groupHashes.get(id)?.keys() ?? []) {
        removedEntities.push({
          entityRef: ref,
          locationKey: azureTenantLocationKey(id),
        });
      }
      groupHashes.delete(id);
    }

    if (added.length > 0 || removedEntities.length > 0) {
      await connection.applyMutation({
        type: 'delta',
        added,
        removed: removedEntities,
      });
      logger.info(
        `Azure tenant entity provider: applied ${changed.size} changed and ${removed.size} removed resources, ${groupsChanged} changed resource groups, ${subscriptionsChanged} changed and ${goneSubscriptions.length} removed subscriptions (revision ${revision})`,
        {
          refresh: 'delta',
          revision,
          resourcesChanged: changed.size,
          resourcesRemoved: removed.size,
          resourceGroupsChanged: groupsChanged,
          subscriptionsChanged,
          subscriptionsRemoved: goneSubscriptions.length,
        },
      );
    }
    this.cursor = revision;
    this.subscriptionHashes = new Map(
      [...snapshot.entities].map(([id, { hash }]) => [id, hash]),
    );
    this.appliedModes = snapshot.modes;
    this.groupHashes = groupHashes;
    this.appliedSyncs = snapshot.syncs;
  }

  /** Whether a resource becomes an entity under the granularity of its subscription. */
  private becomesEntity(record: AzureResourceRecord): boolean {
    return this.granularity
      .resolve(record.subscriptionId, record.tenantId)
      .includesType(record.type);
  }

  /** Whether a subscription has resource group entities: at the levels `resources` and `resource-groups`. */
  private hasGroups(snapshot: SubscriptionSnapshot, id: string): boolean {
    const tenantId = snapshot.tenants.get(id);
    return (
      tenantId !== undefined &&
      snapshot.modes.get(id) !== 'none' &&
      this.granularity.resolve(id, tenantId).level !== 'subscriptions'
    );
  }

  /**
   * The resource group entities of these subscriptions: from one listing of every group (a full run), or from one
   * listing per subscription (a delta run, for the subscriptions it touched).
   */
  private async readGroups(
    snapshot: SubscriptionSnapshot,
    owners: AzureOwnerDirectory,
    subscriptionIds: string[],
    listing: 'all' | 'each',
  ): Promise<GroupEntities> {
    const wanted = new Set(subscriptionIds);
    const groups: GroupEntities = new Map();
    if (wanted.size === 0) return groups;
    const listings = listing === 'all' ? [undefined] : [...wanted];
    for (const subscriptionId of listings) {
      let cursor: string | undefined;
      const seenCursors = new Set<string>();
      do {
        const page = await this.client.listResourceGroups({
          subscriptionId,
          cursor,
        });
        for (const record of page.items) {
          const id = record.subscriptionId.toLowerCase();
          if (!wanted.has(id)) continue;
          const entity = this.resourceGroupEntity(
            record,
            snapshot.tenants.get(id)!,
            snapshot.modes.get(id),
            owners,
          );
          const ofSubscription = groups.get(id) ?? new Map();
          ofSubscription.set(stringifyEntityRef(entity.entity), {
            entity,
            hash: hashOf(entity.entity),
          });
          groups.set(id, ofSubscription);
        }
        cursor = page.nextCursor;
        if (cursor !== undefined) {
          if (seenCursors.has(cursor)) {
            throw new Error(
              `the resource group listing returned the cursor '${cursor}' twice`,
            );
          }
          seenCursors.add(cursor);
        }
      } while (cursor !== undefined);
    }
    return groups;
  }

  private resourceGroupEntity(
    record: AzureResourceGroupRecord,
    tenantId: string,
    syncMode: SyncMode | undefined,
    owners: AzureOwnerDirectory,
  ): DeferredEntity {
    const options = {
      tenantId,
      syncMode,
      ownerTagKey: this.ownerTagKey,
      owners,
      defaultOwner: this.defaultOwner,
    };
    if (
      !this.unresolvedOwnerTags &&
      hasUnresolvedOwnerTag({ tags: record.tags }, options)
    ) {
      this.unresolvedOwnerTags = true;
    }
    return {
      entity: buildAzureResourceGroupEntity(record, options),
      locationKey: azureTenantLocationKey(record.subscriptionId),
    };
  }

  private modesChanged(snapshot: SubscriptionSnapshot): boolean {
    for (const [id, mode] of snapshot.modes) {
      const applied = this.appliedModes.get(id);
      if (applied !== undefined && applied !== mode) return true;
    }
    return false;
  }

  private resourceEntity(
    record: AzureResourceRecord,
    syncMode: SyncMode | undefined,
    owners: AzureOwnerDirectory,
  ): DeferredEntity {
    const options = {
      syncMode,
      ownerTagKey: this.ownerTagKey,
      owners,
      defaultOwner: this.defaultOwner,
    };
    if (!this.unresolvedOwnerTags && hasUnresolvedOwnerTag(record, options)) {
      this.unresolvedOwnerTags = true;
    }
    return {
      entity: buildAzureResourceEntity(record, options),
      locationKey: azureTenantLocationKey(record.subscriptionId),
    };
  }

  private snapshotSubscriptions(
    subscriptions: AzureSubscription[],
  ): SubscriptionSnapshot {
    const snapshot: SubscriptionSnapshot = {
      modes: new Map(),
      entities: new Map(),
      tenants: new Map(),
      syncs: new Map(),
    };
    for (const subscription of subscriptions) {
      const id = subscription.subscriptionId.toLowerCase();
      const entity = buildAzureSubscriptionEntity(subscription, {
        owner: this.defaultOwner,
      });
      snapshot.modes.set(id, subscription.syncMode);
      snapshot.tenants.set(id, subscription.tenantId);
      snapshot.syncs.set(
        id,
        `${subscription.lastSync?.status}/${subscription.lastSync?.finishedAt}`,
      );
      snapshot.entities.set(id, {
        entity: {
          entity,
          locationKey: azureTenantLocationKey(subscription.subscriptionId),
        },
        hash: hashOf(entity),
      });
    }
    return snapshot;
  }

  /**
   * The owner directory to build entities with: loaded again on every full run, and on a delta run once it is older
   * than the maximum age (the shorter one while an owner tag is unresolved) or while it is empty. A failed load keeps
   * the previous directory. A directory that resolves differently makes the run a full one.
   */
  private async currentOwners(
    forceReload: boolean,
    logger: LoggerService,
  ): Promise<AzureOwnerDirectory> {
    if (!this.loadOwners) {
      return this.owners;
    }
    const age =
      this.ownersLoadedAt === undefined
        ? Infinity
        : this.now() - this.ownersLoadedAt;
    // An empty directory is loaded again on every run: at startup the catalog may not have ingested its groups and
    // users yet, and owners should resolve as soon as it has.
    const empty =
      this.owners.fingerprint === AzureOwnerDirectory.empty().fingerprint;
    const maxAge = this.unresolvedOwnerTags
      ? this.unresolvedOwnersMaxAgeMs
      : this.ownersMaxAgeMs;
    if (forceReload || empty || age >= maxAge) {
      try {
        this.owners = await this.loadOwners();
        this.ownersLoadedAt = this.now();
      } catch (error) {
        logger.warn(
          `Azure tenant entity provider: could not load groups and users from the catalog, owners resolve with the previous list: ${stringifyError(
            error,
          )}`,
          { errorName: (error as Error)?.name ?? 'Error' },
        );
      }
    }
    return this.owners;
  }
}

function hashesOf(groups: GroupEntities): Map<string, Map<string, string>> {
  return new Map(
    [...groups].map(([id, ofSubscription]) => [
      id,
      new Map([...ofSubscription].map(([ref, { hash }]) => [ref, hash])),
    ]),
  );
}

function removedResource(resource: {
  resourceId: string;
  subscriptionId: string;
}): { entityRef: string; locationKey: string } {
  return {
    entityRef: azureResourceEntityRef(resource.resourceId),
    locationKey: azureTenantLocationKey(resource.subscriptionId),
  };
}
