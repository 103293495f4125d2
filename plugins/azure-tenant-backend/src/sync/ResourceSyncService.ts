import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { EventsService } from '@backstage/plugin-events-node';
import { durationToMilliseconds } from '@backstage/types';
import pLimit from 'p-limit';
import {
  AZURE_TENANT_EVENTS_TOPIC,
  AzureSubscription,
  AzureTenantEvent,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantStore } from '../database/AzureTenantStore';
import { triggerTaskSoon } from '../scheduling/triggerTask';
import { ResourceSyncer, SubscriptionSyncReport } from './ResourceSyncer';
import { SyncConfig } from './SyncConfig';

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
    },
  ) {}

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
  async syncDue(now = () => new Date()): Promise<SubscriptionSyncReport[]> {
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
    if (subscription.syncRequestedAt || !subscription.lastSync) return true;
    const age = now.getTime() - Date.parse(subscription.lastSync.finishedAt);
    // A little slack, so a run that starts slightly early still syncs everything.
    return age >= durationToMilliseconds(this.options.config.frequency) * 0.9;
  }

  private async syncAll(
    subscriptions: AzureSubscription[],
  ): Promise<SubscriptionSyncReport[]> {
    const limit = pLimit(Math.max(1, this.options.config.concurrency));
    return Promise.all(
      subscriptions.map(subscription =>
        limit(async () => {
          const report = await this.options.syncer.sync(subscription);
          await this.record(report);
          await this.announce(report);
          return report;
        }),
      ),
    );
  }

  /** Records how the sync ended on the subscription; a failure to record it is logged, and the run goes on. */
  private async record(report: SubscriptionSyncReport) {
    const { subscriptionId, startedAt, finishedAt } = report;
    try {
      await this.options.store.recordSyncOutcome(
        report.status === 'succeeded'
          ? {
              subscriptionId,
              startedAt,
              finishedAt,
              status: 'succeeded',
              resourceCount: report.resourceCount,
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
