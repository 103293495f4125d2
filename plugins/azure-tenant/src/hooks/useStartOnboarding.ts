import { useCallback, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { OnboardingKind } from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../api';
import { assignLocation } from './assignLocation';

/**
 * Starts an onboarding and sends the browser to Microsoft Entra ID to sign in and consent.
 *
 * `starting` stays set after a successful start, because the page is being left.
 */
export function useStartOnboarding(): {
  start: (kind: OnboardingKind) => Promise<void>;
  starting?: OnboardingKind;
  error?: Error;
} {
  const api = useApi(azureTenantApiRef);
  const [starting, setStarting] = useState<OnboardingKind>();
  const [error, setError] = useState<Error>();

  const start = useCallback(
    async (kind: OnboardingKind) => {
      setStarting(kind);
      setError(undefined);
      try {
        const { authorizeUrl } = await api.startOnboarding(kind);
        assignLocation(authorizeUrl);
      } catch (e) {
        setError(e as Error);
        setStarting(undefined);
      }
    },
    [api],
  );

  return { start, starting, error };
}
