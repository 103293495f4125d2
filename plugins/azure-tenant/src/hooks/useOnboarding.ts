import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
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
  const { value, error, loading, retry } = useAsyncRetry(
    () => api.getOnboarding(onboardingId),
    [api, onboardingId],
  );

  // Read again only between answers, and never after a failed read: the user retries that.
  const poll =
    !loading && !error && !!value && isOnboardingInProgress(value.status);
  useInterval(retry, poll ? ONBOARDING_POLL_INTERVAL_MS : null);

  // While a retry is under way its error is over; the page shows progress instead.
  return { onboarding: value, error: loading ? undefined : error, retry };
}
