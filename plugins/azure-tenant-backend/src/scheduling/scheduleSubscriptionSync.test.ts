import { mockServices } from '@backstage/backend-test-utils';
import {
  scheduleSubscriptionSync,
  SubscriptionSyncOutcome,
} from './scheduleSubscriptionSync';

describe('scheduleSubscriptionSync', () => {
  async function schedule(
    results: SubscriptionSyncOutcome[],
    onSynced?: (results: SubscriptionSyncOutcome[]) => Promise<void>,
  ) {
    const scheduler = mockServices.scheduler.mock();
    const logger = mockServices.logger.mock();
    await scheduleSubscriptionSync({
      scheduler,
      logger,
      taskId: 'azure-tenant-spend-sync',
      schedule: { frequency: { hours: 6 }, timeout: { minutes: 30 } },
      subject: 'spend',
      syncAll: async () => results,
      onSynced,
    });
    const task = scheduler.scheduleTask.mock.calls[0][0];
    const taskLogger = logger.child.mock.results[0].value;
    return { task, logger, taskLogger };
  }

  it('schedules the task with its id and schedule, logging with its taskId', async () => {
    const { task, logger } = await schedule([]);
    expect(task).toMatchObject({
      id: 'azure-tenant-spend-sync',
      frequency: { hours: 6 },
      timeout: { minutes: 30 },
    });
    expect(logger.child).toHaveBeenCalledWith({
      taskId: 'azure-tenant-spend-sync',
    });
  });

  it('warns with the subscriptions whose sync failed, and runs the hook with every result', async () => {
    const results: SubscriptionSyncOutcome[] = [
      { subscriptionId: 'sub-1', status: 'succeeded' },
      { subscriptionId: 'sub-2', status: 'failed' },
      { subscriptionId: 'sub-3', status: 'skipped' },
      { subscriptionId: 'sub-4', status: 'failed' },
    ];
    const onSynced = jest.fn(async () => {});
    const { task, taskLogger } = await schedule(results, onSynced);
    await task.fn(new AbortController().signal);
    expect(taskLogger.warn).toHaveBeenCalledWith(
      'Spend sync failed for 2 of 4 subscriptions: sub-2, sub-4',
      { failed: 2, subscriptions: 4 },
    );
    expect(onSynced).toHaveBeenCalledWith(results);
  });

  it('says nothing when every sync succeeded or was skipped', async () => {
    const { task, taskLogger } = await schedule([
      { subscriptionId: 'sub-1', status: 'succeeded' },
      { subscriptionId: 'sub-2', status: 'skipped' },
    ]);
    await task.fn(new AbortController().signal);
    expect(taskLogger.warn).not.toHaveBeenCalled();
  });

  it('logs a failing hook without failing the run', async () => {
    const { task, taskLogger } = await schedule(
      [{ subscriptionId: 'sub-1', status: 'succeeded' }],
      async () => {
        throw new Error('budgets could not be evaluated');
      },
    );
    await expect(task.fn(new AbortController().signal)).resolves.toBe(
      undefined,
    );
    expect(taskLogger.warn).toHaveBeenCalledWith(
      'After the spend sync: budgets could not be evaluated',
    );
  });
});
