import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';

/** How {@link triggerTaskSoon} asks again while the task is running. */
export interface TriggerTaskSoonOptions {
  /** Tries in all, the first included. Defaults to 6. */
  attempts?: number;
  /** The wait before each try after the first. Defaults to 10 seconds. */
  retryDelay?: HumanDuration;
}

/**
 * Starts a scheduled task now. When it is running already (the scheduler answers with a conflict, possibly from
 * another replica), the run in progress may have looked for work before the caller recorded its own, so this asks
 * again a little later, a bounded number of times, in the background. The tasks that use it look for work recorded
 * during their run before they end, so a later trigger is only needed when a run was just ending.
 *
 * Resolves once the first try is done; it never throws.
 */
export async function triggerTaskSoon(
  scheduler: SchedulerService,
  taskId: string,
  logger: LoggerService,
  options: TriggerTaskSoonOptions = {},
): Promise<void> {
  const attempts = Math.max(1, options.attempts ?? 6);
  const retryDelayMs = durationToMilliseconds(
    options.retryDelay ?? { seconds: 10 },
  );

  const tryTrigger = async (attempt: number): Promise<void> => {
    try {
      await scheduler.triggerTask(taskId);
      return;
    } catch (error) {
      const { name, message } = error as Error;
      if (name !== 'ConflictError' || attempt >= attempts) {
        logger.debug(`Task ${taskId} not triggered now: ${message}`, {
          taskId,
        });
        return;
      }
    }
    const timer = setTimeout(() => {
      void tryTrigger(attempt + 1);
    }, retryDelayMs);
    // A pending retry never keeps the process alive at shutdown.
    timer.unref?.();
  };

  await tryTrigger(1);
}
