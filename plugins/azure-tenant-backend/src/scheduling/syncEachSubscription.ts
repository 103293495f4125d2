import pLimit from 'p-limit';

/** Passes of one run: the registered subscriptions, then those registered while the run went on. */
const MAX_PASSES = 5;

/** Options for {@link syncEachSubscription}. */
export interface SyncEachSubscriptionOptions<TResult> {
  /** The ids of the registered subscriptions, read again before each pass. */
  listSubscriptionIds: () => Promise<string[]>;
  /** Syncs one subscription; a failure is a result, so that one subscription never stops the others. */
  syncSubscription: (subscriptionId: string) => Promise<TResult>;
  /** Subscriptions synced at the same time; at least 1. */
  concurrency: number;
}

/**
 * Syncs every registered subscription, a few at a time. Then it looks again for subscriptions registered while it
 * ran (a tenant connected meanwhile), and syncs those too, a bounded number of times. Each subscription is synced
 * once a run: ids are compared without case.
 */
export async function syncEachSubscription<TResult>(
  options: SyncEachSubscriptionOptions<TResult>,
): Promise<TResult[]> {
  const { listSubscriptionIds, syncSubscription } = options;
  const results: TResult[] = [];
  const done = new Set<string>();
  const limit = pLimit(Math.max(1, options.concurrency));
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const due = (await listSubscriptionIds()).filter(
      id => !done.has(id.toLowerCase()),
    );
    if (due.length === 0) break;
    for (const id of due) done.add(id.toLowerCase());
    results.push(
      ...(await Promise.all(due.map(id => limit(() => syncSubscription(id))))),
    );
  }
  return results;
}
