import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
import { resource, subscription } from '../__fixtures__/azureFixtures';
import { DefaultAzureTenantCatalogClient } from './AzureTenantCatalogClient';

const API = 'http://localhost:0/api/azure-tenant';

/** The token that the catalog module's own service credentials get for the azure-tenant plugin. */
const CATALOG_TOKEN = mockCredentials.service.token({
  onBehalfOf: mockCredentials.service('plugin:catalog'),
  targetPluginId: 'azure-tenant',
});

/** A fetch that answers every request with `answer`, and the requests it was given. */
function fakeFetch(answer: () => Response) {
  const requests: Request[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push(new Request(input, init));
    return answer();
  };
  return { requests, fetch };
}

function json(status: number, body: unknown, statusText?: string) {
  return new Response(JSON.stringify(body), {
    status,
    statusText,
    headers: { 'Content-Type': 'application/json' },
  });
}

function catalogClient(
  fetch: typeof globalThis.fetch,
  options: { pageSize?: number } = {},
) {
  return new DefaultAzureTenantCatalogClient({
    discovery: mockServices.discovery(),
    auth: mockServices.auth({ pluginId: 'catalog' }),
    fetch,
    ...options,
  });
}

describe('DefaultAzureTenantCatalogClient', () => {
  it('reads pages of resources with the module’s own service token', async () => {
    const page = {
      items: [resource('vm-web-1', { revision: 7 })],
      revision: 7,
    };
    const { requests, fetch } = fakeFetch(() => json(200, page));
    const client = catalogClient(fetch);

    await expect(client.listResources()).resolves.toEqual(page);
    await client.listResources('next-page');

    expect(requests.map(request => request.url)).toEqual([
      `${API}/catalog/resources?limit=5000`,
      `${API}/catalog/resources?limit=5000&cursor=next-page`,
    ]);
    expect(requests[0].method).toBe('GET');
    expect(requests[0].headers.get('authorization')).toBe(
      `Bearer ${CATALOG_TOKEN}`,
    );
  });

  it('reads the changes after a revision', async () => {
    const changes = { changed: [], removed: [], revision: 12, hasMore: false };
    const { requests, fetch } = fakeFetch(() => json(200, changes));
    const client = catalogClient(fetch, { pageSize: 250 });

    await expect(client.listChanges(9)).resolves.toEqual(changes);
    expect(requests.map(request => request.url)).toEqual([
      `${API}/catalog/changes?after=9&limit=250`,
    ]);
  });

  it("reads pages of a subscription's resource groups", async () => {
    const page = {
      items: [
        {
          subscriptionId: subscription().subscriptionId,
          name: 'rg-web',
          resourceCount: 1,
          resourceTypes: [{ type: 'Microsoft.Web/sites', count: 1 }],
        },
      ],
    };
    const { requests, fetch } = fakeFetch(() => json(200, page));
    const client = catalogClient(fetch, { pageSize: 250 });

    await expect(
      client.listResourceGroups({
        subscriptionId: subscription().subscriptionId,
      }),
    ).resolves.toEqual(page);
    await client.listResourceGroups({ cursor: 'next-page' });
    expect(requests.map(request => request.url)).toEqual([
      `${API}/catalog/resource-groups?limit=250&subscriptionId=${
        subscription().subscriptionId
      }`,
      `${API}/catalog/resource-groups?limit=250&cursor=next-page`,
    ]);
    expect(requests[0].headers.get('authorization')).toBe(
      `Bearer ${CATALOG_TOKEN}`,
    );
  });

  it('lists the subscriptions', async () => {
    const items = [subscription()];
    const { requests, fetch } = fakeFetch(() => json(200, { items }));

    await expect(catalogClient(fetch).listSubscriptions()).resolves.toEqual(
      items,
    );
    expect(requests[0].url).toBe(`${API}/subscriptions`);
    expect(requests[0].headers.get('authorization')).toBe(
      `Bearer ${CATALOG_TOKEN}`,
    );
  });

  it('asks for between 1 and 5000 records per page', async () => {
    const page = { items: [], revision: 0 };
    const { requests, fetch } = fakeFetch(() => json(200, page));

    await catalogClient(fetch, { pageSize: 20_000 }).listResources();
    await catalogClient(fetch, { pageSize: 0 }).listResources();

    expect(requests.map(request => request.url)).toEqual([
      `${API}/catalog/resources?limit=5000`,
      `${API}/catalog/resources?limit=1`,
    ]);
  });

  it('throws the backend’s error as a ResponseError that says what went wrong', async () => {
    const { fetch } = fakeFetch(() =>
      json(
        401,
        {
          error: {
            name: 'AuthenticationError',
            message: 'The catalog feed is for services only',
          },
          request: { method: 'GET', url: '/catalog/resources' },
          response: { statusCode: 401 },
        },
        'Unauthorized',
      ),
    );

    const error = await catalogClient(fetch)
      .listResources()
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(401);
    expect(error.message).toBe(
      'Request failed with 401 Unauthorized: The catalog feed is for services only',
    );
  });

  it('fails on an answer without a body, naming the call', async () => {
    const { fetch } = fakeFetch(() => new Response('', { status: 200 }));

    await expect(catalogClient(fetch).listChanges(3)).rejects.toThrow(
      'GET /catalog/changes of the Azure tenant plugin answered without changed',
    );
  });
});
