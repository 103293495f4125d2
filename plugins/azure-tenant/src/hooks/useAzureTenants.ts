import { useCallback, useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  AzureSubscription,
  AzureTenant,
} from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../api';

/**
 * Loads the connected tenants and their subscriptions.
 *
 * A reload keeps showing what was loaded before until the new data arrives, so the page does not flicker.
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
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error>();
  const [tenants, setTenants] = useState<AzureTenant[]>();
  const [subscriptions, setSubscriptions] = useState<AzureSubscription[]>();
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    Promise.all([api.listTenants(), api.listSubscriptions()]).then(
      ([nextTenants, nextSubscriptions]) => {
        if (cancelled) return;
        setTenants(nextTenants);
        setSubscriptions(nextSubscriptions);
        setError(undefined);
        setLoading(false);
      },
      e => {
        if (cancelled) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, reloads]);

  const reload = useCallback(() => setReloads(n => n + 1), []);

  const updateSubscription = useCallback(
    (subscriptionId: string, changes: Partial<AzureSubscription>) =>
      setSubscriptions(current =>
        current?.map(subscription =>
          subscription.subscriptionId === subscriptionId
            ? { ...subscription, ...changes }
            : subscription,
        ),
      ),
    [],
  );

  return { loading, error, tenants, subscriptions, reload, updateSubscription };
}
