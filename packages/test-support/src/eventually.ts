/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** How long to keep trying. Defaults to 60 seconds: generous, for a loaded 2-core machine. */
  timeoutMs?: number;
  /** The pause between two tries. Defaults to 250 ms. */
  intervalMs?: number;
}

/**
 * Runs an assertion until it passes or the time is up, for state that settles in the background (a sync, catalog
 * ingestion, a page in the browser), and returns what it returned. The last failure is thrown.
 */
export async function eventually<T>(
  assertion: () => Promise<T> | T,
  options: EventuallyOptions = {},
): Promise<T> {
  const { timeoutMs = 60_000, intervalMs = 250 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise(resolve => setTimeout(resolve, intervalMs));
    }
  }
}
