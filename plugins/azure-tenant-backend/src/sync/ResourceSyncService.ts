import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { EventsService } from '@backstage/plugin-events-node';
import { durationToMilliseconds } from '@backstage/types';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import pLimit from 'p-limit';
import {
  AZURE_TENANT_EVENTS_TOPIC,
  AzureSubscription,
  AzureAccessProblem,
  AzureTenantEvent,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AccessProblemFinding, stopsSync } from '../azure/accessProblems';
import { AzureTenantStore } from '../database/AzureTenantStore';
import { triggerTaskSoon } from '../scheduling/triggerTask';
import { azureErrorFields } from '../metrics/azureFailure';
import { AzureTenantMetrics } from '../metrics/azureTenantMetrics';
import { ResourceSyncer, SubscriptionSyncReport } from './ResourceSyncer';
import { lostAccessRetryDelayMs, SyncConfig } from './SyncConfig';
import { FullListingBatchSyncer, TenantBatchSyncer } from './TenantBatchSyncer';
import { InMemorySyncClaims } from './claims/InMemorySyncClaims';
import { SyncClaims } from './claims/SyncClaims';

/** Requested first, then never synced, then the longest since its last sync. */
function dueOrder(subscription: AzureSubscription): number {
  if (subscription.syncRequestedAt) return -2;
  if (!subscription.lastSync) return -1;
  return Date.parse(subscription.lastSync.finishedAt);
}

/** The scheduler task that claims and syncs due subscriptions; each replica runs its own. */
export const RESOURCE_SYNC_TASK_ID = 'azure-tenant-resource-sync';

/**
 * The most subscriptions of one tenant a replica claims at once: one batch, which the change-feed syncer reads in one
 * Resource Graph query (Microsoft Learn advises groups of fewer than 300 subscriptions per query).
 */
export const MAX_CLAIM_BATCH = 50;

// A run claims and syncs batches until nothing is due, a bounded number of times.
const MAX_ROUNDS = 200;

