import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import {
  AccessProblemFinding,
  backsOff,
  classifyAccessProblem,
  stopsSync,
} from '../azure/accessProblems';
import { AzureTenantStore } from '../database/AzureTenantStore';
import { azureErrorFields, azureFailureReason } from '../metrics/azureFailure';
import { AzureTenantMetrics } from '../metrics/azureTenantMetrics';
import { scheduleSubscriptionSync } from '../scheduling/scheduleSubscriptionSync';
import { SubscriptionSyncRuns } from '../scheduling/SubscriptionSyncRuns';
import { syncEachSubscription } from '../scheduling/syncEachSubscription';
import { CostReader } from './costManagementReader';
import { SpendConfig } from './SpendConfig';
import { addDays, dayOf } from './spendDays';
import { SpendStore } from './SpendStore';

/** The id of the scheduled spend sync task. */
export const SPEND_SYNC_TASK_ID = 'azure-tenant-spend-sync';

/** Days read from Cost Management in one query, and replaced in one transaction. */
const WINDOW_DAYS = 31;

/** The outcome of one subscription's spend sync. */
export interface SpendSyncResult {
  subscriptionId: string;
  /** `skipped`: the portal has lost access to the subscription and backs off until `access.nextAttemptAt`. */
  status: 'succeeded' | 'failed' | 'skipped';
  /** The day ranges read, newest first. */
  ranges: Array<{ from: string; to: string }>;
  rows: number;
  error?: string;
}

/** Options for {@link SpendSyncService}. */
export interface SpendSyncServiceOptions {
  store: SpendStore;
  reader: CostReader;
  logger: LoggerService;
  config: Pick<SpendConfig, 'lookbackDays' | 'restatementDays' | 'concurrency'>;
  /** The clock; tests move it. Defaults to the system clock. */
  now?: () => Date;
  /** Counts each subscription's spend sync: runs, duration, rows, failures by reason. */
  metrics?: AzureTenantMetrics;
  /**
   * Lost access: the tenant store that keeps each tenant's and subscription's access state, and the back-off of
   * syncs while access is lost. Without it, every run tries every subscription.
   */
  access?: {
    store: Pick<
      AzureTenantStore,
      'getSubscription' | 'recordAccessProblem' | 'clearAccessProblem'
    >;
    retryDelayMs: (attempts: number) => number;
  };
}

/**
 * Syncs spend from Cost Management into the {@link SpendStore}: on the first run it backfills `lookbackDays`, after
 * that it re-reads only the last `restatementDays` (plus any days missed since the last run). Spend is collected
 * under every sync mode, `none` included: it is about cost, not about resources or tags. A failure is recorded for
 * the subscription and never deletes stored spend.
 */
export class SpendSyncService {
  private readonly store: SpendStore;
  private readonly reader: CostReader;
  private readonly logger: LoggerService;
  private readonly config: SpendSyncServiceOptions['config'];
  private readonly now: () => Date;
  private readonly metrics?: AzureTenantMetrics;
  private readonly access: SpendSyncServiceOptions['access'];
  private readonly runs = new SubscriptionSyncRuns<SpendSyncResult>();

  constructor(options: SpendSyncServiceOptions) {
    this.store = options.store;
    this.reader = options.reader;
    this.logger = options.logger;
    this.config = options.config;
    this.now = options.now ?? (() => new Date());
    this.metrics = options.metrics;
    this.access = options.access;
  }

