import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import {
  catalogApiRef,
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { AzureTenantApi, azureTenantApiRef } from '../../api';
import { mockAzureTenantApi } from '../../__testUtils__/mockAzureTenantApi';
import { TagsContent } from './TagsContent';

function subscriptionEntity(
  syncMode: string,
  extraAnnotations: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: 'sub-1',
      annotations: {
        'management.azure.com/subscriptionId': 'sub-1',
        'management.azure.com/resourceId': '/subscriptions/sub-1',
        'azure-tenant.io/sync-mode': syncMode,
        ...extraAnnotations,
      },
    },
    spec: { type: 'azure-subscription', owner: 'group:default/team-a' },
  };
}

const idOf = (name: string) =>
  `/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${name}`;

function vm(
  name: string,
  tags: Record<string, string>,
  portalTags: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'management.azure.com/subscriptionId': 'sub-1',
        'management.azure.com/resourceId': idOf(name),
      },
    },
    spec: {
      type: 'azure-virtualmachines',
      owner: 'group:default/team-a',
      azure: { resourceId: idOf(name), tags, portalTags },
    },
  };
}

function createCatalog(
  pages: Record<string, { items: Entity[]; next?: string; prev?: string }>,
) {
  const catalogApi = catalogApiMock.mock();
  catalogApi.queryEntities.mockImplementation(async (request: any) => {
    const key = request?.cursor ?? request?.fullTextFilter?.term ?? '';
    const page = pages[key] ?? { items: [] };
    return {
      items: page.items,
      totalItems: page.items.length,
      pageInfo: { nextCursor: page.next, prevCursor: page.prev },
    };
  });
  return catalogApi;
}

async function renderTab(
  api: AzureTenantApi,
  catalogApi: ReturnType<typeof createCatalog>,
  syncMode = 'read-write-tags',
  extraAnnotations: Record<string, string> = {},
) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [azureTenantApiRef, api],
        [catalogApiRef, catalogApi],
      ]}
    >
      <EntityProvider entity={subscriptionEntity(syncMode, extraAnnotations)}>
        <TagsContent />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

