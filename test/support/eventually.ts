/**
 * Runs an assertion until it passes or the time is up, for state that settles in the background (catalog
 * ingestion, for example). The last failure is thrown.
 */
export async function eventually<T>(
  assertion: () => Promise<T>,
  { timeoutMs = 60_000, intervalMs = 1000 } = {},
): Promise<T> {
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