  /** The day ranges the next sync of a subscription reads, newest first. */
  async plannedRanges(
    subscriptionId: string,
  ): Promise<Array<{ from: string; to: string }>> {
    const today = dayOf(this.now());
    const lookbackStart = addDays(today, -(this.config.lookbackDays - 1));
    const state = await this.store.getSyncState(subscriptionId);
    if (!state?.syncedThrough || !state.backfilledFrom) {
      return [{ from: lookbackStart, to: today }];
    }
    const restated = addDays(today, -(this.config.restatementDays - 1));
    const missedFrom = addDays(state.syncedThrough, 1);
    let from = missedFrom < restated ? missedFrom : restated;
    if (from < lookbackStart) from = lookbackStart;
    const ranges = [{ from, to: today }];
    // Days before the stored ones, e.g. after lookbackDays was raised or a backfill was cut short.
    if (state.backfilledFrom > lookbackStart && from > lookbackStart) {
      const to = addDays(
        state.backfilledFrom < from ? state.backfilledFrom : from,
        -1,
      );
      if (to >= lookbackStart) ranges.push({ from: lookbackStart, to });
    }
    return ranges;
  }

  /** Syncs one subscription. Never throws for an Azure failure: it is recorded and returned. */
  syncSubscription(subscriptionId: string): Promise<SpendSyncResult> {
    return this.runs.run(subscriptionId, id => this.doSync(id));
  }

  private async doSync(subscriptionId: string): Promise<SpendSyncResult> {
    const subscription = await this.store.getSubscription(subscriptionId);
    if (!subscription) {
      return {
        subscriptionId,
        status: 'failed',
        ranges: [],
        rows: 0,
        error: `Subscription ${subscriptionId} is not registered`,
      };
    }
    const known = await this.access?.store.getSubscription(subscriptionId);
    const lost = known?.access;
    if (lost && backsOff(lost, this.now())) {
      // Lost access: not every run at full rate. The stored spend stays, shown as stale.
      return {
        subscriptionId,
        status: 'skipped',
        ranges: [],
        rows: 0,
        error: lost.message,
      };
    }
    const ranges = await this.plannedRanges(subscriptionId);
    const { tenantId } = subscription;
    const startedAt = this.now();
    const startedMs = Date.now();
    let rows = 0;
    try {
      for (const range of ranges) {
        // Newest window first, so that the stored days stay one unbroken run if a later window fails.
        for (let to = range.to; to >= range.from; ) {
          let from = addDays(to, -(WINDOW_DAYS - 1));
          if (from < range.from) from = range.from;
          const costs = await this.reader.readDailyCosts({
            tenantId: subscription.tenantId,
            subscriptionId,
            from,
            to,
          });
          await this.store.replaceDays({
            subscriptionId,
            from,
            to,
            costs,
            at: this.now(),
          });
          rows += costs.length;
          to = addDays(from, -1);
        }
      }

      let forecast;
      try {
        forecast = await this.reader.readMonthForecast({
          tenantId: subscription.tenantId,
          subscriptionId,
          today: dayOf(this.now()),
        });
      } catch (error) {
        // The spend itself is good; the previous forecast is kept.
        this.logger.warn(
          `Could not read the spend forecast of subscription ${subscriptionId}: ${
            (error as Error).message
          }`,
          { tenantId, subscriptionId, ...azureErrorFields(error) },
        );
      }
      await this.store.recordSyncSuccess({
        subscriptionId,
        at: this.now(),
        forecast,
      });
      await this.accessIsBack(subscription, startedAt);
      this.logger.info(
        `Synced spend of subscription ${subscriptionId}: ${rows} rows for ${ranges
          .map(r => `${r.from}..${r.to}`)
          .join(', ')}`,
        { tenantId, subscriptionId, rows },
      );
      this.metrics?.recordSpendSync({
        tenantId,
        outcome: 'succeeded',
        durationMs: Date.now() - startedMs,
        read: rows,
        written: rows,
      });
      return { subscriptionId, status: 'succeeded', ranges, rows };
    } catch (error) {
      const finding = classifyAccessProblem(error, 'read', subscription);
      // Lost access is kept as a sentence; the raw error (scopes, tracing options) is never stored or logged.
      const message = finding
        ? finding.message
        : (error as Error).message ?? String(error);
      if (finding) await this.accessLost(subscription, finding, lost?.problem);
      await this.store.recordSyncFailure({
        subscriptionId,
        at: this.now(),
        error: message,
      });
      const reason = azureFailureReason(error);
      this.logger.error(
        `Spend sync of subscription ${subscriptionId} failed; the spend stored earlier is kept: ${message}`,
        { tenantId, subscriptionId, reason, ...azureErrorFields(error) },
      );
      this.metrics?.recordSpendSync({
        tenantId,
        outcome: 'failed',
        durationMs: Date.now() - startedMs,
        read: rows,
        written: rows,
        reason,
      });
      return { subscriptionId, status: 'failed', ranges, rows, error: message };
    }
  }

