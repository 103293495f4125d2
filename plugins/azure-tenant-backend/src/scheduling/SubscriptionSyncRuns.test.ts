import { SubscriptionSyncRuns } from './SubscriptionSyncRuns';

describe('SubscriptionSyncRuns', () => {
  it("joins a subscription's running sync, whatever the case of its id", async () => {
    const runs = new SubscriptionSyncRuns<string>();
    let release!: () => void;
    const sync = jest.fn(
      (id: string) =>
        new Promise<string>(resolve => {
          release = () => resolve(`${id} synced`);
        }),
    );

    const first = runs.run('AB-12', sync);
    const second = runs.run('ab-12', sync);
    release();

    expect(await first).toBe('ab-12 synced');
    expect(await second).toBe('ab-12 synced');
    expect(sync).toHaveBeenCalledTimes(1);
  });

  it('starts a new sync once the last one ended, failed or not', async () => {
    const runs = new SubscriptionSyncRuns<string>();
    await expect(
      runs.run('ab-12', async () => {
        throw new Error('Azure refused');
      }),
    ).rejects.toThrow('Azure refused');
    const sync = jest.fn(async (id: string) => `${id} synced`);
    expect(await runs.run('ab-12', sync)).toBe('ab-12 synced');
    expect(await runs.run('ab-12', sync)).toBe('ab-12 synced');
    expect(sync).toHaveBeenCalledTimes(2);
  });

  it('runs the syncs of different subscriptions side by side', async () => {
    const runs = new SubscriptionSyncRuns<string>();
    const sync = jest.fn(async (id: string) => id);
    const results = await Promise.all([
      runs.run('ab-12', sync),
      runs.run('cd-34', sync),
    ]);
    expect(results).toEqual(['ab-12', 'cd-34']);
    expect(sync).toHaveBeenCalledTimes(2);
  });
});
