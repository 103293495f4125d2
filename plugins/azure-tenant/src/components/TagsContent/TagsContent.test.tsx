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
import { tagPolicy } from '../../__testUtils__/tagGovernanceFixtures';
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

/** The API of the tab: no resource breaks a policy and there is no policy, unless a test says otherwise. */
function tagsApi(overrides: Partial<AzureTenantApi> = {}) {
  return mockAzureTenantApi({
    listTagCompliance: jest.fn().mockResolvedValue({ items: [] }),
    listTagPolicies: jest.fn().mockResolvedValue([]),
    ...overrides,
  });
}

const idOf = (name: string) =>
  `/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${name}`;

function vm(
  name: string,
  tags: Record<string, string>,
  portalTags: Record<string, string> = {},
  labels: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      labels,
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
  const all = Object.values(pages).flatMap(page => page.items);
  // Entities by resource id, as the filtered view reads a page of them.
  catalogApi.getEntities.mockImplementation(async (request: any) => {
    const ids: string[] =
      request?.filter?.[
        'metadata.annotations.management.azure.com/resourceId'
      ] ?? [];
    const wanted = new Set(ids.map(id => id.toLowerCase()));
    return {
      items: all.filter(e =>
        wanted.has(
          e.metadata.annotations![
            'management.azure.com/resourceId'
          ].toLowerCase(),
        ),
      ),
    };
  });
  return Object.assign(catalogApi, { pages });
}

/** A resource as the backend's resource search lists it, from its entity in a test. */
function syncedResource(entity: Entity) {
  const azure = entity.spec!.azure as any;
  return {
    resourceId: azure.resourceId,
    name: entity.metadata.title ?? entity.metadata.name,
    type: 'Microsoft.Compute/virtualMachines',
    subscriptionId: 'sub-1',
    resourceGroup: 'rg',
    tags: azure.tags ?? {},
    ...(azure.portalTags ? { portalTags: azure.portalTags } : {}),
    entityRef: stringifyEntityRef(entity),
  };
}

/**
 * The backend's pages of the subscription's resources, from the pages of a test's catalog (keyed by cursor or name
 * searched for): every resource, whether or not the catalog has its entity.
 */
function listFromPages(
  pages: Record<string, { items: Entity[]; next?: string }>,
) {
  return jest.fn(async (_subscriptionId: string, query: any = {}) => {
    const page = pages[query.cursor ?? query.name ?? ''] ?? { items: [] };
    return {
      items: page.items
        .filter(e => e.spec?.type !== 'azure-subscription')
        .map(syncedResource),
      ...(page.next ? { nextCursor: page.next } : {}),
    };
  });
}

