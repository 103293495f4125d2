import { mockServices } from '@backstage/backend-test-utils';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { triggerTaskSoon } from './triggerTask';

function schedulerAnswering(...answers: Array<Error | undefined>) {
  const scheduler = mockServices.scheduler.mock();
  const triggerTask = scheduler.triggerTask as jest.Mock;
  for (const answer of answers) {
    triggerTask.mockImplementationOnce(async () => {
      if (answer) throw answer;
    });
  }
  return { scheduler, triggerTask };
}

describe('triggerTaskSoon', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('triggers once when the task is idle', async () => {
    const { scheduler, triggerTask } = schedulerAnswering(undefined);
    await triggerTaskSoon(scheduler, 'task', mockServices.logger.mock());
    await jest.advanceTimersByTimeAsync(120_000);
    expect(triggerTask).toHaveBeenCalledTimes(1);
    expect(triggerTask).toHaveBeenCalledWith('task');
  });

  it('asks again after the delay while the task is running, until it is accepted', async () => {
    const { scheduler, triggerTask } = schedulerAnswering(
      new ConflictError('Task task is currently running'),
      new ConflictError('Task task is currently running'),
      undefined,
    );
    await triggerTaskSoon(scheduler, 'task', mockServices.logger.mock(), {
      retryDelay: { seconds: 1 },
    });
    expect(triggerTask).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(999);
    expect(triggerTask).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(triggerTask).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(1000);
    expect(triggerTask).toHaveBeenCalledTimes(3);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(triggerTask).toHaveBeenCalledTimes(3);
  });

  it('gives up after the bounded number of tries and logs why', async () => {
    const conflict = () => new ConflictError('Task task is currently running');
    const { scheduler, triggerTask } = schedulerAnswering(
      ...Array.from({ length: 10 }, conflict),
    );
    const logger = mockServices.logger.mock();
    await triggerTaskSoon(scheduler, 'task', logger, {
      attempts: 3,
      retryDelay: { seconds: 1 },
    });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(triggerTask).toHaveBeenCalledTimes(3);
    expect(logger.debug).toHaveBeenCalledWith(
      'Task task not triggered now: Task task is currently running',
      { taskId: 'task' },
    );
  });

  it('does not ask again for an error other than a conflict, and never throws', async () => {
    const { scheduler, triggerTask } = schedulerAnswering(
      new NotFoundError('Task task does not exist'),
    );
    await expect(
      triggerTaskSoon(scheduler, 'task', mockServices.logger.mock()),
    ).resolves.toBeUndefined();
    await jest.advanceTimersByTimeAsync(120_000);
    expect(triggerTask).toHaveBeenCalledTimes(1);
  });
});
