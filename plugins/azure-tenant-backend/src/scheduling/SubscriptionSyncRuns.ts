/**
 * The syncs of subscriptions running in this process, by subscription: a sync asked for while the same subscription's
 * runs (a scheduled run and a trigger after onboarding, say) joins it instead of reading Azure a second time.
 */
export class SubscriptionSyncRuns<TResult> {
  private readonly running = new Map<string, Promise<TResult>>();

  /** Starts `sync` with the lower-cased id, or returns the sync of that subscription already running. */
  run(
    subscriptionId: string,
    sync: (subscriptionId: string) => Promise<TResult>,
  ): Promise<TResult> {
    const id = subscriptionId.toLowerCase();
    const running = this.running.get(id);
    if (running) return running;
    const started = sync(id).finally(() => this.running.delete(id));
    this.running.set(id, started);
    return started;
  }
}
