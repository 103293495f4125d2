import { LoggerService } from '@backstage/backend-plugin-api';
import { AzureSubscription } from '@azure-tenant/plugin-azure-tenant-common';
import pLimit from 'p-limit';
import {
  AccessProblemFinding,
  AzureAccessError,
  classifyAccessProblem,
  isAzureAccessError,
  stopsSync,
} from '../../azure/accessProblems';
import { describeAzureError } from '../../azure/describeAzureError';
import {
  ChangeFeedCursor,
  ResourceStore,
  SubscriptionSyncResult,
  SyncedResource,
  SyncedResourceGroup,
} from '../../database/ResourceStore';
import { azureFailureReason } from '../../metrics/azureFailure';
import { resourceContentHash, sortedTags } from '../../tags';
import {
  epochMs,
  resourceGroupOf,
  ResourceSyncer,
  SubscriptionSyncReport,
  typeAllowed,
} from '../ResourceSyncer';
import { durationMs, SyncConfig } from '../SyncConfig';
import { TenantBatchSyncer } from '../TenantBatchSyncer';
import { armResourceTypeOfId } from './armResourceType';
import {
  ChangesSince,
  ContainerChange,
  ResourceChange,
  ResourceChangeReader,
} from './resourceChangeQueries';
import { planSubscriptionSync, SubscriptionSyncPlan } from './syncPlan';

/** Options of {@link ChangeFeedSyncer}. */
export interface ChangeFeedSyncerOptions {
  /** Lists subscriptions in full, and reads a subscription's state and resource groups. */
  syncer: ResourceSyncer;
  store: ResourceStore;
  /** Reads Resource Graph's change tables. */
  reader: ResourceChangeReader;
  config: SyncConfig;
  logger: LoggerService;
}

/** What an incremental subscription will store, and what its report will say beyond the store's answer. */
interface PreparedChanges {
  subscription: AzureSubscription;
  result: SubscriptionSyncResult;
  report: Pick<SubscriptionSyncReport, 'access' | 'displayName' | 'tags'>;
  changesRead: number;
}

/** The changes of one subscription after its own cursor. */
interface SubscriptionChanges {
  resourceChanges: ResourceChange[];
  containerChanges: ContainerChange[];
}

/**
 * A {@link TenantBatchSyncer} that keeps subscriptions current from Azure Resource Graph's change tables between full
 * listings. For a batch (one tenant), it plans each subscription (`syncPlan.ts`): those due for a full listing are
 * listed by {@link ResourceSyncer}; the others are brought up to date by two queries for the whole batch
 * (`resourcechanges` with each resource's current state, and `resourcecontainerchanges`), read from the oldest cursor
 * of the batch. Each subscription then applies only the changes after its own cursor, the last word per resource
 * winning, and stores them with its new cursor atomically; the batch's incremental writes share one commit (each
 * subscription's in a savepoint of its own), which on SQLite is most of an incremental run's time otherwise.
 *
 * Only a `Delete` change removes a resource: nothing is removed for being absent. A change whose resource Resource
 * Graph does not show yet holds that subscription's cursor before it, so that it is read again. The cursor is Azure's
 * time (the `Date` of the run's first answer) minus `changeFeed.overlap`; applying a change twice writes nothing, as
 * the content hash is the one a full listing gives.
 */
export class ChangeFeedSyncer implements TenantBatchSyncer {
  /** Azure's clock minus the backend's, as last seen: estimates Azure's time before a run's first answer. */
  private azureClockOffsetMs = 0;

  constructor(private readonly options: ChangeFeedSyncerOptions) {}

