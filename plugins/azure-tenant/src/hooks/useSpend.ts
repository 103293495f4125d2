import { useEffect, useRef, useState } from 'react';
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
  const [state, setState] = useState<SpendState>({ loading: !!query });
  // Bumped to ask again for the same query.
  const [refresh, setRefresh] = useState(0);
  // The query whose answer is shown; asking again for it keeps that answer on screen instead of a spinner.
  const shownKey = useRef<string | undefined>(undefined);
  // A stable key, so that a new but equal query object does not ask again.
  const key = query ? JSON.stringify(query) : undefined;

  useEffect(() => {
    if (!key) {
      shownKey.current = undefined;
      setState({ loading: false });
      return undefined;
    }
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (shownKey.current !== key) {
      shownKey.current = undefined;
      setState({ loading: true });
    }
    api.getSpend(JSON.parse(key) as SpendQuery).then(
      report => {
        if (cancelled) return;
        shownKey.current = key;
        setState({ loading: false, report });
        if (report.status === 'pending') {
          timer = setTimeout(() => setRefresh(n => n + 1), pendingRefreshMs);
        }
      },
      error => {
        if (cancelled) return;
        shownKey.current = undefined;
        setState({ loading: false, error });
      },
    );
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [api, key, refresh, pendingRefreshMs]);

  return state;
}
