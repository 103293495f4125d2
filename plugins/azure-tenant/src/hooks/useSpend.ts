import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { useApi } from '@backstage/core-plugin-api';
import {
  SpendQuery,
  SpendReport,
} from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../api';

/** The state of a spend request. */
export interface SpendState {
  loading: boolean;
  error?: Error;
  report?: SpendReport;
}

/** How often a report whose first spend sync is pending is asked for again. */
export const PENDING_SPEND_REFRESH_MS = 15_000;

/**
 * Loads the spend of a query, and again whenever the query changes. An answer to an earlier query that arrives late
 * is dropped, so the page never shows the spend of a period the user has already left. While the first spend sync is
 * pending (just after a tenant was connected), it asks again every `pendingRefreshMs`, so that the spend shows as soon
 * as it is there, without a reload.
 *
 * @param query - `undefined` while there is nothing to ask yet (e.g. a tag key is still being typed).
 */
export function useSpend(
  query: SpendQuery | undefined,
  options: { pendingRefreshMs?: number } = {},
): SpendState {
  const { pendingRefreshMs = PENDING_SPEND_REFRESH_MS } = options;
  const api = useApi(azureTenantApiRef);
  // A stable key, so that a new but equal query object does not ask again.
  const key = query ? JSON.stringify(query) : undefined;

  // The answer carries the key it was asked for: while a new query loads, react-use still holds the previous answer,
  // which belongs to a query the user has left.
  const answer = useAsyncRetry(async () => {
    if (!key) return undefined;
    const report = await api.getSpend(JSON.parse(key) as SpendQuery);
    return { key, report };
  }, [api, key]);
  const report = answer.value?.key === key ? answer.value?.report : undefined;

  // Asked again only between answers, so a slow backend is never asked twice at once.
  const askAgain = report?.status === 'pending' && !answer.loading;
  useInterval(answer.retry, askAgain ? pendingRefreshMs : null);

  if (!key) {
    return { loading: false };
  }
  if (report) {
    // Asking again for the same query keeps its answer on screen instead of a spinner.
    return { loading: false, report };
  }
  if (answer.error && !answer.loading) {
    return { loading: false, error: answer.error };
  }
  return { loading: true };
}
