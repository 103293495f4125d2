import { useCallback, useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import {
  AzureSubscription,
  AzureTenant,
} from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../api';

interface Loaded {
  tenants: AzureTenant[];
  subscriptions: AzureSubscription[];
}

/** Changes the backend answered for single subscriptions since `loaded` was read. */
interface SubscriptionChanges {
  loaded?: Loaded;
  bySubscription: Record<string, Partial<AzureSubscription>>;
}

/**
 * Loads the connected tenants and their subscriptions.
 *
 * A reload keeps showing what was loaded before until the new data arrives, so the page does not flicker.
 * `updateSubscription` shows what the backend answered for one subscription without reading all of them again; the
 * next reload replaces it with the full list.
 */
export function useAzureTenants(): {
  loading: boolean;
  error?: Error;
  tenants?: AzureTenant[];
  subscriptions?: AzureSubscription[];
  reload: () => void;
  updateSubscription: (
    subscriptionId: string,
    changes: Partial<AzureSubscription>,
  ) => void;
} {
  const api = useApi(azureTenantApiRef);
  const { loading, error, value, retry } = useAsyncRetry(async () => {
    const [tenants, subscriptions] = await Promise.all([
      api.listTenants(),
      api.listSubscriptions(),
    ]);
    return { tenants, subscriptions };
  }, [api]);
  const [changes, setChanges] = useState<SubscriptionChanges>({
    bySubscription: {},
  });

  const updateSubscription = useCallback(
    (subscriptionId: string, change: Partial<AzureSubscription>) =>
      setChanges(current => {
        // Changes made to an earlier load are in the new one already.
        const earlier = current.loaded === value ? current.bySubscription : {};
        return {
          loaded: value,
          bySubscription: {
            ...earlier,
            [subscriptionId]: { ...earlier[subscriptionId], ...change },
          },
        };
      }),
    [value],
  );

  const subscriptions = useMemo(() => {
    const current = changes.loaded === value ? changes.bySubscription : {};
    return value?.subscriptions.map(subscription => ({
      ...subscription,
      ...current[subscription.subscriptionId],
    }));
  }, [value, changes]);

  return {
    loading,
    error,
    tenants: value?.tenants,
    subscriptions,
    reload: retry,
    updateSubscription,
  };
}