  async syncTenantBatch(
    subscriptions: AzureSubscription[],
  ): Promise<SubscriptionSyncReport[]> {
    const { store, config } = this.options;
    const limit = pLimit(Math.max(1, config.concurrency));
    // Preparing an incremental subscription makes at most two short ARM reads (its resource groups, itself), each on
    // its own subscription's quota: more of them go at once than full listings do.
    const prepareLimit = pLimit(Math.max(1, config.concurrency) * 4);
    const cursors = new Map<string, ChangeFeedCursor>(
      (
        await store.loadChangeCursors(subscriptions.map(s => s.subscriptionId))
      ).map(c => [c.subscriptionId, c]),
    );
    const plan = (subscription: AzureSubscription, azureNowMs: number) =>
      planSubscriptionSync(
        subscription,
        cursors.get(subscription.subscriptionId),
        config,
        azureNowMs,
      );
    const estimate = Date.now() + this.azureClockOffsetMs;
    const plans = new Map<string, SubscriptionSyncPlan>(
      subscriptions.map(s => [s.subscriptionId, plan(s, estimate)]),
    );
    const incremental = subscriptions.filter(
      s => plans.get(s.subscriptionId)!.kind === 'incremental',
    );

    let feed: Map<string, SubscriptionChanges> | undefined;
    let azureTimeMs = 0;
    let feedError: unknown;
    let stored = new Map<string, SyncedResource>();
    const feedStartedAt = new Date();
    if (incremental.length > 0) {
      try {
        const changes = await this.readChanges(incremental, cursors);
        azureTimeMs = changes.azureTimeMs;
        this.azureClockOffsetMs = azureTimeMs - Date.now();
        feed = changesBySubscription(changes, incremental, cursors);
        // The stored rows the changes apply to, for the whole batch at once.
        stored = new Map(
          (
            await this.options.store.loadSyncedResources([
              ...new Set(changes.resourceChanges.map(c => c.targetResourceId)),
            ])
          ).map(r => [r.key, r]),
        );
        // Azure's own time decides: a cursor too old or a reconcile due by it means a full listing after all.
        for (const subscription of incremental) {
          plans.set(
            subscription.subscriptionId,
            plan(subscription, azureTimeMs),
          );
        }
      } catch (error) {
        feedError = error;
      }
    }

    // Full listings go on a few at a time while the incremental subscriptions prepare their writes (the ARM calls
    // their container changes need, and the stored rows their changes apply to); those writes are then stored
    // together, in one commit.
    const reports = new Map<string, Promise<SubscriptionSyncReport>>();
    const prepared: Array<Promise<PreparedChanges | SubscriptionSyncReport>> =
      [];
    for (const subscription of subscriptions) {
      const subscriptionPlan = plans.get(subscription.subscriptionId)!;
      if (subscriptionPlan.kind === 'full') {
        reports.set(
          subscription.subscriptionId,
          limit(() => this.options.syncer.sync(subscription)),
        );
      } else if (!feed) {
        reports.set(
          subscription.subscriptionId,
          Promise.resolve(this.failed(subscription, feedStartedAt, feedError)),
        );
      } else {
        prepared.push(
          prepareLimit(() =>
            this.prepareChanges(
              subscription,
              subscriptionPlan.cursor,
              feed!.get(subscription.subscriptionId)!,
              stored,
              azureTimeMs,
              feedStartedAt,
            ),
          ),
        );
      }
    }
    for (const report of await this.storeChanges(await Promise.all(prepared))) {
      reports.set(report.subscriptionId, Promise.resolve(report));
    }
    return Promise.all(subscriptions.map(s => reports.get(s.subscriptionId)!));
  }

  /** Both queries for the batch's incremental subscriptions, from the oldest of their cursors. */
  private async readChanges(
    subscriptions: AzureSubscription[],
    cursors: Map<string, ChangeFeedCursor>,
  ): Promise<ChangesSince> {
    const since = Math.min(
      ...subscriptions.map(s =>
        Date.parse(cursors.get(s.subscriptionId)!.cursor),
      ),
    );
    return this.options.reader.readChangesSince({
      tenantId: subscriptions[0].tenantId,
      subscriptionIds: subscriptions.map(s => s.subscriptionId),
      since: new Date(since),
    });
  }

