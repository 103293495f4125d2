import { createApiRef } from '@backstage/core-plugin-api';
import {
  AzureSubscription,
  AzureTenant,
  Onboarding,
  OnboardingKind,
  OnboardingStartResponse,
  SpendQuery,
  SpendReport,
  SyncMode,
} from '@azure-tenant/plugin-azure-tenant-common';

/**
 * The answer of `POST /subscriptions/{subscriptionId}/sync`: the sync was queued, not run.
 *
 * @public
 */
export interface SubscriptionSyncRequest {
  subscriptionId: string;
  /** ISO 8601. */
  syncRequestedAt: string;
}

/**
 * Talks to the Azure tenant backend plugin (`/api/azure-tenant`) for the Azure tenants page and the Spend views.
 *
 * Every method rejects with a `ResponseError` from `@backstage/errors` when the backend answers with an error.
 *
 * @public
 */
export interface AzureTenantApi {
  /** Starts the consent and role-assignment flow; send the browser to `authorizeUrl` next. */
  startOnboarding(kind: OnboardingKind): Promise<OnboardingStartResponse>;
  /** One onboarding and the result of each role on each subscription so far. */
  getOnboarding(onboardingId: string): Promise<Onboarding>;
  /** The connected tenants. */
  listTenants(): Promise<AzureTenant[]>;
  /** The onboarded subscriptions of every connected tenant. */
  listSubscriptions(): Promise<AzureSubscription[]>;
  /** Changes a subscription's sync mode and returns the subscription as the backend now has it. */
  setSyncMode(
    subscriptionId: string,
    syncMode: SyncMode,
  ): Promise<AzureSubscription>;
  /** Asks for a sync of a subscription outside its schedule. */
  requestSync(subscriptionId: string): Promise<SubscriptionSyncRequest>;
  /** The spend of a subscription, a resource or the resources an entity owns, one series per currency. */
  getSpend(query: SpendQuery): Promise<SpendReport>;
  /** The same spend as CSV, fetched with the user's credentials so that it can be saved as a file. */
  downloadSpendCsv(query: SpendQuery): Promise<Blob>;
}

/**
 * The API reference of {@link AzureTenantApi}.
 *
 * @public
 */
export const azureTenantApiRef = createApiRef<AzureTenantApi>({
  id: 'plugin.azure-tenant.service',
});
