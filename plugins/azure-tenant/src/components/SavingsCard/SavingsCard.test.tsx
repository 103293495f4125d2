import { screen, within } from '@testing-library/react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { ResponseError } from '@backstage/errors';
import { Entity } from '@backstage/catalog-model';
import {
  SavingsRecommendation,
  SavingsReport,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantApi, azureTenantApiRef } from '../../api';
import { mockAzureTenantApi } from '../../__testUtils__/mockAzureTenantApi';
import { SavingsCard } from './SavingsCard';

const vmId =
  '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Compute/virtualMachines/vm-1';

const virtualMachine: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'vm-1',
    namespace: 'default',
    annotations: { 'management.azure.com/resourceId': vmId },
  },
  spec: { type: 'azure-virtual-machine', owner: 'group:default/team-a' },
};

const subscription: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'production',
    annotations: {
      'management.azure.com/subscriptionId': 'sub-1',
      'management.azure.com/resourceId': '/subscriptions/sub-1',
    },
  },
  spec: { type: 'azure-subscription', owner: 'group:default/platform' },
};

const team: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-a', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

function recommendation(
  overrides: Partial<SavingsRecommendation> & { id: string },
): SavingsRecommendation {
  return {
    resourceId: vmId,
    subscriptionId: 'sub-1',
    impact: 'Medium',
    problem: 'Right-size or shutdown underutilized virtual machines',
    solution: 'Right-size or shutdown underutilized virtual machines',
    monthlySavings: 10,
    currency: 'USD',
    lastUpdated: '2025-03-14T00:00:00Z',
    ...overrides,
  };
}

function money(amount: number, currency: string) {
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency,
  }).format(amount);
}

