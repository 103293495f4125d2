import { useEffect, useState } from 'react';
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

/**
 * Loads the spend of a query, and again whenever the query changes. An answer to an earlier query that arrives late
 * is dropped, so the page never shows the spend of a period the user has already left.
 *
 * @param query - `undefined` while there is nothing to ask yet (e.g. a tag key is still being typed).
 */
export function useSpend(query: SpendQuery | undefined): SpendState {
  const api = useApi(azureTenantApiRef);
  const [state, setState] = useState<SpendState>({ loading: !!query });
  // A stable key, so that a new but equal query object does not ask again.
  const key = query ? JSON.stringify(query) : undefined;

  useEffect(() => {
    if (!key) {
      setState({ loading: false });
      return undefined;
    }
    let cancelled = false;
    setState({ loading: true });
    api.getSpend(JSON.parse(key) as SpendQuery).then(
      report => {
        if (!cancelled) setState({ loading: false, report });
      },
      error => {
        if (!cancelled) setState({ loading: false, error });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, key]);

  return state;
}
