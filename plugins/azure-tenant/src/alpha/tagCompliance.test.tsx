import { screen, within } from '@testing-library/react';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { usePermission } from '@backstage/plugin-permission-react';
import { mockAzureTenantApi } from '../__testUtils__/mockAzureTenantApi';
import { complianceFigure } from '../__testUtils__/tagGovernanceFixtures';
import { azureTenantApiRef } from '../api';
import alphaPlugin, { azureTagCompliancePage } from '../alpha';

jest.mock('@backstage/plugin-permission-react', () => ({
  ...jest.requireActual('@backstage/plugin-permission-react'),
  usePermission: jest.fn(),
}));

describe('Tag compliance extensions of the alpha plugin', () => {
  beforeEach(() => {
    jest
      .mocked(usePermission)
      .mockReturnValue({ loading: false, allowed: true });
  });

  it('mounts the Tag compliance page at /azure-tag-compliance with a title and an icon', () => {
    const tester = createExtensionTester(azureTagCompliancePage);

    expect(tester.get(coreExtensionData.routePath)).toBe(
      '/azure-tag-compliance',
    );
    expect(tester.get(coreExtensionData.title)).toBe('Tag compliance');
    expect(tester.get(coreExtensionData.icon)).toBeDefined();
    expect(tester.get(coreExtensionData.routeRef)).toBeDefined();
    expect(
      alphaPlugin.getExtension('page:azure-tenant/tag-compliance'),
    ).toBeDefined();
  });

  it('shows the page and its navigation item in an app', async () => {
    const api = mockAzureTenantApi({
      getTagComplianceSummary: jest.fn().mockResolvedValue({
        scope: { kind: 'all' },
        current: complianceFigure({ percent: 82.5 }),
        history: [],
      }),
      // No teams: their links need the catalog's entity page, which this app has not.
      getTagComplianceTeams: jest.fn().mockResolvedValue({
        teams: [],
        unowned: complianceFigure({
          resources: 0,
          compliant: 0,
          nonCompliant: 0,
        }),
      }),
      listTagPolicies: jest.fn().mockResolvedValue([]),
      listAzureTagPolicies: jest.fn().mockResolvedValue([]),
      listTenants: jest.fn().mockResolvedValue([]),
      listSubscriptions: jest.fn().mockResolvedValue([]),
    });
    renderTestApp({
      features: [alphaPlugin],
      apis: [[azureTenantApiRef, api]],
      initialRouteEntries: ['/azure-tag-compliance'],
    });

    expect(await screen.findByText('82.5%')).toBeInTheDocument();
    expect(await screen.findByText(/No tag policy yet/)).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Create tag policy' }),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('navigation', { name: 'sidebar nav' })).getByRole(
        'link',
        { name: 'Tag compliance' },
      ),
    ).toHaveAttribute('href', '/azure-tag-compliance');
  });
});
