import { createApiRef } from '@backstage/core-plugin-api';
import {
  AzureSubscription,
  AzureTenant,
  Onboarding,
  OnboardingKind,
  OnboardingStartResponse,
  ResourceTags,
  SpendQuery,
  SpendReport,
  SyncMode,
  TagProblem,
  TagUpdateResult,
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
 * Options of {@link AzureTenantApi.startOnboarding}.
 *
 * @public
 */
export interface StartOnboardingOptions {
  /** The connected tenant to reconnect or to add subscriptions of. */
  tenantId?: string;
}

/**
 * A change to one resource's tags (`PATCH /tags`).
 *
 * @public
 */
export interface TagUpdateRequest {
  resourceId: string;
  /** Tags to add or change, by name. */
  set?: Record<string, string>;
  /** Names of tags to remove. */
  remove?: string[];
  /** The value the editor saw for every tag it sets or removes; `null` when the tag was absent. */
  expected?: Record<string, string | null>;
}

/**
 * The same change to many resources' tags (`POST /tags/bulk`). No `expected`: a bulk edit overwrites.
 *
 * @public
 */
export interface BulkTagUpdateRequest {
  resourceIds: string[];
  set?: Record<string, string>;
  remove?: string[];
}

/**
 * What a bulk change did to one resource. A failure keeps the backend's error, and its problems or current values
 * when it has them.
 *
 * @public
 */
export interface BulkTagUpdateItem {
  resourceId: string;
  status: 'succeeded' | 'failed';
  result?: TagUpdateResult;
  error?: { name: string; message: string };
  problems?: TagProblem[];
  current?: Record<string, string | null>;
}

/**
 * The answer of `POST /tags/bulk`: one item per resource, and the counts.
 *
 * @public
 */
export interface BulkTagUpdateResponse {
  results: BulkTagUpdateItem[];
  succeeded: number;
  failed: number;
}

/**
 * Talks to the Azure tenant backend plugin (`/api/azure-tenant`) for the Azure tenants page, the Spend views and
 * the Tags views.
 *
 * Every method rejects with a `ResponseError` from `@backstage/errors` when the backend answers with an error,
 * except that {@link AzureTenantApi.updateTags} rejects with a `TagConflictError` or `TagValidationError` when the
 * backend says why.
 *
 * @public
 */
export interface AzureTenantApi {
  /**
   * Starts the consent and role-assignment flow; send the browser to `authorizeUrl` next. `tenantId` names the
   * tenant to reconnect or to add subscriptions of, so that Microsoft signs the user in to that tenant.
   */
  startOnboarding(
    kind: OnboardingKind,
    options?: StartOnboardingOptions,
  ): Promise<OnboardingStartResponse>;
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
  /**
   * A resource's tags and whether the user may edit them. With `live`, Azure's tags are read now as well
   * (`liveTags`).
   */
  getTags(
    resourceId: string,
    options?: { live?: boolean },
  ): Promise<ResourceTags>;
  /**
   * Changes one resource's tags. Rejects with a `TagConflictError` (409 with the current values) when Azure holds
   * other values than `expected`, and a `TagValidationError` (400) when the change breaks Azure's tag rules.
   */
  updateTags(request: TagUpdateRequest): Promise<TagUpdateResult>;
  /** Makes the same change to many resources; each one succeeds or fails on its own. */
  bulkUpdateTags(request: BulkTagUpdateRequest): Promise<BulkTagUpdateResponse>;
}

/**
 * The API reference of {@link AzureTenantApi}.
 *
 * @public
 */
export const azureTenantApiRef = createApiRef<AzureTenantApi>({
  id: 'plugin.azure-tenant.service',
});
