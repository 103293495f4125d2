import { syncEachSubscription } from './syncEachSubscription';

describe('syncEachSubscription', () => {
  it('syncs each subscription once, and those registered while it ran', async () => {
    const registered = ['sub-a', 'sub-b'];
    const synced: string[] = [];
    const results = await syncEachSubscription({
      listSubscriptionIds: async () => [...registered],
      syncSubscription: async id => {
        synced.push(id);
        // A tenant connected during the first pass, its subscription's id in other case than an old one.
        if (id === 'sub-a') registered.push('sub-c', 'SUB-B');
        return `${id} synced`;
      },
      concurrency: 2,
    });
    expect(synced.sort()).toEqual(['sub-a', 'sub-b', 'sub-c']);
    expect(results.sort()).toEqual([
      'sub-a synced',
      'sub-b synced',
      'sub-c synced',
    ]);
  });

  it('syncs no more subscriptions at once than its concurrency', async () => {
    let running = 0;
    let most = 0;
    await syncEachSubscription({
      listSubscriptionIds: async () => ['s1', 's2', 's3', 's4', 's5'],
      syncSubscription: async () => {
        running++;
        most = Math.max(most, running);
        await new Promise(resolve => setImmediate(resolve));
        running--;
      },
      concurrency: 2,
    });
    expect(most).toBe(2);
  });

  it('stops after a bounded number of passes while subscriptions keep coming', async () => {
    let next = 0;
    const results = await syncEachSubscription({
      listSubscriptionIds: async () => [`sub-${next++}`],
      syncSubscription: async id => id,
      concurrency: 1,
    });
    expect(results).toEqual(['sub-0', 'sub-1', 'sub-2', 'sub-3', 'sub-4']);
  });
});
