import { DependencyList, useCallback, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';

/**
 * `useAsync` with a `reload` that always loads again. react-use's `useAsyncRetry` ignores a retry while a load is in
 * flight, so a budget created while the list was still loading (a quick user, a busy backend) never showed up. Here
 * a reload during a load starts another one, and the last load wins.
 */
export function useReloadableAsync<T>(
  load: () => Promise<T>,
  deps: DependencyList,
) {
  const [attempt, setAttempt] = useState(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const state = useAsync(load, [...deps, attempt]);
  const reload = useCallback(() => setAttempt(n => n + 1), []);
  return { ...state, reload };
}