async function renderTab(
  api: AzureTenantApi,
  catalogApi: ReturnType<typeof createCatalog>,
  syncMode = 'read-write-tags',
  extraAnnotations: Record<string, string> = {},
) {
  const list = api.listSubscriptionResources as jest.Mock;
  if (!list.getMockImplementation()) {
    list.mockImplementation(listFromPages(catalogApi.pages));
  }
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
  it("lists the subscription's resources with their tags, and searches and pages through them", async () => {
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
    const api = tagsApi();
    await renderTab(api, catalogApi);

    expect(
      await screen.findByRole('listitem', { name: 'env: dev' }),
    ).toBeInTheDocument();
    expect(api.listSubscriptionResources).toHaveBeenCalledWith('sub-1', {
      limit: 20,
    });
    // The subscription's own entity is not one of its resources.
    expect(
      screen.queryByRole('checkbox', { name: 'Select sub-1' }),
    ).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(
      await screen.findByRole('listitem', { name: 'env: prod' }),
    ).toBeInTheDocument();
    expect(api.listSubscriptionResources).toHaveBeenLastCalledWith('sub-1', {
      cursor: 'c2',
      limit: 20,
    });
    // And back to the first page, which the backend cannot page to by itself.
    await userEvent.click(
      screen.getByRole('button', { name: 'Previous page' }),
    );
    expect(
      await screen.findByRole('listitem', { name: 'env: dev' }),
    ).toBeInTheDocument();
    expect(api.listSubscriptionResources).toHaveBeenLastCalledWith('sub-1', {
      limit: 20,
    });
    expect(
      screen.getByRole('button', { name: 'Previous page' }),
    ).toBeDisabled();

    await userEvent.type(
      screen.getByRole('searchbox', { name: 'Search resources' }),
      'web',
    );
    expect(
      await screen.findByRole('listitem', { name: 'app: shop' }),
    ).toBeInTheDocument();
    expect(api.listSubscriptionResources).toHaveBeenLastCalledWith('sub-1', {
      name: 'web',
      limit: 20,
    });
  });

  it('lists a resource that is no catalog entity with its tags, and links those that are', async () => {
    const catalogApi = createCatalog({
      '': { items: [vm('vm-1', { env: 'dev' })] },
    });
    const disk = {
      resourceId:
        '/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/disks/vm-1-osdisk',
      name: 'vm-1-osdisk',
      type: 'Microsoft.Compute/disks',
      subscriptionId: 'sub-1',
      resourceGroup: 'rg',
      tags: { env: 'prod' },
      entityRef: 'resource:default/vm-1-osdisk-0000000000000000',
    };
    const api = tagsApi({
      listSubscriptionResources: jest.fn().mockResolvedValue({
        items: [syncedResource(vm('vm-1', { env: 'dev' })), disk],
      }),
    });
    await renderTab(api, catalogApi);

    expect(
      await screen.findByRole('listitem', { name: 'env: prod' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'vm-1' })).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: 'vm-1-osdisk' }),
    ).not.toBeInTheDocument();
    expect(screen.getByText('vm-1-osdisk')).toBeInTheDocument();
    expect(screen.getByText('Microsoft.Compute/disks')).toBeInTheDocument();
    // Its tags can be edited like any other resource's.
    expect(
      screen.getByRole('checkbox', { name: 'Select vm-1-osdisk' }),
    ).toBeEnabled();
  });

  it('says what Read and Write Tags allows', async () => {
    await renderTab(tagsApi(), createCatalog({ '': { items: [] } }));
    const banner = await screen.findByRole('region', { name: 'Sync mode' });
    expect(banner).toHaveTextContent('Sync mode: Read and Write Tags');
    expect(banner).toHaveTextContent('Tag edits here are written to Azure.');
  });

  it('marks portal-only tags under Read Tags Only', async () => {
    const catalogApi = createCatalog({
      '': { items: [vm('vm-1', { env: 'dev' }, { cost: '7' })] },
    });
    await renderTab(tagsApi(), catalogApi, 'read-tags');

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
    await renderTab(tagsApi(), createCatalog({ '': { items: [] } }), 'no-tags');
    const banner = await screen.findByRole('region', { name: 'Sync mode' });
    expect(banner).toHaveTextContent(/read-only/);
    expect(banner).toHaveTextContent(
      /An admin can change the sync mode on the Azure tenants page/,
    );
  });

  it('edits one resource and shows the saved tags in its row', async () => {
    const api = tagsApi({
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
    const api = tagsApi({
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
    await renderTab(tagsApi(), catalogApi, 'read-write-tags', {
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
    await renderTab(tagsApi(), catalogApi);

    await screen.findByRole('listitem', { name: 'env: dev' });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});

describe('TagsContent tag policies', () => {
  const ownerPolicy = tagPolicy();
  const envPolicy = tagPolicy({
    id: 'p-env',
    name: 'Env is prod or dev',
    key: 'env',
    values: { kind: 'list', values: ['prod', 'dev'] },
  });

  function breaking(
    name: string,
    violations: Array<{
      policy: typeof ownerPolicy;
      code: 'missing' | 'value-not-allowed' | 'non-canonical-key';
      message: string;
    }>,
  ) {
    return {
      resourceId: idOf(name),
      subscriptionId: 'sub-1',
      resourceGroup: 'rg',
      type: 'Microsoft.Compute/virtualMachines',
      name,
      status: 'non-compliant' as const,
      violations: violations.map(v => ({
        policyId: v.policy.id,
        policyName: v.policy.name,
        key: v.policy.key,
        code: v.code,
        message: v.message,
      })),
      evaluatedAt: '2025-03-14T10:00:00Z',
    };
  }

  const vm1Breaks = breaking('vm-1', [
    {
      policy: ownerPolicy,
      code: 'missing',
      message: "The required tag 'owner' is missing.",
    },
    {
      policy: envPolicy,
      code: 'value-not-allowed',
      message: "The value 'Prod1' of 'env' is not one of prod, dev.",
    },
  ]);
  const vm4Breaks = breaking('vm-4', [
    {
      policy: ownerPolicy,
      code: 'non-canonical-key',
      message: "The tag 'Owner' should be spelled 'owner'.",
    },
  ]);
  // Not synced into the catalog yet.
  const ghostBreaks = breaking('vm-ghost', [
    {
      policy: envPolicy,
      code: 'missing',
      message: "The required tag 'env' is missing.",
    },
  ]);

  function catalogOfFour() {
    return createCatalog({
      '': {
        items: [
          vm(
            'vm-1',
            { env: 'Prod1' },
            {},
            {
              'azure-tenant.io/tag-compliance': 'non-compliant',
            },
          ),
          vm(
            'vm-2',
            { env: 'dev', owner: 'team-a' },
            {},
            {
              'azure-tenant.io/tag-compliance': 'compliant',
            },
          ),
          vm('vm-3', {}),
        ],
        next: 'c2',
      },
      c2: {
        items: [
          vm(
            'vm-4',
            { Owner: 'team-a' },
            {},
            {
              'azure-tenant.io/tag-compliance': 'non-compliant',
            },
          ),
        ],
        prev: 'c1',
      },
    });
  }

  /** Two pages of the subscription's non-compliant resources. */
  function pagedCompliance() {
    return jest.fn(async (query: any) =>
      query.cursor === 'n1'
        ? { items: [vm4Breaks, ghostBreaks] }
        : { items: [vm1Breaks], nextCursor: 'n1' },
    );
  }

  it('shows a chip per broken policy with its message, a compliant mark, and words for a resource not evaluated', async () => {
    const api = tagsApi({
      listTagCompliance: pagedCompliance(),
      listTagPolicies: jest.fn().mockResolvedValue([ownerPolicy, envPolicy]),
    });
    await renderTab(api, catalogOfFour());

    const vm1 = await screen.findByRole('list', {
      name: 'Policies vm-1 breaks',
    });
    expect(
      within(vm1).getByRole('listitem', {
        name: "owner: missing. The required tag 'owner' is missing.",
      }),
    ).toBeInTheDocument();
    const envChip = within(vm1).getByRole('listitem', {
      name: /^env: value not allowed\./,
    });
    await userEvent.hover(within(envChip).getByText('env: value not allowed'));
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      "The value 'Prod1' of 'env' is not one of prod, dev.",
    );

    const rowOf = (name: string) =>
      screen.getByRole('checkbox', { name: `Select ${name}` }).closest('tr')!;
    expect(within(rowOf('vm-2')).getByText('compliant')).toBeInTheDocument();
    expect(
      within(rowOf('vm-3')).getByText('Not evaluated yet'),
    ).toBeInTheDocument();
    // Every page of the subscription's non-compliant resources is read.
    expect(api.listTagCompliance).toHaveBeenCalledWith({
      subscriptionId: 'sub-1',
      status: 'non-compliant',
      limit: 500,
    });
    expect(api.listTagCompliance).toHaveBeenCalledWith({
      subscriptionId: 'sub-1',
      status: 'non-compliant',
      cursor: 'n1',
      limit: 500,
    });
  });

  it('lists only the resources that break a policy, or one policy, across every page', async () => {
    const api = tagsApi({
      listTagCompliance: pagedCompliance(),
      listTagPolicies: jest.fn().mockResolvedValue([ownerPolicy, envPolicy]),
    });
    await renderTab(api, catalogOfFour());
    await screen.findByRole('list', { name: 'Policies vm-1 breaks' });

    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Show' }),
      'Breaks a policy',
    );
    // vm-4 is on the catalog's second page; vm-ghost is not in the catalog at all.
    expect(
      await screen.findByRole('checkbox', { name: 'Select vm-4' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('checkbox', { name: 'Select vm-1' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('checkbox', { name: 'Select vm-ghost' }),
    ).toBeInTheDocument();
    expect(screen.getByText('Not in the catalog yet')).toBeInTheDocument();
    expect(
      screen.queryByRole('checkbox', { name: 'Select vm-2' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('checkbox', { name: 'Select vm-3' }),
    ).not.toBeInTheDocument();
    expect(screen.getByText('3 resources break a policy')).toBeInTheDocument();

    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Show' }),
      'Breaks: Env is prod or dev',
    );
    await waitFor(() =>
      expect(
        screen.queryByRole('checkbox', { name: 'Select vm-4' }),
      ).not.toBeInTheDocument(),
    );
    expect(
      screen.getByRole('checkbox', { name: 'Select vm-1' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('2 resources break Env is prod or dev'),
    ).toBeInTheDocument();

    await userEvent.type(
      screen.getByRole('searchbox', { name: 'Search resources' }),
      'ghost',
    );
    await waitFor(() =>
      expect(
        screen.queryByRole('checkbox', { name: 'Select vm-1' }),
      ).not.toBeInTheDocument(),
    );
    expect(
      screen.getByRole('checkbox', { name: 'Select vm-ghost' }),
    ).toBeInTheDocument();
  });

  it('bulk edits the filtered resources, and a resource fixed by it leaves the list', async () => {
    const fixed = { current: false };
    const api = tagsApi({
      listTagCompliance: jest.fn(async () => ({
        items: fixed.current ? [vm4Breaks] : [vm1Breaks, vm4Breaks],
      })),
      listTagPolicies: jest.fn().mockResolvedValue([ownerPolicy, envPolicy]),
      bulkUpdateTags: jest.fn(async () => {
        fixed.current = true;
        return {
          results: [
            {
              resourceId: idOf('vm-1'),
              status: 'succeeded' as const,
              result: {
                resourceId: idOf('vm-1'),
                syncMode: 'read-write-tags' as const,
                outcome: 'written' as const,
                before: {},
                tags: { env: 'Prod1', owner: 'team-a' },
                portalTags: {},
                revision: 2,
              },
            },
          ],
          succeeded: 1,
          failed: 0,
        };
      }),
    });
    await renderTab(api, catalogOfFour());
    await screen.findByRole('list', { name: 'Policies vm-1 breaks' });
    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Show' }),
      'Breaks: Owner is a catalog team',
    );
    await userEvent.click(
      await screen.findByRole('checkbox', { name: 'Select vm-1' }),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Bulk edit tags (1)' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Edit tags of 1 resource',
    });
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: 'Tag name' }),
      'owner',
    );
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: 'Tag value' }),
      'team-a',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply to 1 resource' }),
    );
    expect(
      await within(dialog).findByRole('region', { name: 'Bulk edit results' }),
    ).toHaveTextContent('1 succeeded, 0 failed');
    expect(api.bulkUpdateTags).toHaveBeenCalledWith({
      resourceIds: [idOf('vm-1')],
      set: { owner: 'team-a' },
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Close' }),
    );

    await waitFor(() =>
      expect(
        screen.queryByRole('checkbox', { name: 'Select vm-1' }),
      ).not.toBeInTheDocument(),
    );
    expect(
      screen.getByText('1 resource breaks Owner is a catalog team'),
    ).toBeInTheDocument();
  });
});
