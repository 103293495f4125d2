import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  AzureBudget,
  AzureSubscription,
  AzureTagPolicyAssignment,
  AzureTenant,
  BudgetInput,
  BudgetStatus,
  Onboarding,
  OnboardingKind,
  OnboardingStartResponse,
  ResourceTagCompliance,
  ResourceTags,
  SavingsReport,
  ShowbackReport,
  SpendAlert,
  SpendQuery,
  SpendReport,
  SyncMode,
  TagComplianceSummary,
  TagComplianceTeams,
  TagFixJob,
  TagFixPreview,
  TagFixSelection,
  TagPolicy,
  TagPolicyInput,
  TagUpdateResult,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  AzureTenantApi,
  BudgetAlertQuery,
  BudgetListFilter,
  BulkTagUpdateItem,
  BulkTagUpdateRequest,
  BulkTagUpdateResponse,
  SavingsQuery,
  ShowbackQuery,
  StartOnboardingOptions,
  SubscriptionSyncRequest,
  TagComplianceListQuery,
  SubscriptionResourcePage,
  SubscriptionResourcesQuery,
  TagComplianceSummaryQuery,
  TagUpdateRequest,
} from './AzureTenantApi';
import { tagResponseError } from './tagErrors';

/**
 * The default {@link AzureTenantApi}: calls the backend plugin found through discovery, with the user's credentials.
 *
 * @public
 */
