import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { backsOff, classifyAccessProblem } from '../azure/accessProblems';
import { AzureBudgetReader } from '../budgets/azure/azureBudgetReader';
import { AzureTenantStore } from '../database/AzureTenantStore';
import { azureErrorFields } from '../metrics/azureFailure';
import { scheduleSubscriptionSync } from '../scheduling/scheduleSubscriptionSync';
import { SubscriptionSyncRuns } from '../scheduling/SubscriptionSyncRuns';
import { syncEachSubscription } from '../scheduling/syncEachSubscription';
import { AdvisorReader } from './advisorReader';
import { SavingsConfig } from './SavingsConfig';
import { SavingsStore } from './SavingsStore';
import { describeAzureError } from '../azure/describeAzureError';

/** The id of the scheduled savings sync task. */
export const SAVINGS_SYNC_TASK_ID = 'azure-tenant-savings-sync';

/** The outcome of one subscription's savings sync. */
export interface SavingsSyncResult {
  subscriptionId: string;
  /** `skipped`: the portal has lost access to the subscription and backs off until `access.nextAttemptAt`. */
  status: 'succeeded' | 'failed' | 'skipped';
  recommendations: number;
  azureBudgets: number;
  error?: string;
}

/** Options for {@link SavingsSyncService}. */
export interface SavingsSyncServiceOptions {
  store: SavingsStore;
  /** The subscriptions, their sync modes and their lost-access states. */
  subscriptions: Pick<
    AzureTenantStore,
    'listSubscriptions' | 'getSubscription'
  >;
  advisor: AdvisorReader;
  azureBudgets: AzureBudgetReader;
  logger: LoggerService;
  /** Subscriptions read at the same time. Defaults to 2: Resource Graph's quota is per principal. */
  concurrency?: number;
  /** The clock; tests move it. Defaults to the system clock. */
  now?: () => Date;
}

/**
 * Reads, for each connected subscription, Azure Advisor's cost recommendations and the budgets defined in Azure, and
 * replaces what is stored for it. Budgets are spend data, read under every sync mode as spend is; recommendations
 * are about resources, so under `none` none are read and those stored earlier are removed.
 *
 * Budgets are read first: Azure refuses them with a 403 once the Reader role is gone, whereas Resource Graph then
 * silently answers no rows, which would pass for "no recommendations". A read that fails stores nothing: the last
 * good rows stay, and the failure is recorded for the subscription as a sentence.
 */
export class SavingsSyncService {
  private readonly options: SavingsSyncServiceOptions;
  private readonly now: () => Date;
  private readonly runs = new SubscriptionSyncRuns<SavingsSyncResult>();

  constructor(options: SavingsSyncServiceOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
  }

  /** Syncs one subscription. Never throws for an Azure failure: it is recorded and returned. */
  syncSubscription(subscriptionId: string): Promise<SavingsSyncResult> {
    return this.runs.run(subscriptionId, id => this.doSync(id));
  }

  private async doSync(subscriptionId: string): Promise<SavingsSyncResult> {
    const { store, subscriptions, advisor, azureBudgets, logger } =
      this.options;
    const result = (
      status: SavingsSyncResult['status'],
      extra: Partial<SavingsSyncResult> = {},
    ): SavingsSyncResult => ({
      subscriptionId,
      status,
      recommendations: 0,
      azureBudgets: 0,
      ...extra,
    });
    const subscription = await subscriptions.getSubscription(subscriptionId);
    if (!subscription) {
      return result('failed', {
        error: `Subscription ${subscriptionId} is not registered`,
      });
    }
    const { tenantId, syncMode, access } = subscription;
    if (access && backsOff(access, this.now())) {
      // Lost access, found by the resource or spend sync: not every run at full rate. The stored rows stay.
      return result('skipped', { error: access.message });
    }
    try {
      const budgets = await azureBudgets.readBudgets({
        tenantId,
        subscriptionId,
      });
      const recommendations =
        syncMode === 'none'
          ? []
          : await advisor.readCostRecommendations({ tenantId, subscriptionId });
      await store.replaceSubscription({
        subscriptionId,
        recommendations,
        azureBudgets: budgets,
        at: this.now(),
      });
      logger.info(
        `Read savings of subscription ${subscriptionId} (${syncMode}): ${recommendations.length} Advisor cost recommendations, ${budgets.length} Azure budgets`,
        {
          tenantId,
          subscriptionId,
          syncMode,
          recommendations: recommendations.length,
          azureBudgets: budgets.length,
        },
      );
      return result('succeeded', {
        recommendations: recommendations.length,
        azureBudgets: budgets.length,
      });
    } catch (error) {
      const finding = classifyAccessProblem(error, 'read', subscription);
      // Lost access is kept as a sentence; the raw error (scopes, tracing options) is never stored or logged.
      const message = finding ? finding.message : describeAzureError(error);
      try {
        await store.recordReadFailure({
          subscriptionId,
          at: this.now(),
          error: message,
        });
      } catch (recordError) {
        logger.error(
          `Could not record the failed savings read of subscription ${subscriptionId}: ${
            (recordError as Error).message
          }`,
        );
      }
      logger.warn(
        `Savings read of subscription ${subscriptionId} failed; the recommendations and budgets read earlier are kept: ${message}`,
        {
          tenantId,
          subscriptionId,
          ...(finding ? { accessProblem: finding.problem } : {}),
          ...azureErrorFields(error),
        },
      );
      return result('failed', { error: message });
    }
  }

  /** Syncs every registered subscription, a few at a time, and those registered while it ran. */
  async syncAll(): Promise<SavingsSyncResult[]> {
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

/** Options for {@link registerSavingsSync}. */
export interface RegisterSavingsSyncOptions {
  scheduler: SchedulerService;
  logger: LoggerService;
  config: SavingsConfig;
  syncService: SavingsSyncService;
}

/** Schedules the savings sync of every subscription as the task `azure-tenant-savings-sync`. */
export async function registerSavingsSync(
  options: RegisterSavingsSyncOptions,
): Promise<void> {
  const { scheduler, logger, config, syncService } = options;
  await scheduleSubscriptionSync({
    scheduler,
    logger,
    taskId: SAVINGS_SYNC_TASK_ID,
    schedule: config.schedule,
    subject: 'savings',
    syncAll: () => syncService.syncAll(),
  });
}
