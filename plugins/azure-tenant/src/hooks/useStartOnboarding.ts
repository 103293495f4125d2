import { useCallback, useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { useApi } from '@backstage/core-plugin-api';
import { OnboardingKind } from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../api';
import { assignLocation } from './assignLocation';

/**
 * Starts an onboarding and sends the browser to Microsoft Entra ID to sign in and consent.
 *
 * `tenantId` names the connected tenant to reconnect or to add subscriptions of. `starting` stays set after a
 * successful start, because the page is being left.
 */
export function useStartOnboarding(options: { tenantId?: string } = {}): {
  start: (kind: OnboardingKind) => Promise<void>;
  starting?: OnboardingKind;
  error?: Error;
} {
  const { tenantId } = options;
  const api = useApi(azureTenantApiRef);
  // The kind being started; react-use's state has it only once the start has succeeded.
  const [requested, setRequested] = useState<OnboardingKind>();
  const [state, run] = useAsyncFn(
    async (kind: OnboardingKind) => {
      const { authorizeUrl } = tenantId
        ? await api.startOnboarding(kind, { tenantId })
        : await api.startOnboarding(kind);
      assignLocation(authorizeUrl);
      return kind;
    },
    [api, tenantId],
  );

  const start = useCallback(
    async (kind: OnboardingKind) => {
      setRequested(kind);
      // useAsyncFn keeps the error in its state rather than throwing it.
      await run(kind);
    },
    [run],
  );

  return {
    start,
    starting: state.loading ? requested : state.value,
    error: state.loading ? undefined : state.error,
  };
}
