import { useApi } from '@backstage/core-plugin-api';
import { SpendAlert } from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef, BudgetAlertQuery } from '../api';
import { BudgetListState } from './useBudgets';
import { useReloadableAsync } from './useReloadableAsync';

/** Loads the spend alerts the portal sent, newest first; without `budgetId` the backend answers admins only. */
export function useBudgetAlerts(
  query: BudgetAlertQuery = {},
): BudgetListState<SpendAlert> {
  const api = useApi(azureTenantApiRef);
  const key = JSON.stringify(query);
  const { loading, error, value, reload } = useReloadableAsync(
    () => api.listBudgetAlerts(JSON.parse(key) as BudgetAlertQuery),
    [api, key],
  );
  return { loading, error, items: value, reload };
}
