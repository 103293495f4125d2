import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';

/** What the schedule of a subscription sync reads of each subscription's result. */
export interface SubscriptionSyncOutcome {
  subscriptionId: string;
  status: 'succeeded' | 'failed' | 'skipped';
}

/** Options for {@link scheduleSubscriptionSync}. */
export interface ScheduleSubscriptionSyncOptions<
  TResult extends SubscriptionSyncOutcome,
> {
  scheduler: SchedulerService;
  /** The task logs through a child of it, with its `taskId`. */
  logger: LoggerService;
  taskId: string;
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** What is synced, in lower case, as the task's log lines name it: `spend`, `savings`. */
  subject: string;
  /** One run: syncs every subscription and says what happened to each. */
  syncAll: () => Promise<TResult[]>;
  /** Called after each run with its results, e.g. to evaluate budgets on the spend just read. It never fails a run. */
  onSynced?: (results: TResult[]) => Promise<void>;
}

/**
 * Schedules a task that syncs every subscription, warns with the subscriptions whose sync failed, then runs the
 * `onSynced` hook. A run that throws is the scheduler's to log; the rows synced before are kept by each sync.
 */
export async function scheduleSubscriptionSync<
  TResult extends SubscriptionSyncOutcome,
>(options: ScheduleSubscriptionSyncOptions<TResult>): Promise<void> {
  const { scheduler, taskId, schedule, subject, syncAll, onSynced } = options;
  const logger = options.logger.child({ taskId });
  // The sentence's first word: "Spend sync failed for ...".
  const title = subject.charAt(0).toUpperCase() + subject.slice(1);
  await scheduler.scheduleTask({
    id: taskId,
    ...schedule,
    fn: async () => {
      const results = await syncAll();
      const failed = results.filter(r => r.status === 'failed');
      if (failed.length > 0) {
        logger.warn(
          `${title} sync failed for ${failed.length} of ${
            results.length
          } subscriptions: ${failed.map(f => f.subscriptionId).join(', ')}`,
          { failed: failed.length, subscriptions: results.length },
        );
      }
      try {
        await onSynced?.(results);
      } catch (error) {
        logger.warn(
          `After the ${subject} sync: ${
            (error as Error).message ?? String(error)
          }`,
        );
      }
    },
  });
}
