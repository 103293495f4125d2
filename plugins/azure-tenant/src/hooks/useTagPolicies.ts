import { useApi } from '@backstage/core-plugin-api';
import {
  AzureTagPolicyAssignment,
  TagPolicy,
} from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../api';
import { BudgetListState } from './useBudgets';
import { useReloadableAsync } from './useReloadableAsync';

/** Loads every tag policy: those declared in app-config and those made in the portal. */
export function useTagPolicies(): BudgetListState<TagPolicy> {
  const api = useApi(azureTenantApiRef);
  const { loading, error, value, reload } = useReloadableAsync(
    () => api.listTagPolicies(),
    [api],
  );
  return { loading, error, items: value, reload };
}

/** Loads the Azure Policy assignments about tags on the connected subscriptions (read-only in the portal). */
export function useAzureTagPolicies(): BudgetListState<AzureTagPolicyAssignment> {
  const api = useApi(azureTenantApiRef);
  const { loading, error, value, reload } = useReloadableAsync(
    () => api.listAzureTagPolicies(),
    [api],
  );
  return { loading, error, items: value, reload };
}
