import { useApi } from '@backstage/core-plugin-api';
import {
  AzureBudget,
  BudgetStatus,
} from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef, BudgetListFilter } from '../api';
import { useReloadableAsync } from './useReloadableAsync';

/** The state of a list read from the backend; a reload keeps the previous list until the new one arrives. */
export interface BudgetListState<T> {
  loading: boolean;
  error?: Error;
  items?: T[];
  reload: () => void;
}

/**
 * Loads the budgets the user may see, with their use this period, matching one or more filters (a budget that
 * matches several is listed once). Without filters, every budget the user may see.
 */
export function useBudgets(
  ...filters: BudgetListFilter[]
): BudgetListState<BudgetStatus> {
  const api = useApi(azureTenantApiRef);
  // A stable key, so that new but equal filter objects do not load again.
  const key = JSON.stringify(filters.length > 0 ? filters : [{}]);
  const { loading, error, value, reload } = useReloadableAsync(async () => {
    const lists = await Promise.all(
      (JSON.parse(key) as BudgetListFilter[]).map(filter =>
        api.listBudgets(filter),
      ),
    );
    const byId = new Map<string, BudgetStatus>();
    for (const status of lists.flat()) {
      byId.set(status.budget.id, status);
    }
    return [...byId.values()];
  }, [api, key]);
  return { loading, error, items: value, reload };
}

/** Loads the budgets defined in Azure on the connected subscriptions (read-only in the portal). */
export function useAzureBudgets(): BudgetListState<AzureBudget> {
  const api = useApi(azureTenantApiRef);
  const { loading, error, value, reload } = useReloadableAsync(
    () => api.listAzureBudgets(),
    [api],
  );
  return { loading, error, items: value, reload };
}