  /**
   * What one subscription's changes after its cursor write, with its new cursor; or, when an Azure call they need
   * failed, its failed report.
   */
  private async prepareChanges(
    subscription: AzureSubscription,
    cursor: ChangeFeedCursor,
    changes: SubscriptionChanges,
    stored: Map<string, SyncedResource>,
    azureTimeMs: number,
    startedAt: Date,
  ): Promise<PreparedChanges | SubscriptionSyncReport> {
    const { syncer, config } = this.options;
    const { subscriptionId, syncMode } = subscription;
    try {
      // The subscription itself: its name, tags or state changed, or a `Warned` state is to be looked at again (a
      // sync that reports no problem clears it).
      let finding: AccessProblemFinding | undefined;
      let displayName: string | undefined = subscription.displayName;
      let tags = subscription.tags;
      const subscriptionChanged = changes.containerChanges.some(
        c => !/\/resourceGroups\//i.test(c.targetResourceId),
      );
      if (
        subscriptionChanged ||
        subscription.access?.problem === 'subscription-warned'
      ) {
        const state = await syncer.readState(subscription);
        if (state.finding && stopsSync(state.finding.problem)) {
          throw new AzureAccessError(state.finding);
        }
        finding = state.finding;
        displayName = state.displayName ?? displayName;
        tags = state.tags;
      }
      let resourceGroups: SyncedResourceGroup[] | undefined;
      if (
        changes.containerChanges.some(c =>
          /\/resourceGroups\//i.test(c.targetResourceId),
        )
      ) {
        resourceGroups = await syncer.readResourceGroups(subscription);
      }

      const { upserts, removedKeys, heldAtMs } = this.resourceWrites(
        subscription,
        changes.resourceChanges,
        stored,
      );
      const nextCursorMs = Math.max(
        Date.parse(cursor.cursor),
        Math.min(
          azureTimeMs - durationMs(config.changeFeed.overlap),
          // A change whose resource Resource Graph does not show yet is read again next time.
          heldAtMs - 1,
        ),
      );
      return {
        subscription,
        changesRead: changes.resourceChanges.length,
        result: {
          subscriptionId,
          upserts,
          removedKeys,
          resourceGroups,
          // The full listing under `no-tags` dropped portal-only tags already, and they cannot be written since.
          purgePortalTags: false,
          resourceCount: 0,
          startedAt,
          finishedAt: new Date(),
          changeFeed: { cursor: new Date(nextCursorMs).toISOString() },
        },
        report: {
          ...(finding ? { access: finding } : {}),
          ...(displayName ? { displayName } : {}),
          ...(tags && syncMode !== 'no-tags' ? { tags } : {}),
        },
      };
    } catch (error) {
      return this.failed(subscription, startedAt, error);
    }
  }

  /**
   * Stores the prepared writes of the batch in one transaction, each subscription's atomic on its own, and reports
   * on each. A subscription whose writes failed keeps its last good state and its cursor.
   */
  private async storeChanges(
    prepared: Array<PreparedChanges | SubscriptionSyncReport>,
  ): Promise<SubscriptionSyncReport[]> {
    const { store, logger } = this.options;
    const ready = prepared.filter((p): p is PreparedChanges => 'result' in p);
    const reports = prepared.filter(
      (p): p is SubscriptionSyncReport => !('result' in p),
    );
    if (ready.length === 0) return reports;
    let answers: Awaited<ReturnType<ResourceStore['applySyncBatch']>>;
    try {
      answers = await store.applySyncBatch(ready.map(p => p.result));
    } catch (error) {
      answers = ready.map(() => ({ error }));
    }
    for (const [
      i,
      { subscription, result, report, changesRead },
    ] of ready.entries()) {
      const answer = answers[i];
      if ('error' in answer) {
        reports.push(this.failed(subscription, result.startedAt, answer.error));
        continue;
      }
      const { subscriptionId, tenantId, syncMode } = subscription;
      const { revision, changed, resourceCount } = answer;
      logger.info(
        `Synced subscription ${subscriptionId} (${syncMode}) from the change feed: ${changesRead} resource changes read, ${changed} written`,
        {
          tenantId,
          subscriptionId,
          syncMode,
          resourceCount,
          changed,
          changesRead,
        },
      );
      reports.push({
        subscriptionId,
        status: 'succeeded',
        kind: 'incremental',
        resourceCount,
        changed,
        revision,
        ...report,
        startedAt: result.startedAt,
        finishedAt: new Date(),
      });
    }
    return reports;
  }

