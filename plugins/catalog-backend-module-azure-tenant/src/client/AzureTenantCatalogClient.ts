import {
  AzureResourceChanges,
  AzureResourcePage,
  AzureSubscription,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

/**
 * What the catalog module reads from the Azure tenant backend plugin. The default implementation calls its REST API;
 * tests and benchmarks inject their own.
 *
 * @public
 */
export interface AzureTenantCatalogClient {
  /** One page of every current resource (`GET /catalog/resources`); pass the previous page's `nextCursor`. */
  listResources(cursor?: string): Promise<AzureResourcePage>;
  /** What changed or went away after a revision (`GET /catalog/changes`), oldest first. */
  listChanges(after: number): Promise<AzureResourceChanges>;
  /** Every onboarded subscription with its sync mode and last sync (`GET /subscriptions`). */
  listSubscriptions(): Promise<AzureSubscription[]>;
}

/**
 * The options of {@link DefaultAzureTenantCatalogClient}.
 *
 * @public
 */
export interface DefaultAzureTenantCatalogClientOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  /** How many records to ask for per request, at most 5000 (the backend's limit). Defaults to 5000. */
  pageSize?: number;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
}

const AZURE_TENANT_PLUGIN_ID = 'azure-tenant';
const MAX_PAGE_SIZE = 5000;

/**
 * Calls the Azure tenant backend plugin found through discovery, with the module's own service credentials. Throws
 * a `ResponseError` when the backend answers with an error.
 *
 * @public
 */
export class DefaultAzureTenantCatalogClient
  implements AzureTenantCatalogClient
{
  private readonly discovery: DiscoveryService;
  private readonly auth: AuthService;
  private readonly pageSize: number;
  private readonly fetch: typeof fetch;

  constructor(options: DefaultAzureTenantCatalogClientOptions) {
    const { discovery, auth, pageSize = MAX_PAGE_SIZE } = options;
    this.discovery = discovery;
    this.auth = auth;
    this.pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(pageSize)));
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async listResources(cursor?: string): Promise<AzureResourcePage> {
    const query = new URLSearchParams({ limit: String(this.pageSize) });
    if (cursor !== undefined) {
      query.set('cursor', cursor);
    }
    return this.get<AzureResourcePage>(`/catalog/resources?${query}`);
  }

  async listChanges(after: number): Promise<AzureResourceChanges> {
    const query = new URLSearchParams({
      after: String(after),
      limit: String(this.pageSize),
    });
    return this.get<AzureResourceChanges>(`/catalog/changes?${query}`);
  }

  async listSubscriptions(): Promise<AzureSubscription[]> {
    const body = await this.get<{ items: AzureSubscription[] }>(
      '/subscriptions',
    );
    return body.items;
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.discovery.getBaseUrl(AZURE_TENANT_PLUGIN_ID);
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: AZURE_TENANT_PLUGIN_ID,
    });
    const response = await this.fetch(`${baseUrl}${path}`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