  /**
   * Keeps a lost-access problem that this sync found. A problem already kept is left as it is: the resource sync
   * checks it on its own schedule, and counting it twice would double the back-off.
   */
  private async accessLost(
    subscription: { subscriptionId: string; tenantId: string },
    finding: AccessProblemFinding,
    known: string | undefined,
  ) {
    if (!this.access || known === finding.problem) return;
    try {
      await this.access.store.recordAccessProblem(
        finding.scope === 'tenant'
          ? { tenantId: subscription.tenantId }
          : { subscriptionId: subscription.subscriptionId },
        {
          problem: finding.problem,
          message: finding.message,
          at: this.now(),
          ...(stopsSync(finding.problem)
            ? { retryDelayMs: this.access.retryDelayMs }
            : {}),
        },
      );
    } catch (error) {
      this.logger.warn(
        `Could not record lost access to subscription ${
          subscription.subscriptionId
        }: ${(error as Error).message}`,
      );
    }
  }

  /**
   * A spend read that worked proves the tenant's credentials and the Reader role: those problems are cleared, but
   * only when they were met before this sync began reading (a sync that began before access was lost and ended after
   * would otherwise clear what a later check found).
   */
  private async accessIsBack(
    subscription: { subscriptionId: string; tenantId: string },
    startedAt: Date,
  ) {
    if (!this.access) return;
    try {
      await this.access.store.clearAccessProblem(
        { tenantId: subscription.tenantId },
        { problems: ['consent-revoked'], seenBefore: startedAt },
      );
      await this.access.store.clearAccessProblem(
        { subscriptionId: subscription.subscriptionId },
        { problems: ['read-denied'], seenBefore: startedAt },
      );
    } catch (error) {
      this.logger.warn(
        `Could not clear the access state of subscription ${
          subscription.subscriptionId
        }: ${(error as Error).message}`,
      );
    }
  }

  /** Syncs every registered subscription, a few at a time, and those registered while it ran. */
  async syncAll(): Promise<SpendSyncResult[]> {
    return syncEachSubscription({
      listSubscriptionIds: async () =>
        (await this.store.listSubscriptions()).map(s => s.subscriptionId),
      syncSubscription: id => this.syncSubscription(id),
      concurrency: this.config.concurrency,
    });
  }
}

/** Options for {@link registerSpendSync}. */
export interface RegisterSpendSyncOptions {
  scheduler: SchedulerService;
  logger: LoggerService;
  config: SpendConfig;
  syncService: SpendSyncService;
  /** Called after each run with its results, e.g. to evaluate budgets on the spend just read. It never fails a run. */
  onSynced?: (results: SpendSyncResult[]) => Promise<void>;
}

/** Schedules the spend sync of every subscription as the task `azure-tenant-spend-sync`. */
export async function registerSpendSync(
  options: RegisterSpendSyncOptions,
): Promise<void> {
  const { scheduler, logger, config, syncService, onSynced } = options;
  await scheduleSubscriptionSync({
    scheduler,
    logger,
    taskId: SPEND_SYNC_TASK_ID,
    schedule: config.schedule,
    subject: 'spend',
    syncAll: () => syncService.syncAll(),
    onSynced,
  });
}
