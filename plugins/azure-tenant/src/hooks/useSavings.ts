import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import { SavingsReport } from '@azure-tenant/plugin-azure-tenant-common';
import { SavingsQuery, azureTenantApiRef } from '../api';

/** The state of a savings request. */
export interface SavingsState {
  loading: boolean;
  error?: Error;
  report?: SavingsReport;
  retry: () => void;
}

/**
 * Loads the Advisor cost recommendations of a subscription, a resource or an entity.
 *
 * @param query - `undefined` when the entity has nothing to ask for (it lacks its annotation).
 */
export function useSavings(query: SavingsQuery | undefined): SavingsState {
  const api = useApi(azureTenantApiRef);
  // A stable key, so that a new but equal query object does not ask again.
  const key = query ? JSON.stringify(query) : undefined;
  const answer = useAsyncRetry(async () => {
    if (!key) return undefined;
    return api.getSavings(JSON.parse(key) as SavingsQuery);
  }, [api, key]);
  return {
    loading: Boolean(key) && answer.loading,
    error: answer.loading ? undefined : answer.error,
    report: answer.loading ? undefined : answer.value,
    retry: answer.retry,
  };
}