async function renderCard(api: AzureTenantApi, entity: Entity) {
  await renderInTestApp(
    <TestApiProvider apis={[[azureTenantApiRef, api]]}>
      <EntityProvider entity={entity}>
        <SavingsCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

function listedItems(name: string): string[] {
  return within(screen.getByRole('list', { name }))
    .getAllByRole('listitem')
    .map(item => item.textContent ?? '');
}

describe('SavingsCard', () => {
  it("lists a resource's recommendations with their problem, solution, impact and monthly saving", async () => {
    const report: SavingsReport = {
      recommendations: [
        recommendation({
          id: 'r-1',
          impact: 'Medium',
          problem: 'Underutilized virtual machine',
          solution: 'Resize to Standard_B2s',
          monthlySavings: 12.34,
        }),
        recommendation({
          id: 'r-2',
          impact: 'High',
          problem: 'Buy reserved instances',
          solution: 'Reserve for 1 year',
          monthlySavings: 40,
        }),
        recommendation({
          id: 'r-3',
          impact: 'Low',
          problem: 'Unattached disk',
          solution: 'Delete the disk',
          monthlySavings: undefined,
          currency: undefined,
        }),
      ],
      totals: [{ currency: 'USD', monthlySavings: 52.34 }],
      readAt: '2025-03-15T06:00:00Z',
    };
    const api = mockAzureTenantApi({
      getSavings: jest.fn().mockResolvedValue(report),
    });
    await renderCard(api, virtualMachine);

    const usd = await screen.findByRole('region', { name: 'Savings in USD' });
    expect(api.getSavings).toHaveBeenCalledWith({ resourceId: vmId });
    expect(usd).toHaveTextContent(`${money(52.34, 'USD')} per month`);
    expect(
      screen.getByText('Estimated savings from 3 recommendations'),
    ).toBeInTheDocument();
    // Most impact first; the resource's own card does not name the resource.
    expect(listedItems('Recommendations')).toEqual([
      `Buy reserved instancesReserve for 1 yearHigh impact · ${money(
        40,
        'USD',
      )} per month`,
      `Underutilized virtual machineResize to Standard_B2sMedium impact · ${money(
        12.34,
        'USD',
      )} per month`,
      'Unattached diskDelete the diskLow impact · No saving estimate',
    ]);
  });

  it("sums a group's savings per currency and lists its top five recommendations with their resources", async () => {
    const otherVm = vmId.replace('vm-1', 'vm-2');
    const recommendations = [
      recommendation({ id: 'a', impact: 'Low', monthlySavings: 500 }),
      recommendation({ id: 'b', impact: 'High', monthlySavings: 5 }),
      recommendation({ id: 'c', impact: 'High', monthlySavings: 50 }),
      recommendation({
        id: 'd',
        impact: 'Medium',
        monthlySavings: 80,
        currency: 'EUR',
        resourceId: otherVm,
        problem: 'Idle database',
      }),
      recommendation({ id: 'e', impact: 'Medium', monthlySavings: 20 }),
      recommendation({ id: 'f', impact: 'Low', monthlySavings: 1 }),
      recommendation({ id: 'g', impact: 'Low', monthlySavings: 2 }),
    ];
    const api = mockAzureTenantApi({
      getSavings: jest.fn().mockResolvedValue({
        recommendations,
        totals: [
          { currency: 'EUR', monthlySavings: 80 },
          { currency: 'USD', monthlySavings: 578 },
        ],
      } satisfies SavingsReport),
    });
    await renderCard(api, team);

    expect(
      await screen.findByRole('region', { name: 'Savings in USD' }),
    ).toHaveTextContent(`${money(578, 'USD')} per month`);
    expect(api.getSavings).toHaveBeenCalledWith({
      entityRef: 'group:default/team-a',
    });
    expect(
      screen.getByRole('region', { name: 'Savings in EUR' }),
    ).toHaveTextContent(`${money(80, 'EUR')} per month`);
    expect(screen.queryByText(money(658, 'USD'), { exact: false })).toBeNull();
    expect(
      screen.getByText('Estimated savings from 7 recommendations'),
    ).toBeInTheDocument();

    const top = listedItems('Top recommendations');
    expect(
      top.map(item => item.match(/vm-\d · (\w+ impact · .*)$/)?.[1]),
    ).toEqual([
      `High impact · ${money(50, 'USD')} per month`,
      `High impact · ${money(5, 'USD')} per month`,
      `Medium impact · ${money(80, 'EUR')} per month`,
      `Medium impact · ${money(20, 'USD')} per month`,
      `Low impact · ${money(500, 'USD')} per month`,
    ]);
    expect(top[2]).toContain('Idle database');
    expect(top[2]).toContain('vm-2 · ');
    expect(screen.getByText('vm-2')).toHaveAttribute('title', otherVm);
    expect(screen.getByText('and 2 more')).toBeInTheDocument();
  });

  it("asks for a subscription's savings by its id", async () => {
    const api = mockAzureTenantApi({
      getSavings: jest.fn().mockResolvedValue({
        recommendations: [recommendation({ id: 'r-1' })],
        totals: [{ currency: 'USD', monthlySavings: 10 }],
      } satisfies SavingsReport),
    });
    await renderCard(api, subscription);

    await screen.findByRole('region', { name: 'Savings in USD' });
    expect(api.getSavings).toHaveBeenCalledWith({ subscriptionId: 'sub-1' });
    expect(
      screen.getByText('Estimated savings from 1 recommendation'),
    ).toBeInTheDocument();
  });

  it('says when Advisor has no cost recommendation', async () => {
    const api = mockAzureTenantApi({
      getSavings: jest
        .fn()
        .mockResolvedValue({ recommendations: [], totals: [] }),
    });
    await renderCard(api, team);

    expect(
      await screen.findByText('No Advisor cost recommendations'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('region')).not.toBeInTheDocument();
  });

  it('says why there may be no recommendations, with a few of the notes', async () => {
    const notes = [1, 2, 3, 4, 5].map(
      n =>
        `Advisor's recommendations of subscription sub-${n} have not been read from Azure yet.`,
    );
    const api = mockAzureTenantApi({
      getSavings: jest
        .fn()
        .mockResolvedValue({ recommendations: [], totals: [], notes }),
    });
    await renderCard(api, team);

    expect(
      await screen.findByText('No Advisor cost recommendations'),
    ).toBeInTheDocument();
    expect(screen.getByText(notes[0])).toBeInTheDocument();
    expect(screen.getByText(notes[2])).toBeInTheDocument();
    expect(screen.queryByText(notes[3])).not.toBeInTheDocument();
    expect(screen.getByText('and 2 more notes')).toBeInTheDocument();
  });

  it("shows the backend's sentence when the user may not see the savings", async () => {
    const error = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'NotAllowedError',
            message: 'You may not read the spend of group:default/team-a',
          },
          response: { statusCode: 403 },
        }),
        { status: 403, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    const api = mockAzureTenantApi({
      getSavings: jest.fn().mockRejectedValue(error),
    });
    await renderCard(api, team);

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load the savings: You may not read the spend of group:default/team-a',
    );
  });

  it('asks nothing for an Azure resource entity without its resource id', async () => {
    const api = mockAzureTenantApi();
    await renderCard(api, {
      ...virtualMachine,
      metadata: { name: 'vm-1', annotations: {} },
    });

    expect(
      await screen.findAllByText(/management.azure.com\/resourceId/),
    ).not.toHaveLength(0);
    expect(api.getSavings).not.toHaveBeenCalled();
  });
});
