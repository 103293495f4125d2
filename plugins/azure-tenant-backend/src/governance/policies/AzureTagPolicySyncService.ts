import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { isRestError } from '@azure/core-rest-pipeline';
import { stopsSync } from '../../azure/accessProblems';
import { AzureTenantStore } from '../../database/AzureTenantStore';
import { azureErrorFields } from '../../metrics/azureFailure';
import { SubscriptionSyncRuns } from '../../scheduling/SubscriptionSyncRuns';
import { syncEachSubscription } from '../../scheduling/syncEachSubscription';
import { AzureTagPolicyAssignmentStore } from './AzureTagPolicyAssignmentStore';
import { AzureTagPolicyReader } from './azureTagPolicyReader';
import { describeAzureError } from '../../azure/describeAzureError';

/** The id of the scheduled task that reads the Azure Policy assignments about tags. */
export const AZURE_TAG_POLICY_SYNC_TASK_ID = 'azure-tenant-tag-policy-sync';

/**
 * Every 6 hours, as the savings sync: assignments change seldom, and they are only shown beside the portal's
 * policies. The first run a minute after startup, so that it does not compete with the syncs that start at once.
 */
export const AZURE_TAG_POLICY_SYNC_SCHEDULE: SchedulerServiceTaskScheduleDefinition =
  {
    frequency: { hours: 6 },
    timeout: { minutes: 30 },
    initialDelay: { minutes: 1 },
  };

/** The outcome of one subscription's read. */
export interface AzureTagPolicySyncResult {
  subscriptionId: string;
  /** `skipped`: the portal has lost access to the subscription, or it is not registered. */
  status: 'succeeded' | 'failed' | 'skipped';
  assignments: number;
  error?: string;
}

/** Options for {@link AzureTagPolicySyncService}. */
export interface AzureTagPolicySyncServiceOptions {
  store: AzureTagPolicyAssignmentStore;
  /** The subscriptions and their lost-access states. */
  subscriptions: Pick<
    AzureTenantStore,
    'listSubscriptions' | 'getSubscription'
  >;
  reader: AzureTagPolicyReader;
  logger: LoggerService;
  /** Subscriptions read at the same time. Defaults to 2. */
  concurrency?: number;
  /** The clock; tests move it. Defaults to the system clock. */
  now?: () => Date;
}

/**
 * Reads, for each connected subscription whose access is not lost, the Azure Policy assignments about tags, and
 * replaces what is stored for it. A read that fails stores nothing: the last good list stays. A 403 (a role without
 * `Microsoft.Authorization/policyAssignments/read`) is logged once per subscription, until a read succeeds again:
 * it is not lost access (the resource sync may well read), only a list the portal cannot show.
 */
export class AzureTagPolicySyncService {
  private readonly now: () => Date;
  private readonly runs = new SubscriptionSyncRuns<AzureTagPolicySyncResult>();
  /** Subscriptions whose last read Azure refused with a 403, already logged. */
  private readonly denied = new Set<string>();

  constructor(private readonly options: AzureTagPolicySyncServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Reads one subscription. Never throws for an Azure failure: it is logged and returned. */
  syncSubscription(subscriptionId: string): Promise<AzureTagPolicySyncResult> {
    return this.runs.run(subscriptionId.toLowerCase(), id => this.doSync(id));
  }

  private async doSync(
    subscriptionId: string,
  ): Promise<AzureTagPolicySyncResult> {
    const { store, subscriptions, reader, logger } = this.options;
    const subscription = await subscriptions.getSubscription(subscriptionId);
    if (!subscription) {
      return { subscriptionId, status: 'skipped', assignments: 0 };
    }
    const { tenantId, access } = subscription;
    if (access && stopsSync(access.problem)) {
      // Lost access, found by the other syncs, which also find it back: the stored list stays until then.
      return {
        subscriptionId,
        status: 'skipped',
        assignments: 0,
        error: access.message,
      };
    }
    try {
      const assignments = await reader.readAssignments({
        tenantId,
        subscriptionId,
      });
      await store.replaceSubscription({
        subscriptionId,
        assignments,
        at: this.now(),
      });
      this.denied.delete(subscriptionId);
      logger.debug(
        `Read ${assignments.length} Azure Policy assignments about tags of subscription ${subscriptionId}`,
        { tenantId, subscriptionId, assignments: assignments.length },
      );
      return {
        subscriptionId,
        status: 'succeeded',
        assignments: assignments.length,
      };
    } catch (error) {
      const message = describeAzureError(error);
      if (isRestError(error) && error.statusCode === 403) {
        if (!this.denied.has(subscriptionId)) {
          this.denied.add(subscriptionId);
          logger.warn(
            `Azure refused to list the policy assignments of subscription ${subscriptionId} (403); the assignments read earlier are kept, and this is not logged again until a read succeeds. The portal's role there lacks Microsoft.Authorization/policyAssignments/read, which Reader holds: ${message}`,
            { tenantId, subscriptionId, ...azureErrorFields(error) },
          );
        }
      } else {
        logger.warn(
          `Reading the policy assignments of subscription ${subscriptionId} failed; the assignments read earlier are kept: ${message}`,
          { tenantId, subscriptionId, ...azureErrorFields(error) },
        );
      }
      return {
        subscriptionId,
        status: 'failed',
        assignments: 0,
        error: message,
      };
    }
  }

  /** Reads every registered subscription, a few at a time, and those registered while it ran. */
  async syncAll(): Promise<AzureTagPolicySyncResult[]> {
    return syncEachSubscription({
      listSubscriptionIds: async () =>
        (await this.options.subscriptions.listSubscriptions()).map(s =>
          s.subscriptionId.toLowerCase(),
        ),
      syncSubscription: id => this.syncSubscription(id),
      concurrency: this.options.concurrency ?? 2,
    });
  }
}

/**
 * Schedules {@link AzureTagPolicySyncService.syncAll} as the task `azure-tenant-tag-policy-sync`. Each failure is
 * logged by the service as it happens (a 403 once), so a run logs nothing more; a run that throws is the scheduler's
 * to log.
 */
export async function registerAzureTagPolicySync(options: {
  scheduler: SchedulerService;
  syncService: AzureTagPolicySyncService;
  schedule?: SchedulerServiceTaskScheduleDefinition;
}): Promise<void> {
  const { scheduler, syncService } = options;
  await scheduler.scheduleTask({
    id: AZURE_TAG_POLICY_SYNC_TASK_ID,
    ...(options.schedule ?? AZURE_TAG_POLICY_SYNC_SCHEDULE),
    fn: async () => {
      await syncService.syncAll();
    },
  });
}
