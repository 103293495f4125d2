import { screen, within } from '@testing-library/react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { ResponseError } from '@backstage/errors';
import { Entity } from '@backstage/catalog-model';
import { SpendReport } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantApi, azureTenantApiRef } from '../../api';
import { mockAzureTenantApi } from '../../__testUtils__/mockAzureTenantApi';
import { catalogEntityRouteRef } from '../../routes';
import { SpendCard } from './SpendCard';

const resourceId =
  '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Compute/virtualMachines/vm-1';

const virtualMachine: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'vm-1',
    namespace: 'default',
    annotations: { 'management.azure.com/resourceId': resourceId },
  },
  spec: { type: 'azure-virtual-machine', owner: 'group:default/team-a' },
};

const team: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-a', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

const spend: SpendReport = {
  query: {
    resourceId,
    from: '2025-02-14',
    to: '2025-03-15',
    granularity: 'day',
    groupBy: 'service',
    top: 3,
  },
  status: 'ok',
  series: [
    {
      currency: 'USD',
      total: 300,
      previousTotal: 200,
      change: 0.5,
      groups: [
        { key: 'Compute', total: 150, share: 0.5 },
        { key: 'Storage', total: 90, share: 0.3 },
        { key: 'Bandwidth', total: 45, share: 0.15 },
        { key: 'other', total: 15, share: 0.05 },
      ],
      points: [],
    },
    {
      currency: 'EUR',
      total: 12,
      previousTotal: 0,
      groups: [{ key: 'Compute', total: 12, share: 1 }],
      points: [],
    },
  ],
  notes: [],
};

function money(amount: number, currency: string) {
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency,
  }).format(amount);
}

function createApi(getSpend: AzureTenantApi['getSpend']) {
  return mockAzureTenantApi({ getSpend: jest.fn(getSpend) });
}

async function renderCard(
  api: AzureTenantApi,
  entity: Entity,
  options: { entityPageBound?: boolean } = {},
) {
  const { entityPageBound = true } = options;
  await renderInTestApp(
    <TestApiProvider apis={[[azureTenantApiRef, api]]}>
      <EntityProvider entity={entity}>
        <SpendCard />
      </EntityProvider>
    </TestApiProvider>,
    entityPageBound
      ? {
          mountedRoutes: {
            '/catalog/:namespace/:kind/:name': catalogEntityRouteRef,
          },
        }
      : {},
  );
}

describe('SpendCard', () => {
  it('shows the total, change and top three services of a resource, and links to its Spend tab', async () => {
    const api = createApi(async () => spend);
    await renderCard(api, virtualMachine);

    const usd = await screen.findByRole('region', { name: 'Spend in USD' });
    expect(api.getSpend).toHaveBeenCalledWith(
      expect.objectContaining({ resourceId, groupBy: 'service', top: 3 }),
    );
    expect(within(usd).getByText(money(300, 'USD'))).toBeInTheDocument();
    expect(
      within(usd).getByLabelText(/\(up\) vs previous period/),
    ).toBeInTheDocument();
    const top = within(usd).getByRole('list', { name: 'Top services in USD' });
    expect(
      within(top)
        .getAllByRole('listitem')
        .map(item => item.querySelector('span')?.textContent),
    ).toEqual(['Compute', 'Storage', 'Bandwidth']);

    const eur = screen.getByRole('region', { name: 'Spend in EUR' });
    expect(within(eur).getByText(money(12, 'EUR'))).toBeInTheDocument();
    expect(
      within(eur).getByText('No data for the previous period'),
    ).toBeInTheDocument();

    expect(screen.getByRole('link', { name: /View spend/ })).toHaveAttribute(
      'href',
      '/catalog/default/resource/vm-1/spend',
    );
  });

  it('shows the spend of the resources a group owns, by resource, without a tab link', async () => {
    const api = createApi(async () => spend);
    await renderCard(api, team);

    await screen.findByRole('region', { name: 'Spend in USD' });
    expect(api.getSpend).toHaveBeenCalledWith(
      expect.objectContaining({
        entityRef: 'group:default/team-a',
        groupBy: 'resource',
      }),
    );
    expect(
      screen.getByRole('list', { name: 'Top resources in USD' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: /View spend/ }),
    ).not.toBeInTheDocument();
  });

  it('shows a resource without a link to its Spend tab in an app that has not bound the entity page', async () => {
    const api = createApi(async () => spend);
    await renderCard(api, virtualMachine, { entityPageBound: false });

    expect(
      await screen.findByRole('region', { name: 'Spend in USD' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: /View spend/ }),
    ).not.toBeInTheDocument();
  });

  it("lists a group's top resources by name, with the resource id on hover", async () => {
    const otherVm = resourceId.replace('vm-1', 'vm-2');
    const api = createApi(async () => ({
      ...spend,
      series: [
        {
          ...spend.series[0],
          groups: [
            { key: resourceId, total: 200, share: 0.8 },
            { key: otherVm, total: 40, share: 0.16 },
            { key: 'other', total: 10, share: 0.04 },
          ],
        },
      ],
    }));
    await renderCard(api, team);

    const top = await screen.findByRole('list', {
      name: 'Top resources in USD',
    });
    expect(
      within(top)
        .getAllByRole('listitem')
        .map(item => item.querySelector('span')?.textContent),
    ).toEqual(['vm-1', 'vm-2', 'Other']);
    expect(within(top).getByText('vm-1')).toHaveAttribute('title', resourceId);
    expect(within(top).queryByText(resourceId)).not.toBeInTheDocument();
  });

  it('says that the first spend sync is pending', async () => {
    const api = createApi(async () => ({
      ...spend,
      status: 'pending',
      series: [],
    }));
    await renderCard(api, virtualMachine);

    expect(
      await screen.findByText(
        'No spend data yet: the first spend sync is pending',
      ),
    ).toBeInTheDocument();
  });

  it('says in its heading that the spend is stale, with the last synced spend below', async () => {
    const since = new Date(Date.now() - 2 * 3600_000).toISOString();
    const api = createApi(async () => ({
      ...spend,
      staleness: {
        access: {
          problem: 'subscription-disabled',
          message: 'Azure reports the subscription as Disabled.',
          since,
          checkedAt: since,
          action: 'enable-subscription',
        },
        lastSuccessfulSyncAt: since,
      },
    }));
    await renderCard(api, virtualMachine);

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Warning: The spend shown may be out of date: the portal lost access 2 hours ago',
    );
    expect(
      within(screen.getByRole('region', { name: 'Spend in USD' })).getByText(
        money(300, 'USD'),
      ),
    ).toBeInTheDocument();
  });

  it('says when the user may not see the spend', async () => {
    const api = createApi(async () => {
      throw await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: { name: 'NotAllowedError', message: 'No' },
            response: { statusCode: 403 },
          }),
          { status: 403, headers: { 'Content-Type': 'application/json' } },
        ),
      );
    });
    await renderCard(api, team);

    expect(
      await screen.findByText("You don't have permission to see this spend"),
    ).toBeInTheDocument();
  });
});
