import {
  AzureResourceChanges,
  AzureResourceGroupPage,
  AzureResourcePage,
  AzureSubscription,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  AzureTenantClient,
  createAzureTenantClientForCredentials,
} from '@azure-tenant/plugin-azure-tenant-node';
import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';

/**
 * What the catalog module reads from the Azure tenant backend plugin. The default implementation calls its REST API;
 * tests and benchmarks inject their own.
 *
 * @public
 */
export interface AzureTenantCatalogClient {
  /** One page of every current resource (`GET /catalog/resources`); pass the previous page's `nextCursor`. */
  listResources(cursor?: string): Promise<AzureResourcePage>;
  /**
   * One page of resource groups with their resource counts per type (`GET /catalog/resource-groups`), of one
   * subscription when given; pass the previous page's `nextCursor`.
   */
  listResourceGroups(options: {
    subscriptionId?: string;
    cursor?: string;
  }): Promise<AzureResourceGroupPage>;
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

const MAX_PAGE_SIZE = 5000;

/**
 * Calls the Azure tenant backend plugin found through discovery, with the module's own service credentials, through
 * the plugin's typed client (`@azure-tenant/plugin-azure-tenant-node`). Throws a `ResponseError` when the backend
 * answers with an error; its message ends with the backend's own message.
 *
 * @public
 */
export class DefaultAzureTenantCatalogClient
  implements AzureTenantCatalogClient
{
  private readonly client: AzureTenantClient;
  private readonly pageSize: number;

  constructor(options: DefaultAzureTenantCatalogClientOptions) {
    const { discovery, auth, pageSize = MAX_PAGE_SIZE } = options;
    this.pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(pageSize)));
    const injectedFetch = options.fetch;
    this.client = createAzureTenantClientForCredentials({
      discovery,
      auth,
      // The catalog feed is for services, so the module calls on its own account, never on a user's.
      credentials: () => auth.getOwnServiceCredentials(),
      // The global fetch is looked up on each call, so that one replaced after the module started is used.
      fetch: request => (injectedFetch ?? fetch)(request),
    });
  }

  async listResources(cursor?: string): Promise<AzureResourcePage> {
    const page = await this.client.listCatalogResources({
      query: { limit: String(this.pageSize), cursor },
    });
    return answered('GET /catalog/resources', page, 'items');
  }

  async listResourceGroups(options: {
    subscriptionId?: string;
    cursor?: string;
  }): Promise<AzureResourceGroupPage> {
    const page = await this.client.listCatalogResourceGroups({
      query: {
        limit: String(this.pageSize),
        subscriptionId: options.subscriptionId,
        cursor: options.cursor,
      },
    });
    return answered('GET /catalog/resource-groups', page, 'items');
  }

  async listChanges(after: number): Promise<AzureResourceChanges> {
    const changes = await this.client.listCatalogChanges({
      query: { after: String(after), limit: String(this.pageSize) },
    });
    return answered('GET /catalog/changes', changes, 'changed');
  }

  async listSubscriptions(): Promise<AzureSubscription[]> {
    const list = await this.client.listSubscriptions();
    return answered('GET /subscriptions', list, 'items').items;
  }
}

/**
 * An empty 200 reaches the client as no body at all; say so plainly rather than let the provider fail on a missing
 * field, so the log tells which call it was. The run then fails and the catalog keeps its entities.
 */
function answered<T extends object>(
  operation: string,
  body: T | undefined,
  list: keyof T,
): T {
  if (!body || !Array.isArray(body[list])) {
    throw new Error(
      `${operation} of the Azure tenant plugin answered without ${String(
        list,
      )}`,
    );
  }
  return body;
}
