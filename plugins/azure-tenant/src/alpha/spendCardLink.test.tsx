import { screen } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { renderTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { SpendReport } from '@azure-tenant/plugin-azure-tenant-common';
import { mockAzureTenantApi } from '../__testUtils__/mockAzureTenantApi';
import { azureTenantApiRef } from '../api';
import { SpendCard } from '../components/SpendCard';
import alphaPlugin from '../alpha';

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

const report: SpendReport = {
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
      total: 10,
      previousTotal: 10,
      change: 0,
      groups: [{ key: 'Compute', total: 10, share: 1 }],
      points: [],
    },
  ],
  notes: [],
};

/** A stand-in for the catalog plugin: its entity page route, under the id the external route's default target names. */
const catalogEntityPage = createRouteRef({
  params: ['namespace', 'kind', 'name'],
});
const catalogStandIn = createFrontendPlugin({
  pluginId: 'catalog',
  routes: { catalogEntity: catalogEntityPage },
  extensions: [
    PageBlueprint.make({
      name: 'entity',
      params: {
        path: '/catalog/:namespace/:kind/:name',
        routeRef: catalogEntityPage,
        loader: async () => <div>Entity page</div>,
      },
    }),
  ],
});

const spendCardPage = PageBlueprint.make({
  name: 'spend-card-test',
  params: {
    path: '/card',
    loader: async () => (
      <EntityProvider entity={virtualMachine}>
        <SpendCard />
      </EntityProvider>
    ),
  },
});

describe('the Spend card in the new frontend system', () => {
  it("links to the entity's Spend tab through the catalog's entity page, bound by default", async () => {
    renderTestApp({
      features: [alphaPlugin, catalogStandIn],
      extensions: [spendCardPage],
      apis: [
        [
          azureTenantApiRef,
          mockAzureTenantApi({ getSpend: async () => report }),
        ],
      ],
      initialRouteEntries: ['/card'],
    });

    expect(
      await screen.findByRole('link', { name: /View spend/ }),
    ).toHaveAttribute('href', '/catalog/default/resource/vm-1/spend');
  });
});