describe('TagsContent', () => {
  it("lists the subscription's resources with their tags, and searches and pages through the catalog", async () => {
    const catalogApi = createCatalog({
      '': {
        items: [
          subscriptionEntity('read-write-tags'),
          vm('vm-1', { env: 'dev' }),
        ],
        next: 'c2',
      },
      c2: { items: [vm('vm-2', { env: 'prod' })], prev: 'c1' },
      web: { items: [vm('web-1', { app: 'shop' })] },
    });
    await renderTab(mockAzureTenantApi(), catalogApi);

    expect(
      await screen.findByRole('listitem', { name: 'env: dev' }),
    ).toBeInTheDocument();
    expect(catalogApi.queryEntities).toHaveBeenCalledWith(
      expect.objectContaining({
        filter: {
          kind: 'resource',
          'metadata.annotations.management.azure.com/subscriptionId': 'sub-1',
          'relations.dependencyOf': stringifyEntityRef(
            subscriptionEntity('read-write-tags'),
          ),
        },
        limit: 20,
      }),
    );
    // The subscription's own entity is not one of its resources.
    expect(
      screen.queryByRole('checkbox', { name: 'Select sub-1' }),
    ).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(
      await screen.findByRole('listitem', { name: 'env: prod' }),
    ).toBeInTheDocument();
    // Counted as a user reads it: "1 resource", not "1 resources".
    expect(screen.getByText('1 resource')).toBeInTheDocument();
    expect(catalogApi.queryEntities).toHaveBeenLastCalledWith({
      cursor: 'c2',
      limit: 20,
    });

    await userEvent.type(
      screen.getByRole('searchbox', { name: 'Search resources' }),
      'web',
    );
    expect(
      await screen.findByRole('listitem', { name: 'app: shop' }),
    ).toBeInTheDocument();
    expect(catalogApi.queryEntities).toHaveBeenLastCalledWith(
      expect.objectContaining({
        fullTextFilter: {
          term: 'web',
          fields: ['metadata.name', 'metadata.title'],
        },
      }),
    );
  });

  it('says what Read and Write Tags allows', async () => {
    await renderTab(mockAzureTenantApi(), createCatalog({ '': { items: [] } }));
    const banner = await screen.findByRole('region', { name: 'Sync mode' });
    expect(banner).toHaveTextContent('Sync mode: Read and Write Tags');
    expect(banner).toHaveTextContent('Tag edits here are written to Azure.');
  });

  it('marks portal-only tags under Read Tags Only', async () => {
    const catalogApi = createCatalog({
      '': { items: [vm('vm-1', { env: 'dev' }, { cost: '7' })] },
    });
    await renderTab(mockAzureTenantApi(), catalogApi, 'read-tags');

    const banner = await screen.findByRole('region', { name: 'Sync mode' });
    expect(banner).toHaveTextContent('Read Tags Only');
    expect(banner).toHaveTextContent(/stay in the portal as portal-only tags/);
    const portal = await screen.findByRole('listitem', {
      name: 'cost: 7, portal only',
    });
    expect(within(portal).getByText('portal only')).toBeInTheDocument();
    expect(
      within(screen.getByRole('listitem', { name: 'env: dev' })).queryByText(
        'portal only',
      ),
    ).not.toBeInTheDocument();
  });

  it('says the tags are read-only under No Tags, and who can change it', async () => {
    await renderTab(
      mockAzureTenantApi(),
      createCatalog({ '': { items: [] } }),
      'no-tags',
    );
    const banner = await screen.findByRole('region', { name: 'Sync mode' });
    expect(banner).toHaveTextContent(/read-only/);
    expect(banner).toHaveTextContent(
      /An admin can change the sync mode on the Azure tenants page/,
    );
  });

  it('edits one resource and shows the saved tags in its row', async () => {
    const api = mockAzureTenantApi({
      getTags: jest.fn().mockResolvedValue({
        resourceId: idOf('vm-1'),
        subscriptionId: 'sub-1',
        syncMode: 'read-write-tags',
        tags: { env: 'dev' },
        portalTags: {},
        revision: 1,
        canEdit: true,
      }),
      updateTags: jest.fn().mockResolvedValue({
        resourceId: idOf('vm-1'),
        syncMode: 'read-write-tags',
        outcome: 'written',
        before: { env: 'dev' },
        tags: { env: 'prod' },
        portalTags: {},
        revision: 2,
      }),
    });
    await renderTab(
      api,
      createCatalog({ '': { items: [vm('vm-1', { env: 'dev' })] } }),
    );

    await userEvent.click(
      await screen.findByRole('button', { name: 'Edit tags of vm-1' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Edit tags of vm-1',
    });
    const value = await within(dialog).findByRole('textbox', {
      name: 'Value of tag env',
    });
    await userEvent.clear(value);
    await userEvent.type(value, 'prod');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));

    expect(
      await screen.findByRole('listitem', { name: 'env: prod' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent(
      'vm-1: Saved to Azure.',
    );
    expect(api.getTags).toHaveBeenCalledWith(idOf('vm-1'));
    expect(api.updateTags).toHaveBeenCalledWith({
      resourceId: idOf('vm-1'),
      set: { env: 'prod' },
      expected: { env: 'dev' },
    });
  });

  it('bulk edits the selected resources and reports each result, failures included', async () => {
    const api = mockAzureTenantApi({
      bulkUpdateTags: jest.fn().mockResolvedValue({
        results: [
          {
            resourceId: idOf('vm-1'),
            status: 'succeeded',
            result: {
              resourceId: idOf('vm-1'),
              syncMode: 'read-write-tags',
              outcome: 'written',
              before: {},
              tags: { env: 'dev', team: 'a' },
              portalTags: {},
              revision: 2,
            },
          },
          {
            resourceId: idOf('vm-2'),
            status: 'failed',
            error: {
              name: 'NotAllowedError',
              message: 'You are not allowed to edit the tags of vm-2',
            },
          },
        ],
        succeeded: 1,
        failed: 1,
      }),
    });
    await renderTab(
      api,
      createCatalog({
        '': {
          items: [vm('vm-1', { env: 'dev' }), vm('vm-2', {}), vm('vm-3', {})],
        },
      }),
    );

    await userEvent.click(
      await screen.findByRole('checkbox', { name: 'Select vm-1' }),
    );
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Select vm-2' }),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Bulk edit tags (2)' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Edit tags of 2 resources',
    });
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: 'Tag name' }),
      'team',
    );
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: 'Tag value' }),
      'a',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply to 2 resources' }),
    );

    const results = await within(dialog).findByRole('region', {
      name: 'Bulk edit results',
    });
    expect(api.bulkUpdateTags).toHaveBeenCalledWith({
      resourceIds: [idOf('vm-1'), idOf('vm-2')],
      set: { team: 'a' },
    });
    expect(results).toHaveTextContent('1 succeeded, 1 failed');
    expect(results).toHaveTextContent('vm-1: succeeded');
    expect(results).toHaveTextContent(
      'vm-2: failed: You are not allowed to edit the tags of vm-2',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Close' }),
    );
    await waitFor(() =>
      expect(
        screen.getByRole('listitem', { name: 'team: a' }),
      ).toBeInTheDocument(),
    );
  });

  it('says why the tags may be stale while the portal has lost access to the subscription', async () => {
    const since = new Date(Date.now() - 2 * 24 * 3600_000).toISOString();
    const catalogApi = createCatalog({
      '': { items: [vm('vm-1', { env: 'dev' })] },
    });
    await renderTab(mockAzureTenantApi(), catalogApi, 'read-write-tags', {
      'azure-tenant.io/access-problem': 'read-denied',
      'azure-tenant.io/access-since': since,
    });

    const warning = await screen.findByRole('alert');
    expect(warning).toHaveTextContent(
      'Error: The portal can no longer read this subscription',
    );
    expect(warning).toHaveTextContent(
      `Since 2 days ago (${new Date(since).toLocaleString()}).`,
    );
    expect(warning).toHaveTextContent(/Reader role .* was removed/);
    expect(warning).toHaveTextContent(
      /keep the state of the last successful sync/,
    );
    expect(
      await screen.findByRole('listitem', { name: 'env: dev' }),
    ).toBeInTheDocument();
  });

  it('shows no access warning while the portal has access', async () => {
    const catalogApi = createCatalog({
      '': { items: [vm('vm-1', { env: 'dev' })] },
    });
    await renderTab(mockAzureTenantApi(), catalogApi);

    await screen.findByRole('listitem', { name: 'env: dev' });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
