import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { BudgetScope } from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../api';
import { spendDateRange } from '../components/SpendContent/spendPeriods';
import { SpendTarget } from '../spendTarget';

/**
 * Whose spend tells a scope's currency: the subscription of a subscription or resource group, the entity itself, and
 * a custom group's first subscription.
 */
function currencySpendTarget(scope: BudgetScope): SpendTarget | undefined {
  switch (scope.kind) {
    case 'subscription':
    case 'resourceGroup':
      return { subscriptionId: scope.subscriptionId };
    case 'entity':
      return { entityRef: scope.entityRef };
    default: {
      const subscriptionId =
        scope.subscriptionIds?.[0] ?? scope.resourceGroups?.[0]?.subscriptionId;
      return subscriptionId ? { subscriptionId } : undefined;
    }
  }
}

/**
 * The currency a scope's spend is in (the one with the most spend in the last 30 days), for a new budget's default
 * currency; `undefined` while unknown: no spend yet, or the spend cannot be read.
 */
export function useBudgetCurrency(
  scope: BudgetScope | undefined,
): string | undefined {
  const api = useApi(azureTenantApiRef);
  const target = scope && currencySpendTarget(scope);
  const key = target ? JSON.stringify(target) : undefined;
  const today = useMemo(() => new Date(), []);
  const { value } = useAsync(async () => {
    if (!key) return undefined;
    const { from, to } = spendDateRange('last30', today);
    try {
      const report = await api.getSpend({
        ...(JSON.parse(key) as SpendTarget),
        from,
        to,
        granularity: 'month',
        top: 1,
      });
      const currency = [...report.series].sort((a, b) => b.total - a.total)[0]
        ?.currency;
      return { key, currency };
    } catch {
      // Not knowing the currency is fine: the dialog falls back to USD and the backend checks the currency.
      return undefined;
    }
  }, [api, key, today]);
  // While another scope's currency loads, the previous scope's answer is not this one's.
  return value?.key === key ? value?.currency : undefined;
}
