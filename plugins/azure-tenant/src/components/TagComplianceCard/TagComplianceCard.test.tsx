import { screen, within } from '@testing-library/react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { TagComplianceSummary } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantApi, azureTenantApiRef } from '../../api';
import { mockAzureTenantApi } from '../../__testUtils__/mockAzureTenantApi';
import {
  complianceFigure,
  tagPolicy,
} from '../../__testUtils__/tagGovernanceFixtures';
import { tagComplianceRouteRef } from '../../routes';
import { TagComplianceCard } from './TagComplianceCard';

const team: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-a', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

const subscription: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'sub-prod',
    namespace: 'default',
    annotations: {
      'management.azure.com/subscriptionId': 'sub-1',
      'management.azure.com/resourceId': '/subscriptions/sub-1',
    },
  },
  spec: { type: 'azure-subscription', owner: 'group:default/team-a' },
};

const resourceId =
  '/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1';
const vm: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'vm-1',
    namespace: 'default',
    annotations: {
      'management.azure.com/subscriptionId': 'sub-1',
      'management.azure.com/resourceId': resourceId,
    },
  },
  spec: { type: 'azure-virtualmachines', owner: 'group:default/team-a' },
};

const ownerPolicy = tagPolicy();
const envPolicy = tagPolicy({ id: 'p-env', name: 'Env is set', key: 'env' });
const costPolicy = tagPolicy({ id: 'p-cost', name: 'Cost center', key: 'cc' });

function summary(
  overrides: Partial<TagComplianceSummary> = {},
): TagComplianceSummary {
  return {
    scope: { kind: 'owner', ownerRef: 'group:default/team-a' },
    current: complianceFigure({
      resources: 40,
      compliant: 30,
      nonCompliant: 10,
      percent: 75,
      byPolicy: { 'p-env': 4, 'p-1': 9, 'p-cost': 1, 'p-gone': 2 },
    }),
    history: [
      { day: '2025-03-12', ...complianceFigure({ percent: 60 }) },
      { day: '2025-03-13', ...complianceFigure({ percent: 70 }) },
      { day: '2025-03-14', ...complianceFigure({ percent: 75 }) },
    ],
    evaluatedAt: '2025-03-14T10:00:00Z',
    ...overrides,
  };
}

function createApi(overrides: Partial<AzureTenantApi> = {}) {
  return mockAzureTenantApi({
    getTagComplianceSummary: jest.fn().mockResolvedValue(summary()),
    listTagPolicies: jest
      .fn()
      .mockResolvedValue([ownerPolicy, envPolicy, costPolicy]),
    ...overrides,
  });
}

async function renderCard(api: AzureTenantApi, entity: Entity) {
  await renderInTestApp(
    <TestApiProvider apis={[[azureTenantApiRef, api]]}>
      <EntityProvider entity={entity}>
        <TagComplianceCard />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/azure-tag-compliance': tagComplianceRouteRef } },
  );
}

