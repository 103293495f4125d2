import { useCallback, useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  Onboarding,
  OnboardingStatus,
} from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../api';

/** How often an onboarding that is still in progress is read again. */
export const ONBOARDING_POLL_INTERVAL_MS = 1500;

/** Whether an onboarding may still change, so that it is worth reading again. */
export function isOnboardingInProgress(status: OnboardingStatus): boolean {
  return status === 'pending' || status === 'running';
}

/**
 * Reads an onboarding and keeps reading it while it is pending or running.
 *
 * A failed read stops the polling and is returned as `error`; `retry` starts it again.
 */
export function useOnboarding(onboardingId: string): {
  onboarding?: Onboarding;
  error?: Error;
  retry: () => void;
} {
  const api = useApi(azureTenantApiRef);
  const [onboarding, setOnboarding] = useState<Onboarding>();
  const [error, setError] = useState<Error>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const poll = async () => {
      try {
        const next = await api.getOnboarding(onboardingId);
        if (cancelled) return;
        setOnboarding(next);
        setError(undefined);
        if (isOnboardingInProgress(next.status)) {
          timer = setTimeout(poll, ONBOARDING_POLL_INTERVAL_MS);
        }
      } catch (e) {
        if (!cancelled) setError(e as Error);
      }
    };
    poll();

    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, onboardingId, attempt]);

  const retry = useCallback(() => {
    setError(undefined);
    setAttempt(n => n + 1);
  }, []);

  return { onboarding, error, retry };
}
