import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { EventsService } from '@backstage/plugin-events-node';
import { durationToMilliseconds } from '@backstage/types';
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

/** The scheduler task that syncs resources; one run at a time across all replicas. */
export const RESOURCE_SYNC_TASK_ID = 'azure-tenant-resource-sync';

// A run syncs what is due, then looks again for requests made meanwhile, a bounded number of times.
const MAX_PASSES = 5;

/**
 * Runs the resource sync: on the schedule (each subscription once per `frequency`), and at once when someone asks.
 * The task is global, so when several replicas share one PostgreSQL, one of them runs it and each subscription is
 * synced once. Subscriptions are synced concurrently within a bound; one's failure never stops the others.
 */
export class ResourceSyncService {
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
    },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  async start(): Promise<void> {
    const { scheduler, config, logger } = this.options;
    const taskLogger = logger.child({ taskId: RESOURCE_SYNC_TASK_ID });
    await scheduler.scheduleTask({
      id: RESOURCE_SYNC_TASK_ID,
      scope: 'global',
      frequency: config.frequency,
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

  /** Asks for a subscription's sync now: records the request and starts the task. */
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
   * Starts the task now. When it is running already, it picks up requests recorded before its last look; a request
   * that came later is triggered again shortly after.
   */
  async trigger(): Promise<void> {
    await triggerTaskSoon(
      this.options.scheduler,
      RESOURCE_SYNC_TASK_ID,
      this.options.logger,
    );
  }

  /** Syncs every subscription that is due, and returns what happened to each. */
  async syncDue(now = () => this.now()): Promise<SubscriptionSyncReport[]> {
    const reports: SubscriptionSyncReport[] = [];
    const done = new Set<string>();
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const subscriptions = await this.options.store.listSubscriptions();
      const due = subscriptions.filter(
        s =>
          this.isDue(s, now()) &&
          (!done.has(s.subscriptionId) || s.syncRequestedAt),
      );
      if (due.length === 0) break;
      for (const report of await this.syncAll(due)) {
        reports.push(report);
        done.add(report.subscriptionId);
      }
    }
    return reports;
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

  private async syncAll(
    subscriptions: AzureSubscription[],
  ): Promise<SubscriptionSyncReport[]> {
    const limit = pLimit(Math.max(1, this.options.config.concurrency));
    // One look at each tenant first, with a new token: a cached one outlives a revoked consent or a deleted service
    // principal for up to an hour, and without a token none of the tenant's subscriptions can be synced.
    const tenantFindings = new Map<string, AccessProblemFinding | undefined>();
    for (const tenantId of new Set(subscriptions.map(s => s.tenantId))) {
      tenantFindings.set(tenantId, await this.checkTenant(tenantId, true));
    }
    const renewed = new Set<string>();
    return Promise.all(
      subscriptions.map(subscription =>
        limit(async () => {
          const tenantFinding = tenantFindings.get(subscription.tenantId);
          let report = tenantFinding
            ? this.refused(subscription, tenantFinding)
            : await this.options.syncer.sync(subscription);
          if (
            report.access?.problem === 'read-denied' &&
            !renewed.has(subscription.tenantId)
          ) {
            // A cached token outlives a revoked consent: ask Entra ID again whether the whole tenant is lost.
            renewed.add(subscription.tenantId);
            const finding = await this.checkTenant(subscription.tenantId, true);
            if (finding) {
              tenantFindings.set(subscription.tenantId, finding);
              report = this.refused(subscription, finding);
            }
          }
          await this.record(report);
          this.measure(subscription, report);
          await this.recordAccess(subscription, report);
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
   * succeeds clears it.
   */
  private async recordAccess(
    subscription: AzureSubscription,
    report: SubscriptionSyncReport,
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
      const cleared = await store.clearAccessProblem(
        { subscriptionId },
        { problems },
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