export class AzureTenantClient implements AzureTenantApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async startOnboarding(
    kind: OnboardingKind,
    options: StartOnboardingOptions = {},
  ): Promise<OnboardingStartResponse> {
    return this.request('/onboarding/start', {
      method: 'POST',
      body: { kind, ...(options.tenantId && { tenantId: options.tenantId }) },
    });
  }

  async getOnboarding(onboardingId: string): Promise<Onboarding> {
    return this.request(`/onboardings/${encodeURIComponent(onboardingId)}`);
  }

  async listTenants(): Promise<AzureTenant[]> {
    const { items } = await this.request<{ items: AzureTenant[] }>('/tenants');
    return items;
  }

  async listSubscriptions(): Promise<AzureSubscription[]> {
    const { items } = await this.request<{ items: AzureSubscription[] }>(
      '/subscriptions',
    );
    return items;
  }

  async setSyncMode(
    subscriptionId: string,
    syncMode: SyncMode,
  ): Promise<AzureSubscription> {
    return this.request(
      `/subscriptions/${encodeURIComponent(subscriptionId)}/sync-mode`,
      { method: 'PUT', body: { syncMode } },
    );
  }

  async requestSync(subscriptionId: string): Promise<SubscriptionSyncRequest> {
    return this.request(
      `/subscriptions/${encodeURIComponent(subscriptionId)}/sync`,
      { method: 'POST' },
    );
  }

  async getSpend(query: SpendQuery): Promise<SpendReport> {
    return this.request(`/spend?${spendSearchParams(query)}`);
  }

  async downloadSpendCsv(query: SpendQuery): Promise<Blob> {
    const response = await this.send(`/spend.csv?${spendSearchParams(query)}`);
    return response.blob();
  }

  async getTags(
    resourceId: string,
    options: { live?: boolean } = {},
  ): Promise<ResourceTags> {
    const params = new URLSearchParams({ resourceId });
    if (options.live) params.set('live', 'true');
    return this.request(`/tags?${params}`);
  }

  async updateTags(request: TagUpdateRequest): Promise<TagUpdateResult> {
    const response = await this.send('/tags', {
      method: 'PATCH',
      body: request,
      toError: tagResponseError,
    });
    return response.json();
  }

  async bulkUpdateTags(
    request: BulkTagUpdateRequest,
  ): Promise<BulkTagUpdateResponse> {
    const response = await this.send('/tags/bulk', {
      method: 'POST',
      body: request,
      toError: tagResponseError,
    });
    const body = await response.json();
    return {
      ...body,
      results: (body.results ?? []).map(bulkItem),
    };
  }

  // Budgets.
  async listBudgets(filter: BudgetListFilter = {}): Promise<BudgetStatus[]> {
    const { items } = await this.request<{ items: BudgetStatus[] }>(
      `/budgets?${searchParamsOf(filter)}`,
    );
    return items;
  }

  async getBudget(budgetId: string): Promise<BudgetStatus> {
    return this.request(`/budgets/${encodeURIComponent(budgetId)}`);
  }

  async createBudget(input: BudgetInput): Promise<BudgetStatus> {
    return this.request('/budgets', { method: 'POST', body: input });
  }

  async updateBudget(
    budgetId: string,
    input: BudgetInput,
  ): Promise<BudgetStatus> {
    return this.request(`/budgets/${encodeURIComponent(budgetId)}`, {
      method: 'PUT',
      body: input,
    });
  }

  async deleteBudget(budgetId: string): Promise<void> {
    await this.send(`/budgets/${encodeURIComponent(budgetId)}`, {
      method: 'DELETE',
    });
  }

  async muteBudget(
    budgetId: string,
    until: string | null,
  ): Promise<BudgetStatus> {
    return this.request(`/budgets/${encodeURIComponent(budgetId)}/mute`, {
      method: 'POST',
      body: { until },
    });
  }

  async listBudgetAlerts(query: BudgetAlertQuery = {}): Promise<SpendAlert[]> {
    const { items } = await this.request<{ items: SpendAlert[] }>(
      `/budget-alerts?${searchParamsOf(query)}`,
    );
    return items;
  }

  async listAzureBudgets(
    options: { subscriptionId?: string } = {},
  ): Promise<AzureBudget[]> {
    const { items } = await this.request<{ items: AzureBudget[] }>(
      `/azure-budgets?${searchParamsOf(options)}`,
    );
    return items;
  }

  // Showback and savings.
  async getShowback(query: ShowbackQuery): Promise<ShowbackReport> {
    return this.request(`/showback?${searchParamsOf(query)}`);
  }

  async downloadShowbackCsv(query: ShowbackQuery): Promise<Blob> {
    const response = await this.send(`/showback.csv?${searchParamsOf(query)}`);
    return response.blob();
  }

  async getSavings(query: SavingsQuery): Promise<SavingsReport> {
    return this.request(`/savings?${searchParamsOf(query)}`);
  }

  // Tag governance.
  async listTagPolicies(): Promise<TagPolicy[]> {
    const { items } = await this.request<{ items: TagPolicy[] }>(
      '/tag-policies',
    );
    return items;
  }

  async createTagPolicy(input: TagPolicyInput): Promise<TagPolicy> {
    return this.request('/tag-policies', { method: 'POST', body: input });
  }

  async updateTagPolicy(
    policyId: string,
    input: TagPolicyInput,
  ): Promise<TagPolicy> {
    return this.request(`/tag-policies/${encodeURIComponent(policyId)}`, {
      method: 'PUT',
      body: input,
    });
  }

  async deleteTagPolicy(policyId: string): Promise<void> {
    await this.send(`/tag-policies/${encodeURIComponent(policyId)}`, {
      method: 'DELETE',
    });
  }

  async listAzureTagPolicies(
    options: { subscriptionId?: string } = {},
  ): Promise<AzureTagPolicyAssignment[]> {
    const { items } = await this.request<{
      items: AzureTagPolicyAssignment[];
    }>(`/tag-policies/azure?${searchParamsOf(options)}`);
    return items;
  }

  async getTagComplianceSummary(
    query: TagComplianceSummaryQuery,
  ): Promise<TagComplianceSummary> {
    return this.request(`/tag-compliance/summary?${searchParamsOf(query)}`);
  }

  async getTagComplianceTeams(
    options: { days?: number } = {},
  ): Promise<TagComplianceTeams> {
    return this.request(`/tag-compliance/teams?${searchParamsOf(options)}`);
  }

  async listTagCompliance(
    query: TagComplianceListQuery,
  ): Promise<{ items: ResourceTagCompliance[]; nextCursor?: string }> {
    return this.request(`/tag-compliance/resources?${searchParamsOf(query)}`);
  }

  async getResourceTagCompliance(
    resourceId: string,
  ): Promise<ResourceTagCompliance> {
    return this.request(
      `/tag-compliance/resource?${new URLSearchParams({ resourceId })}`,
    );
  }

  async previewTagFixes(selection: TagFixSelection): Promise<TagFixPreview> {
    return this.request('/tag-fixes/preview', {
      method: 'POST',
      body: selection,
    });
  }

  async applyTagFixes(selection: TagFixSelection): Promise<TagFixJob> {
    return this.request('/tag-fixes', { method: 'POST', body: selection });
  }

  async listSubscriptionResources(
    subscriptionId: string,
    query: SubscriptionResourcesQuery = {},
  ): Promise<SubscriptionResourcePage> {
    return this.request(
      `/subscriptions/${encodeURIComponent(
        subscriptionId,
      )}/resources?${searchParamsOf(query)}`,
    );
  }

  async getTagFixJob(jobId: string): Promise<TagFixJob> {
    return this.request(`/tag-fixes/${encodeURIComponent(jobId)}`);
  }

  private async request<T>(
    path: string,
    options: { method?: string; body?: unknown } = {},
  ): Promise<T> {
    const response = await this.send(path, options);
    return (await response.json()) as T;
  }

  private async send(
    path: string,
    options: {
      method?: string;
      body?: unknown;
      toError?: (response: Response) => Promise<Error>;
    } = {},
  ): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('azure-tenant');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method: options.method ?? 'GET',
      ...(options.body !== undefined && {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(options.body),
      }),
    });
    if (!response.ok) {
      throw await (options.toError ?? ResponseError.fromResponse)(response);
    }
    return response;
  }
}

/** The query string of `GET /spend` and `GET /spend.csv`; fields left undefined are left out. */
function spendSearchParams(query: SpendQuery): URLSearchParams {
  const params = new URLSearchParams();
  const fields: Array<keyof SpendQuery> = [
    'subscriptionId',
    'resourceId',
    'entityRef',
    'from',
    'to',
    'granularity',
    'groupBy',
    'top',
  ];
  for (const field of fields) {
    const value = query[field];
    if (value !== undefined) {
      params.set(field, String(value));
    }
  }
  return params;
}

/** A query string of the fields that are set. */
function searchParamsOf(query: object): URLSearchParams {
  const params = new URLSearchParams();
  for (const [field, value] of Object.entries(query)) {
    if (value !== undefined) {
      params.set(field, String(value));
    }
  }
  return params;
}

/**
 * One bulk result as {@link BulkTagUpdateItem}: the backend may give each item's HTTP status (200 or the error's)
 * rather than `succeeded`/`failed`.
 */
function bulkItem(item: any): BulkTagUpdateItem {
  const succeeded =
    item.status === 'succeeded' ||
    item.status === 200 ||
    (item.status === undefined && item.result !== undefined && !item.error);
  return { ...item, status: succeeded ? 'succeeded' : 'failed' };
}