  /**
   * What the resource changes write: the last word per resource wins. A `Create` or `Update` whose resource Resource
   * Graph shows is an upsert, unless it hashes as stored; one it does not show yet holds the cursor (`heldAtMs`);
   * a `Delete` removes a stored resource.
   */
  private resourceWrites(
    subscription: AzureSubscription,
    resourceChanges: ResourceChange[],
    stored: Map<string, SyncedResource>,
  ): {
    upserts: SyncedResource[];
    removedKeys: string[];
    heldAtMs: number;
  } {
    const { config } = this.options;
    const { subscriptionId, tenantId } = subscription;
    const keepTags = subscription.syncMode !== 'no-tags';
    const last = new Map<string, ResourceChange>();
    const createdAt = new Map<string, number>();
    for (const change of resourceChanges) {
      last.set(change.targetResourceId, change);
      if (change.changeType === 'Create') {
        createdAt.set(change.targetResourceId, change.changeTimeMs);
      }
    }
    const upserts: SyncedResource[] = [];
    const removedKeys: string[] = [];
    let heldAtMs = Infinity;
    for (const [key, change] of last) {
      const before = stored.get(key);
      if (change.changeType === 'Delete') {
        if (before) removedKeys.push(key);
        continue;
      }
      const current = change.current;
      if (!current) {
        heldAtMs = Math.min(heldAtMs, change.changeTimeMs);
        continue;
      }
      // ARM's casing, as a full listing gives it: the stored row's where it has one, else the id's.
      const idType = armResourceTypeOfId(current.resourceId) ?? current.type;
      const type =
        before && before.type.toLowerCase() === idType.toLowerCase()
          ? before.type
          : idType;
      if (!typeAllowed(config, type)) continue;
      const location =
        before?.location &&
        current.location &&
        before.location.toLowerCase() === current.location.toLowerCase()
          ? before.location
          : current.location;
      const tags = keepTags ? current.tags : undefined;
      const createdTimeMs = createdAt.get(key) ?? epochMs(before?.createdTime);
      const changedTimeMs = change.changeTimeMs;
      const contentHash = resourceContentHash({
        resourceId: current.resourceId,
        tenantId,
        name: current.name,
        type,
        location,
        kind: current.kind,
        tags,
        createdTimeMs,
        changedTimeMs,
      });
      if (before?.contentHash === contentHash) continue;
      upserts.push({
        key,
        resourceId: current.resourceId,
        subscriptionId,
        tenantId,
        resourceGroup: resourceGroupOf(current.resourceId),
        name: current.name,
        type,
        ...(location ? { location } : {}),
        ...(current.kind ? { kind: current.kind } : {}),
        ...(tags ? { tags: sortedTags(tags) } : {}),
        ...(createdTimeMs !== undefined
          ? { createdTime: new Date(createdTimeMs).toISOString() }
          : {}),
        changedTime: new Date(changedTimeMs).toISOString(),
        contentHash,
      });
    }
    return { upserts, removedKeys, heldAtMs };
  }

  /** A failed incremental sync: nothing was written and the cursor stays, so the next run reads the same changes. */
  private failed(
    subscription: AzureSubscription,
    startedAt: Date,
    error: unknown,
  ): SubscriptionSyncReport {
    const { subscriptionId, tenantId } = subscription;
    const access = isAzureAccessError(error)
      ? error.finding
      : classifyAccessProblem(error, 'read', subscription);
    const message = access ? access.message : describeAzureError(error);
    this.options.logger.warn(
      `Sync of subscription ${subscriptionId} from the change feed failed, keeping its last good state: ${message}`,
      {
        subscriptionId,
        tenantId,
        ...(access ? { accessProblem: access.problem } : {}),
      },
    );
    return {
      subscriptionId,
      status: 'failed',
      kind: 'incremental',
      resourceCount: 0,
      changed: 0,
      revision: 0,
      error: message,
      ...(access ? { access } : {}),
      failureReason: azureFailureReason(error),
      startedAt,
      finishedAt: new Date(),
    };
  }
}

/** The changes of each incremental subscription after its own cursor, in Azure's order. */
function changesBySubscription(
  changes: ChangesSince,
  subscriptions: AzureSubscription[],
  cursors: Map<string, ChangeFeedCursor>,
): Map<string, SubscriptionChanges> {
  const bySubscription = new Map<
    string,
    SubscriptionChanges & { afterMs: number }
  >();
  for (const s of subscriptions) {
    bySubscription.set(s.subscriptionId, {
      resourceChanges: [],
      containerChanges: [],
      afterMs: Date.parse(cursors.get(s.subscriptionId)!.cursor),
    });
  }
  for (const change of changes.resourceChanges) {
    const own = bySubscription.get(change.subscriptionId);
    if (own && change.changeTimeMs > own.afterMs) {
      own.resourceChanges.push(change);
    }
  }
  for (const change of changes.containerChanges) {
    const own = bySubscription.get(change.subscriptionId);
    if (own && change.changeTimeMs > own.afterMs) {
      own.containerChanges.push(change);
    }
  }
  return bySubscription;
}
