import { createApiRef } from '@backstage/core-plugin-api';
import {
  AzureBudget,
  AzureSubscription,
  AzureTenant,
  BudgetInput,
  BudgetScope,
  BudgetStatus,
  Onboarding,
  OnboardingKind,
  OnboardingStartResponse,
  ResourceTags,
  SavingsReport,
  ShowbackReport,
  SpendAlert,
  SpendQuery,
  SpendReport,
  SyncMode,
  AzureTagPolicyAssignment,
  ResourceTagCompliance,
  TagComplianceStatus,
  TagComplianceSummary,
  TagComplianceTeams,
  TagFixJob,
  TagFixPreview,
  TagFixSelection,
  TagPolicy,
  TagPolicyInput,
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
 * The months of a showback (`GET /showback`, `GET /showback.csv`).
 *
 * @public
 */
export interface ShowbackQuery {
  /** First month, `YYYY-MM`, inclusive. */
  from: string;
  /** Last month, `YYYY-MM`, inclusive. */
  to: string;
  /** One owner's entity ref, e.g. `group:default/team-a`: only its rows, without unallocated spend and totals. */
  owner?: string;
}

/**
 * Whose savings to read (`GET /savings`): one of a subscription, a resource, or an entity (what it owns).
 *
 * @public
 */
export interface SavingsQuery {
  subscriptionId?: string;
  resourceId?: string;
  entityRef?: string;
}

/**
 * Which budgets to list (`GET /budgets`); without a field, every budget the user may see.
 *
 * @public
 */
export interface BudgetListFilter {
  /** The budgets of one owner, e.g. `group:default/team-a`. */
  owner?: string;
  /** The budgets of one kind of scope, e.g. `entity`. */
  scopeKind?: BudgetScope['kind'];
}

/**
 * Which spend alerts to list (`GET /budget-alerts`), newest first. Without `budgetId`, every alert sent: for admins.
 *
 * @public
 */
export interface BudgetAlertQuery {
  /** The alerts of one budget; their owners may read them. */
  budgetId?: string;
  /** Only threshold alerts or only anomalies. */
  kind?: SpendAlert['kind'];
  /** How many alerts at most. */
  limit?: number;
  /** Only alerts created before this time (ISO 8601), to page back. */
  before?: string;
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

  // Budgets.
  /** The budgets the user may see (those whose scope's spend the user may read), with their use this period. */
  listBudgets(filter?: BudgetListFilter): Promise<BudgetStatus[]>;
  /** One budget and its use this period. */
  getBudget(budgetId: string): Promise<BudgetStatus>;
  /** Creates a budget in the portal; the backend fills in the owner and thresholds left out. */
  createBudget(input: BudgetInput): Promise<BudgetStatus>;
  /** Replaces a budget made in the portal (a budget declared in app-config is refused with a 409). */
  updateBudget(budgetId: string, input: BudgetInput): Promise<BudgetStatus>;
  /** Deletes a budget made in the portal. */
  deleteBudget(budgetId: string): Promise<void>;
  /** Mutes a budget's alerts until a time (ISO 8601), or unmutes them with `null`. */
  muteBudget(budgetId: string, until: string | null): Promise<BudgetStatus>;
  /** The spend alerts the portal sent (or held back while muted), newest first. */
  listBudgetAlerts(query?: BudgetAlertQuery): Promise<SpendAlert[]>;
  /** The budgets defined in Azure on the connected subscriptions, read-only. */
  listAzureBudgets(options?: {
    subscriptionId?: string;
  }): Promise<AzureBudget[]>;

  // Showback and savings.
  /**
   * Every owner's spend per month and currency over a range of months, with the spend no team owns as `unallocated`.
   * Only the owners whose spend the user may read are included.
   */
  getShowback(query: ShowbackQuery): Promise<ShowbackReport>;
  /** The same showback as CSV, fetched with the user's credentials so that it can be saved as a file. */
  downloadShowbackCsv(query: ShowbackQuery): Promise<Blob>;
  /**
   * Azure Advisor cost recommendations of a subscription, a resource or the resources an entity owns, and their
   * estimated monthly savings per currency.
   */
  getSavings(query: SavingsQuery): Promise<SavingsReport>;

  // Tag governance.
  /** Every tag policy: those declared in app-config (read-only) and those made in the portal. */
  listTagPolicies(): Promise<TagPolicy[]>;
  /** Creates a tag policy (admins: `azure-tenant.tag-policy.manage`); compliance is re-evaluated at once. */
  createTagPolicy(input: TagPolicyInput): Promise<TagPolicy>;
  /** Replaces a policy made in the portal (one declared in app-config is refused with a 409). */
  updateTagPolicy(policyId: string, input: TagPolicyInput): Promise<TagPolicy>;
  /** Deletes a policy made in the portal. */
  deleteTagPolicy(policyId: string): Promise<void>;
  /** Azure Policy assignments about tags on the connected subscriptions, read-only. */
  listAzureTagPolicies(options?: {
    subscriptionId?: string;
  }): Promise<AzureTagPolicyAssignment[]>;
  /** The compliance figure and its daily history of everything, a subscription, or an owner's resources. */
  getTagComplianceSummary(
    query: TagComplianceSummaryQuery,
  ): Promise<TagComplianceSummary>;
  /** Every owner's compliance with its trend, and the resources nobody owns. */
  getTagComplianceTeams(options?: {
    days?: number;
  }): Promise<TagComplianceTeams>;
  /** The compliance of resources, a page at a time, in the order of their ids. */
  listTagCompliance(
    query: TagComplianceListQuery,
  ): Promise<{ items: ResourceTagCompliance[]; nextCursor?: string }>;
  /**
   * One resource's compliance as last evaluated, with each violation's message. Rejects with a `ResponseError` of
   * status 404 when the resource has not been synced or evaluated yet.
   */
  getResourceTagCompliance(resourceId: string): Promise<ResourceTagCompliance>;
  /** A dry run of the suggested fixes a selection takes: nothing is written. */
  previewTagFixes(selection: TagFixSelection): Promise<TagFixPreview>;
  /** Starts applying the suggested fixes a selection takes, in the background. */
  applyTagFixes(selection: TagFixSelection): Promise<TagFixJob>;
  /** A bulk fix's progress. */
  getTagFixJob(jobId: string): Promise<TagFixJob>;
  /**
   * A page of a subscription's synced resources (`GET /subscriptions/{subscriptionId}/resources`), whether or not
   * they are catalog entities, that the user may see.
   */
  listSubscriptionResources(
    subscriptionId: string,
    query?: SubscriptionResourcesQuery,
  ): Promise<SubscriptionResourcePage>;
}

/**
 * Which of a subscription's resources to list. Every filter is optional.
 *
 * @public
 */
export interface SubscriptionResourcesQuery {
  /** Resources whose name holds this text, case-insensitively. */
  name?: string;
  /** From `nextCursor` of the previous page. */
  cursor?: string;
  /** 1 to 500; defaults to 100. */
  limit?: number;
}

/**
 * A synced resource, as the backend's resource search lists it.
 *
 * @public
 */
export interface SyncedAzureResource {
  /** Azure's resource id, in Azure's casing. Compare case-insensitively. */
  resourceId: string;
  name: string;
  /** The ARM type, e.g. `Microsoft.Compute/virtualMachines`. */
  type: string;
  subscriptionId: string;
  resourceGroup: string;
  location?: string;
  /** The Azure tags of the last sync; empty when the subscription's sync mode keeps no tags. */
  tags: Record<string, string>;
  /** Tags edited in the portal under `read-tags`. */
  portalTags?: Record<string, string>;
  /** The reference its catalog entity has, when it is one (the catalog module decides which resources are). */
  entityRef: string;
}

/**
 * A page of {@link AzureTenantApi.listSubscriptionResources}. It may hold fewer items than the limit and still have
 * a next page.
 *
 * @public
 */
export interface SubscriptionResourcePage {
  items: SyncedAzureResource[];
  nextCursor?: string;
}

/**
 * The scope of a compliance summary (`GET /tag-compliance/summary`): exactly one of `subscriptionId` and `ownerRef`,
 * or neither for every resource the portal knows.
 *
 * @public
 */
export interface TagComplianceSummaryQuery {
  subscriptionId?: string;
  /** An owner's entity ref, e.g. `group:default/platform`. */
  ownerRef?: string;
  /** Days of history, 1 to 400; defaults to 30. */
  days?: number;
}

/**
 * Which resources' compliance to list (`GET /tag-compliance/resources`). Every filter is optional.
 *
 * @public
 */
export interface TagComplianceListQuery {
  subscriptionId?: string;
  ownerRef?: string;
  policyId?: string;
  status?: TagComplianceStatus;
  /** From `nextCursor` of the previous page. */
  cursor?: string;
  /** 1 to 500; defaults to 100. */
  limit?: number;
}

/**
 * The API reference of {@link AzureTenantApi}.
 *
 * @public
 */
export const azureTenantApiRef = createApiRef<AzureTenantApi>({
  id: 'plugin.azure-tenant.service',
});