/** A replica's id: its host, its process and a random part, so two processes on one host differ. */
export function defaultReplicaId(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * Runs the resource sync: on the schedule (each subscription once per `frequency`), and at once when someone asks.
 * Replicas that share one database share the subscriptions: each runs a local task every `claimInterval` that claims
 * a batch of one tenant's due subscriptions under a lease ({@link SyncClaims}), syncs it, records it and releases it,
 * and goes on while any is due. A replica renews its leases while it works; one that dies leaves leases that lapse,
 * and another replica claims its subscriptions (a sync stores nothing until it has read every page, so nothing is
 * lost). One subscription's failure never stops the others.
 */
export class ResourceSyncService {
  /** This replica's id in the claims. */
  readonly replicaId: string;
  private readonly claims: SyncClaims;
  private readonly batchSyncer: TenantBatchSyncer;
  private stopped = false;
  private readonly renewals = new Set<NodeJS.Timeout>();

  constructor(
    private readonly options: {
      store: AzureTenantStore;
      syncer: ResourceSyncer;
      scheduler: SchedulerService;
      events: EventsService;
      config: SyncConfig;
      logger: LoggerService;
      /** Counts each subscription's sync: runs, duration, resources, failures by reason. */
      metrics?: AzureTenantMetrics;
      /** The clock of the schedule and the back-off; tests move it. Defaults to the system clock. */
      now?: () => Date;
      /**
       * Which replica syncs which subscription; `DatabaseSyncClaims` when replicas share a database. Defaults to
       * claims kept in this process, for a service that shares its subscriptions with nobody.
       */
      claims?: SyncClaims;
      /** Syncs a claimed batch of one tenant's subscriptions. Defaults to listing each in full. */
      batchSyncer?: TenantBatchSyncer;
      /** This replica's id in the claims. Defaults to {@link defaultReplicaId}. */
      replicaId?: string;
    },
  ) {
    this.replicaId = options.replicaId ?? defaultReplicaId();
    this.claims = options.claims ?? new InMemorySyncClaims();
    this.batchSyncer =
      options.batchSyncer ??
      new FullListingBatchSyncer(options.syncer, options.config.concurrency);
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private get leaseMs(): number {
    return durationToMilliseconds(this.options.config.lease);
  }

  /** Says this replica is alive; returns how many replicas are. */
  private heartbeat(): Promise<number> {
    return this.claims.heartbeat(this.replicaId, new Date(), this.leaseMs);
  }

  async start(): Promise<void> {
    const { scheduler, config, logger } = this.options;
    // Known to the others before its first claim, so that each claims its share from the start.
    await this.heartbeat();
    const taskLogger = logger.child({ taskId: RESOURCE_SYNC_TASK_ID });
    await scheduler.scheduleTask({
      id: RESOURCE_SYNC_TASK_ID,
      // Local: every replica claims its share; the claims keep two replicas from syncing one subscription.
      scope: 'local',
      frequency: config.claimInterval,
      timeout: config.timeout,
      initialDelay: { seconds: 3 },
      fn: async () => {
        try {
          await this.syncDue();
        } catch (error) {
          taskLogger.error(
            `Resource sync run failed: ${(error as Error).message}`,
            azureErrorFields(error),
          );
        }
      },
    });
  }

  /**
   * Stops claiming and stops renewing this replica's leases; it releases nothing, so the subscriptions it was syncing
   * go to another replica once their leases lapse. Called at shutdown: a sync still running then is cut short with the
   * process and stores nothing.
   */
  stop(): void {
    this.stopped = true;
    for (const timer of this.renewals) clearInterval(timer);
    this.renewals.clear();
  }

  /** Asks for a subscription's sync now: records the request and starts this replica's task. */
  async requestSync(
    subscriptionId: string,
  ): Promise<AzureSubscription | undefined> {
    const updated = await this.options.store.requestSync(
      subscriptionId,
      new Date(),
    );
    if (updated) await this.trigger();
    return updated;
  }

  /**
   * Starts this replica's task now. When it is running already, it picks up requests recorded before its last look; a
   * request that came later is triggered again shortly after. Another replica may claim the subscription first.
   */
  async trigger(): Promise<void> {
    await triggerTaskSoon(
      this.options.scheduler,
      RESOURCE_SYNC_TASK_ID,
      this.options.logger,
    );
  }

  /** Claims and syncs due subscriptions, a batch at a time, until none is left; returns what happened to each. */
  async syncDue(now = () => this.now()): Promise<SubscriptionSyncReport[]> {
    const reports: SubscriptionSyncReport[] = [];
    const done = new Set<string>();
    for (let round = 0; round < MAX_ROUNDS && !this.stopped; round++) {
      const batch = await this.claimBatch(now(), done);
      if (!batch) break;
      for (const report of await this.syncClaimed(batch)) {
        reports.push(report);
        done.add(report.subscriptionId);
      }
    }
    return reports;
  }

  /**
   * Claims due subscriptions of one tenant: this replica's share of those due and free (divided by the replicas alive,
   * at least `concurrency`), up to {@link MAX_CLAIM_BATCH}. Undefined when nothing is due and free; an
   * empty batch when others claimed the due ones first.
   */
  private async claimBatch(
    now: Date,
    done: Set<string>,
  ): Promise<AzureSubscription[] | undefined> {
    const { store } = this.options;
    // On every look, idle or not, so that the others count this replica when they take their share.
    const replicas = await this.heartbeat();
    const ids = (await store.listSubscriptions()).map(s => s.subscriptionId);
    // The claims first, then the sync state: a subscription synced after this look has a new generation, and its
    // claim fails, so it is not synced twice in an interval.
    const free = new Map(
      (await this.claims.listFree(ids, new Date())).map(f => [
        f.subscriptionId,
        f,
      ]),
    );
    const due = (await store.listSubscriptions())
      .filter(
        s =>
          free.has(s.subscriptionId) &&
          this.isDue(s, now) &&
          (!done.has(s.subscriptionId) || s.syncRequestedAt),
      )
      .sort((a, b) => dueOrder(a) - dueOrder(b));
    if (due.length === 0) return undefined;
    // Its share of what is due and free, so that the replicas divide the work; at least what it syncs at once.
    const share = Math.min(
      MAX_CLAIM_BATCH,
      Math.max(
        Math.ceil(due.length / replicas),
        Math.min(this.options.config.concurrency, due.length),
      ),
    );
    const tenantId = due[0].tenantId;
    const batch = due.filter(s => s.tenantId === tenantId).slice(0, share);
    const claimed = new Set(
      await this.claims.claim(
        this.replicaId,
        batch.map(s => free.get(s.subscriptionId)!),
        { now: new Date(), leaseMs: this.leaseMs },
      ),
    );
    return batch.filter(s => claimed.has(s.subscriptionId));
  }

  private isDue(subscription: AzureSubscription, now: Date): boolean {
    // *Sync now* tries at once, lost access or not.
    if (subscription.syncRequestedAt) return true;
    // While access is lost, the sync backs off: it tries again at nextAttemptAt, not on every run.
    const nextAttemptAt = subscription.access?.nextAttemptAt;
    if (nextAttemptAt) return Date.parse(nextAttemptAt) <= now.getTime();
    if (!subscription.lastSync) return true;
    const age = now.getTime() - Date.parse(subscription.lastSync.finishedAt);
    // A little slack, so a run that starts slightly early still syncs everything.
    return age >= durationToMilliseconds(this.options.config.frequency) * 0.9;
  }

  /** Syncs a claimed batch of one tenant, renewing its leases meanwhile, records each outcome and releases it. */
  private async syncClaimed(
    subscriptions: AzureSubscription[],
  ): Promise<SubscriptionSyncReport[]> {
    if (subscriptions.length === 0) return [];
    const ids = subscriptions.map(s => s.subscriptionId);
    const renewal = setInterval(() => {
      this.heartbeat().catch(() => {});
      this.claims
        .renew(this.replicaId, ids, { now: new Date(), leaseMs: this.leaseMs })
        .then(held => {
          if (held.length < ids.length) {
            this.options.logger.warn(
              `Replica ${this.replicaId} lost the claim on ${
                ids.length - held.length
              } subscriptions it is syncing; another replica may sync them too`,
            );
          }
        })
        .catch(error =>
          this.options.logger.warn(
            `Could not renew the sync claims of replica ${this.replicaId}: ${error.message}`,
          ),
        );
    }, Math.max(1000, this.leaseMs / 3));
    renewal.unref?.();
    this.renewals.add(renewal);
    try {
      const reports = await this.syncBatch(subscriptions);
      if (this.stopped) return [];
      return reports;
    } finally {
      clearInterval(renewal);
      this.renewals.delete(renewal);
      if (!this.stopped) {
        await this.claims
          .release(this.replicaId, ids)
          .catch(error =>
            this.options.logger.warn(
              `Could not release the sync claims of replica ${this.replicaId}: ${error.message}`,
            ),
          );
      }
    }
  }

  private async syncBatch(
    subscriptions: AzureSubscription[],
  ): Promise<SubscriptionSyncReport[]> {
    const { tenantId } = subscriptions[0];
    // One look at the tenant first, with a new token: a cached one outlives a revoked consent or a deleted service
    // principal for up to an hour, and without a token none of the tenant's subscriptions can be synced.
    const readsBegan = this.now();
    const tenantFinding = await this.checkTenant(tenantId, true);
    let reports = tenantFinding
      ? subscriptions.map(s => this.refused(s, tenantFinding))
      : await this.batchSyncer.syncTenantBatch(subscriptions);
    if (reports.some(r => r.access?.problem === 'read-denied')) {
      // A cached token outlives a revoked consent: ask Entra ID again whether the whole tenant is lost.
      const finding = await this.checkTenant(tenantId, true);
      if (finding) {
        reports = reports.map(r =>
          r.access?.problem === 'read-denied'
            ? this.refused(
                subscriptions.find(s => s.subscriptionId === r.subscriptionId)!,
                finding,
              )
            : r,
        );
      }
    }
    if (this.stopped) return [];
    const bySubscription = new Map(
      subscriptions.map(s => [s.subscriptionId, s]),
    );
    const limit = pLimit(Math.max(1, this.options.config.concurrency));
    return Promise.all(
      reports.map(report =>
        limit(async () => {
          const subscription = bySubscription.get(report.subscriptionId)!;
          await this.record(report);
          this.measure(subscription, report);
          await this.recordAccess(subscription, report, readsBegan);
          await this.announce(report);
          return report;
        }),
      ),
    );
  }

  /** A sync that could not start: the tenant refuses the portal's credentials. */
  private refused(
    subscription: AzureSubscription,
    finding: AccessProblemFinding,
  ): SubscriptionSyncReport {
    const at = new Date();
    return {
      subscriptionId: subscription.subscriptionId,
      status: 'failed',
      resourceCount: 0,
      changed: 0,
      revision: 0,
      error: finding.message,
      access: finding,
      startedAt: at,
      finishedAt: at,
    };
  }

  /**
   * Checks the tenant's token and lists the subscriptions its service principal can read; keeps the tenant's
   * access state and its unregistered subscriptions. Returns the tenant's problem, if any. A failure that is not
   * lost access (throttling, a timeout) is logged and leaves the subscriptions to their own syncs.
   */
  private async checkTenant(
    tenantId: string,
    renewToken = false,
  ): Promise<AccessProblemFinding | undefined> {
    const { store, syncer, logger } = this.options;
    try {
      const check = await syncer.checkTenant(tenantId, { renewToken });
      if (check.finding) {
        await store.recordAccessProblem(
          { tenantId },
          { ...check.finding, at: this.now(), retryDelayMs: this.retryDelay },
        );
        logger.warn(
          `The portal has lost access to tenant ${tenantId}: ${check.finding.message}`,
          { tenantId, accessProblem: check.finding.problem },
        );
        return check.finding;
      }
      if (await store.clearAccessProblem({ tenantId })) {
        logger.info(`The portal has access to tenant ${tenantId} again`, {
          tenantId,
        });
      }
      const registered = new Set(
        (await store.listSubscriptions({ tenantId })).map(s =>
          s.subscriptionId.toLowerCase(),
        ),
      );
      await store.setUnregisteredSubscriptions(
        tenantId,
        check.subscriptions.filter(s => !registered.has(s.subscriptionId)),
      );
    } catch (error) {
      logger.warn(
        `Could not check the portal's access to tenant ${tenantId}: ${
          (error as Error)?.message ?? String(error)
        }`,
        { tenantId },
      );
    }
    return undefined;
  }

  private readonly retryDelay = (attempts: number) =>
    lostAccessRetryDelayMs(
      attempts,
      durationToMilliseconds(this.options.config.frequency),
      durationToMilliseconds(this.options.config.lostAccessMaxInterval),
    );

  /**
   * Keeps the subscription's access state: the problem this sync met (with the back-off), or none once a sync
   * succeeds. A removed Tag Contributor role is not seen by reads, so a successful sync keeps it; a tag write that
   * succeeds clears it. Only a problem met before `readsBegan` is cleared: a finding made while this batch was being
   * read (by the spend sync, say) is newer than what the batch proves.
   */
  private async recordAccess(
    subscription: AzureSubscription,
    report: SubscriptionSyncReport,
    readsBegan: Date,
  ) {
    const { store, logger } = this.options;
    const { subscriptionId } = subscription;
    try {
      const finding = report.access;
      if (finding?.scope === 'tenant') return;
      if (finding) {
        await store.recordAccessProblem(
          { subscriptionId },
          {
            ...finding,
            at: this.now(),
            ...(stopsSync(finding.problem)
              ? { retryDelayMs: this.retryDelay }
              : {}),
          },
        );
        return;
      }
      if (report.status !== 'succeeded') return;
      const problems: AzureAccessProblem[] = [
        'subscription-disabled',
        'subscription-warned',
        'subscription-deleted',
        'subscription-moved',
      ];
      // Listing resources works with Tag Contributor alone: read-denied (which the spend sync also records when
      // Cost Management answers 403) is cleared only once the principal holds a role that reads everything.
      if (
        subscription.access?.problem === 'read-denied' &&
        (await this.options.syncer
          .holdsReadRole(subscription)
          .catch(() => false))
      ) {
        problems.push('read-denied');
      }
      // Only what was met before this sync's reads began: a later sync's finding stands.
      const cleared = await store.clearAccessProblem(
        { subscriptionId },
        { problems, seenBefore: readsBegan },
      );
      if (cleared) {
        logger.info(
          `The portal has access to subscription ${subscriptionId} again`,
          { subscriptionId, tenantId: subscription.tenantId },
        );
      }
    } catch (error) {
      logger.warn(
        `Could not record the access state of subscription ${subscriptionId}: ${
          (error as Error).message
        }`,
        { subscriptionId },
      );
    }
  }

  private measure(
    subscription: AzureSubscription,
    report: SubscriptionSyncReport,
  ) {
    this.options.metrics?.recordResourceSync({
      tenantId: subscription.tenantId,
      outcome: report.status,
      durationMs: report.finishedAt.getTime() - report.startedAt.getTime(),
      read: report.resourceCount,
      written: report.changed,
      reason: report.access?.problem ?? report.failureReason,
    });
  }

  /** Records how the sync ended on the subscription; a failure to record it is logged, and the run goes on. */
  private async record(report: SubscriptionSyncReport) {
    const { subscriptionId, startedAt } = report;
    // On the schedule's clock, which decides when the subscription is due again.
    const finishedAt = this.now();
    try {
      await this.options.store.recordSyncOutcome(
        report.status === 'succeeded'
          ? {
              subscriptionId,
              startedAt,
              finishedAt,
              status: 'succeeded',
              resourceCount: report.resourceCount,
              displayName: report.displayName,
              tags: report.tags,
            }
          : {
              subscriptionId,
              startedAt,
              finishedAt,
              status: 'failed',
              error: report.error ?? 'The sync failed',
            },
      );
    } catch (error) {
      this.options.logger.warn(
        `Could not record the end of the sync of subscription ${subscriptionId}: ${
          (error as Error).message
        }`,
        { subscriptionId, ...azureErrorFields(error) },
      );
    }
  }

  private async announce(report: SubscriptionSyncReport) {
    const publish = (eventPayload: AzureTenantEvent) =>
      this.options.events
        .publish({ topic: AZURE_TENANT_EVENTS_TOPIC, eventPayload })
        .catch(error =>
          this.options.logger.warn(
            `Could not publish ${eventPayload.type}: ${error.message}`,
            {
              subscriptionId: report.subscriptionId,
              eventType: eventPayload.type,
            },
          ),
        );
    if (report.changed > 0) {
      await publish({
        type: 'resources-changed',
        subscriptionId: report.subscriptionId,
        revision: report.revision,
      });
    }
    await publish({
      type: 'subscription-changed',
      subscriptionId: report.subscriptionId,
    });
  }
}
