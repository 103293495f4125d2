import { screen, within } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { mockAzureTenantApi } from '../__testUtils__/mockAzureTenantApi';
import { azureTenantApiRef } from '../api';
import alphaPlugin, {
  azureShowbackPage,
  entityGroupShowbackContent,
} from '../alpha';

describe('Showback extensions of the alpha plugin', () => {
  it('mounts the Showback page at /azure-showback with a title and an icon', () => {
    const tester = createExtensionTester(azureShowbackPage);

    expect(tester.get(coreExtensionData.routePath)).toBe('/azure-showback');
    expect(tester.get(coreExtensionData.title)).toBe('Showback');
    expect(tester.get(coreExtensionData.icon)).toBeDefined();
    expect(tester.get(coreExtensionData.routeRef)).toBeDefined();
    expect(
      alphaPlugin.getExtension('page:azure-tenant/showback'),
    ).toBeDefined();
  });

  it('shows the page and its navigation item in an app', async () => {
    const api = mockAzureTenantApi({
      listTenants: jest.fn().mockResolvedValue([]),
      listSubscriptions: jest.fn().mockResolvedValue([]),
      getShowback: jest.fn().mockResolvedValue({
        from: '2025-03',
        to: '2025-03',
        rows: [],
        totals: [],
        notes: [],
      }),
    });
    renderTestApp({
      features: [alphaPlugin],
      apis: [[azureTenantApiRef, api]],
      initialRouteEntries: ['/azure-showback'],
    });

    expect(
      await screen.findByText('No spend recorded in these months'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('navigation', { name: 'sidebar nav' })).getByRole(
        'link',
        { name: 'Showback' },
      ),
    ).toHaveAttribute('href', '/azure-showback');
  });

  it("mounts a group's Showback tab at /showback on groups only", () => {
    const tester = createExtensionTester(entityGroupShowbackContent);
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
    const entity = (kind: string): Entity => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind,
      metadata: { name: 'x' },
    });

    expect(tester.get(coreExtensionData.routePath)).toBe('/showback');
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Showback');
    expect(filter?.(entity('Group'))).toBe(true);
    expect(filter?.(entity('Component'))).toBe(false);
  });
});
