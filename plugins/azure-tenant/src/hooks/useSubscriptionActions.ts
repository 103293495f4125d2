import { useCallback, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  AzureSubscription,
  SyncMode,
} from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../api';

/** What is going on with the actions on one subscription. */
export interface SubscriptionActionState {
  /** The sync mode being saved; shown in place of the current one until the backend answers. */
  pendingSyncMode?: SyncMode;
  syncModeError?: Error;
  syncRequesting?: boolean;
  syncError?: Error;
}

/**
 * Changes sync modes and requests syncs, and tracks each request per subscription.
 *
 * `onChanged` receives what the backend answered, so the list shows the backend's state rather than a guess. A
 * failed change leaves the subscription as it was and keeps the error.
 */
export function useSubscriptionActions(
  onChanged: (
    subscriptionId: string,
    changes: Partial<AzureSubscription>,
  ) => void,
): {
  states: Record<string, SubscriptionActionState>;
  changeSyncMode: (subscriptionId: string, syncMode: SyncMode) => Promise<void>;
  requestSync: (subscriptionId: string) => Promise<void>;
} {
  const api = useApi(azureTenantApiRef);
  const [states, setStates] = useState<Record<string, SubscriptionActionState>>(
    {},
  );

  const patchState = useCallback(
    (subscriptionId: string, patch: SubscriptionActionState) =>
      setStates(current => ({
        ...current,
        [subscriptionId]: { ...current[subscriptionId], ...patch },
      })),
    [],
  );

  const changeSyncMode = useCallback(
    async (subscriptionId: string, syncMode: SyncMode) => {
      patchState(subscriptionId, {
        pendingSyncMode: syncMode,
        syncModeError: undefined,
      });
      try {
        const updated = await api.setSyncMode(subscriptionId, syncMode);
        onChanged(subscriptionId, updated);
        patchState(subscriptionId, { pendingSyncMode: undefined });
      } catch (e) {
        patchState(subscriptionId, {
          pendingSyncMode: undefined,
          syncModeError: e as Error,
        });
      }
    },
    [api, onChanged, patchState],
  );

  const requestSync = useCallback(
    async (subscriptionId: string) => {
      patchState(subscriptionId, {
        syncRequesting: true,
        syncError: undefined,
      });
      try {
        const { syncRequestedAt } = await api.requestSync(subscriptionId);
        onChanged(subscriptionId, { syncRequestedAt });
        patchState(subscriptionId, { syncRequesting: false });
      } catch (e) {
        patchState(subscriptionId, {
          syncRequesting: false,
          syncError: e as Error,
        });
      }
    },
    [api, onChanged, patchState],
  );

  return { states, changeSyncMode, requestSync };
}
