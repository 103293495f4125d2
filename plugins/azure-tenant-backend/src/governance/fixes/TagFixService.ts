import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { triggerTaskSoon } from '../../scheduling/triggerTask';
import { TagFixRunner } from './TagFixRunner';

/** The scheduled task that applies bulk tag fix jobs. */
export const TAG_FIX_TASK_ID = 'azure-tenant-tag-fixes';

/** Options for {@link TagFixService}. */
export interface TagFixServiceOptions {
  scheduler: SchedulerService;
  runner: TagFixRunner;
  logger: LoggerService;
}

/**
 * Runs the bulk tag fix jobs: the scheduled task `azure-tenant-tag-fixes` every minute on each replica (a job's
 * lease, not the scheduler's lock, decides who works on it, so that a replica that dies leaves its job to another),
 * and at once after a job is created.
 */
export class TagFixService {
  constructor(private readonly options: TagFixServiceOptions) {}

  async start(): Promise<void> {
    const { scheduler, runner } = this.options;
    const logger = this.options.logger.child({ taskId: TAG_FIX_TASK_ID });
    await scheduler.scheduleTask({
      id: TAG_FIX_TASK_ID,
      // Every replica runs it: leases share the jobs out.
      scope: 'local',
      frequency: { minutes: 1 },
      timeout: { hours: 6 },
      initialDelay: { seconds: 30 },
      fn: async () => {
        try {
          await runner.run();
        } catch (error) {
          logger.error(`Tag fix run failed: ${(error as Error).message}`);
        }
      },
    });
  }

  /** Starts the task now (after a job was created). */
  readonly trigger = async (): Promise<void> => {
    await triggerTaskSoon(
      this.options.scheduler,
      TAG_FIX_TASK_ID,
      this.options.logger,
    );
  };

  /** Stops after the items being applied, letting the leases go, so that another replica resumes at once. */
  async stop(): Promise<void> {
    await this.options.runner.stop({ release: true });
  }
}