describe('TagComplianceCard', () => {
  it("shows a team's share, its trend, the policies it breaks most, and links to the page and its fixes", async () => {
    const api = createApi();
    await renderCard(api, team);

    expect(await screen.findByText('75.0%')).toBeInTheDocument();
    expect(
      screen.getByText('10 of 40 resources it owns break a tag policy'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: 'Compliance from 60% on 2025-03-12 to 75% on 2025-03-14',
      }),
    ).toBeInTheDocument();
    expect(api.getTagComplianceSummary).toHaveBeenCalledWith({
      ownerRef: 'group:default/team-a',
      days: 30,
    });

    // The three most broken, most first; a policy since deleted is named by its id.
    const top = await screen.findByRole('list', {
      name: 'Most broken policies',
    });
    const items = within(top).getAllByRole('listitem');
    expect(items.map(item => item.textContent)).toEqual([
      'Owner is a catalog team9 resources',
      'Env is set4 resources',
      'p-gone2 resources',
    ]);

    const query = '?ownerRef=group%3Adefault%2Fteam-a';
    expect(
      screen.getByRole('link', { name: 'View tag compliance' }),
    ).toHaveAttribute('href', `/azure-tag-compliance${query}`);
    expect(screen.getByRole('button', { name: 'Fix tags' })).toHaveAttribute(
      'href',
      `/azure-tag-compliance${query}#fixes`,
    );
  });

  it("shows a subscription's figure from its annotation, with no fix link when nothing breaks a policy", async () => {
    const api = createApi({
      getTagComplianceSummary: jest.fn().mockResolvedValue(
        summary({
          scope: { kind: 'subscription', subscriptionId: 'sub-1' },
          current: complianceFigure({
            resources: 12,
            compliant: 12,
            nonCompliant: 0,
            percent: 100,
            unknown: 0,
          }),
        }),
      ),
    });
    await renderCard(api, subscription);

    expect(
      await screen.findByText(
        'All 12 resources in this subscription follow the tag policies',
      ),
    ).toBeInTheDocument();
    expect(api.getTagComplianceSummary).toHaveBeenCalledWith({
      subscriptionId: 'sub-1',
      days: 30,
    });
    expect(
      screen.getByRole('link', { name: 'View tag compliance' }),
    ).toHaveAttribute('href', '/azure-tag-compliance?subscriptionId=sub-1');
    expect(
      screen.queryByRole('button', { name: 'Fix tags' }),
    ).not.toBeInTheDocument();
  });

  it('says in words when nothing was evaluated yet, and when the tags are not kept', async () => {
    const pending = createApi({
      getTagComplianceSummary: jest
        .fn()
        .mockResolvedValue(
          summary({ evaluatedAt: undefined, current: complianceFigure() }),
        ),
    });
    const { unmount } = await renderInTestApp(
      <TestApiProvider apis={[[azureTenantApiRef, pending]]}>
        <EntityProvider entity={team}>
          <TagComplianceCard />
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(/Not evaluated yet: compliance is known after/),
    ).toBeInTheDocument();
    // Without the page mounted, no link.
    expect(
      screen.queryByRole('link', { name: 'View tag compliance' }),
    ).not.toBeInTheDocument();
    unmount();

    const noTags = createApi({
      getTagComplianceSummary: jest.fn().mockResolvedValue(
        summary({
          current: complianceFigure({
            resources: 0,
            compliant: 0,
            nonCompliant: 0,
            unknown: 7,
            percent: undefined,
          }),
        }),
      ),
    });
    await renderCard(noTags, subscription);
    expect(
      await screen.findByText(
        "7 resources in this subscription cannot be checked: their subscription's sync mode keeps no tags.",
      ),
    ).toBeInTheDocument();
  });

  it("shows a resource's violations with their messages, and that it was not evaluated yet", async () => {
    const api = createApi({
      getResourceTagCompliance: jest.fn().mockResolvedValue({
        resourceId,
        subscriptionId: 'sub-1',
        resourceGroup: 'rg',
        type: 'Microsoft.Compute/virtualMachines',
        name: 'vm-1',
        status: 'non-compliant',
        violations: [
          {
            policyId: 'p-1',
            policyName: 'Owner is a catalog team',
            key: 'owner',
            code: 'non-canonical-key',
            message: "The tag 'Owner' should be spelled 'owner'.",
          },
        ],
        evaluatedAt: '2025-03-14T10:00:00Z',
      }),
    });
    const { unmount } = await renderInTestApp(
      <TestApiProvider apis={[[azureTenantApiRef, api]]}>
        <EntityProvider entity={vm}>
          <TagComplianceCard />
        </EntityProvider>
      </TestApiProvider>,
    );

    expect(
      await screen.findByText('Non-compliant: breaks 1 policy rule'),
    ).toBeInTheDocument();
    const violations = screen.getByRole('list', { name: 'Violations' });
    expect(violations).toHaveTextContent(
      "The tag 'Owner' should be spelled 'owner'.",
    );
    expect(violations).toHaveTextContent('Owner is a catalog team');
    expect(api.getResourceTagCompliance).toHaveBeenCalledWith(resourceId);
    unmount();

    const notFound = new Response(
      JSON.stringify({
        error: { name: 'NotFoundError', message: 'not evaluated yet' },
        response: { statusCode: 404 },
      }),
      { status: 404, headers: { 'Content-Type': 'application/json' } },
    );
    const missing = createApi({
      getResourceTagCompliance: jest
        .fn()
        .mockRejectedValue(await ResponseError.fromResponse(notFound)),
    });
    await renderCard(missing, vm);
    expect(
      await screen.findByText(
        /Not evaluated yet: compliance is known after the next sync of this resource/,
      ),
    ).toBeInTheDocument();
  });
});
