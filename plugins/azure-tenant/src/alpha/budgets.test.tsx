import { screen, within } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { usePermission } from '@backstage/plugin-permission-react';
import { mockAzureTenantApi } from '../__testUtils__/mockAzureTenantApi';
import { azureTenantApiRef } from '../api';
import alphaPlugin, {
  azureBudgetsPage,
  entityGroupBudgetsCard,
} from '../alpha';

jest.mock('@backstage/plugin-permission-react', () => ({
  ...jest.requireActual('@backstage/plugin-permission-react'),
  usePermission: jest.fn(),
}));

describe('Budgets extensions of the alpha plugin', () => {
  beforeEach(() => {
    jest
      .mocked(usePermission)
      .mockReturnValue({ loading: false, allowed: true });
  });

  it('mounts the Budgets page at /azure-budgets with a title and an icon', () => {
    const tester = createExtensionTester(azureBudgetsPage);

    expect(tester.get(coreExtensionData.routePath)).toBe('/azure-budgets');
    expect(tester.get(coreExtensionData.title)).toBe('Budgets');
    expect(tester.get(coreExtensionData.icon)).toBeDefined();
    expect(tester.get(coreExtensionData.routeRef)).toBeDefined();
    expect(alphaPlugin.getExtension('page:azure-tenant/budgets')).toBeDefined();
  });

  it('shows the page and its navigation item in an app', async () => {
    const api = mockAzureTenantApi({
      // No rows: their entity links need the catalog's entity page, which this app has not.
      listBudgets: jest.fn().mockResolvedValue([]),
      listAzureBudgets: jest.fn().mockResolvedValue([]),
      listBudgetAlerts: jest.fn().mockResolvedValue([]),
      listTenants: jest.fn().mockResolvedValue([]),
      listSubscriptions: jest.fn().mockResolvedValue([]),
    });
    renderTestApp({
      features: [alphaPlugin],
      apis: [[azureTenantApiRef, api]],
      initialRouteEntries: ['/azure-budgets'],
    });

    expect(await screen.findByText(/No budget yet/)).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Create budget' }),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('navigation', { name: 'sidebar nav' })).getByRole(
        'link',
        { name: 'Budgets' },
      ),
    ).toHaveAttribute('href', '/azure-budgets');
  });

  it('shows the Budgets card on groups only', () => {
    const tester = createExtensionTester(entityGroupBudgetsCard);
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
    const entity = (kind: string): Entity => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind,
      metadata: { name: 'x' },
    });

    expect(filter?.(entity('Group'))).toBe(true);
    expect(filter?.(entity('Component'))).toBe(false);
    expect(filter?.(entity('Resource'))).toBe(false);
    expect(
      alphaPlugin.getExtension('entity-card:azure-tenant/group-budgets'),
    ).toBeDefined();
  });
});
