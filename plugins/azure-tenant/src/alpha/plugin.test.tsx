import { screen, within } from '@testing-library/react';
import {
  coreExtensionData,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { usePermission } from '@backstage/plugin-permission-react';
import { mockAzureTenantApi } from '../__testUtils__/mockAzureTenantApi';
import { azureTenantApiRef } from '../api';
import alphaPlugin, { azureTenantsPage } from '../alpha';

jest.mock('@backstage/plugin-permission-react', () => ({
  ...jest.requireActual('@backstage/plugin-permission-react'),
  usePermission: jest.fn(),
}));

const api = mockAzureTenantApi({
  listTenants: jest.fn().mockResolvedValue([]),
  listSubscriptions: jest.fn().mockResolvedValue([]),
});

describe('azure-tenant alpha plugin', () => {
  beforeEach(() => {
    jest
      .mocked(usePermission)
      .mockReturnValue({ loading: false, allowed: true });
  });

  it('mounts the Azure tenants page at /azure-tenants with a title and an icon', () => {
    const tester = createExtensionTester(azureTenantsPage);

    expect(tester.get(coreExtensionData.routePath)).toBe('/azure-tenants');
    expect(tester.get(coreExtensionData.title)).toBe('Azure tenants');
    expect(tester.get(coreExtensionData.icon)).toBeDefined();
    expect(tester.get(coreExtensionData.routeRef)).toBeDefined();
  });

  it('provides an API client that calls the backend through discovery and fetch', async () => {
    const fetch = jest.fn(
      async () =>
        new Response(JSON.stringify({ items: [] }), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    renderTestApp({
      features: [alphaPlugin],
      apis: [
        [fetchApiRef, { fetch }],
        [discoveryApiRef, mockApis.discovery()],
      ],
      initialRouteEntries: ['/azure-tenants'],
    });

    expect(
      await screen.findByText(/No Azure tenant is connected yet/),
    ).toBeInTheDocument();
    expect(fetch).toHaveBeenCalledWith(
      'http://example.com/api/azure-tenant/tenants',
      expect.anything(),
    );
  });

  it('shows the page and its navigation item in an app', async () => {
    renderTestApp({
      features: [alphaPlugin],
      apis: [[azureTenantApiRef, api]],
      initialRouteEntries: ['/azure-tenants'],
    });

    expect(
      await screen.findByRole('button', { name: 'Connect Azure tenant' }),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('navigation', { name: 'sidebar nav' })).getByRole(
        'link',
        { name: 'Azure tenants' },
      ),
    ).toHaveAttribute('href', '/azure-tenants');
  });
});
