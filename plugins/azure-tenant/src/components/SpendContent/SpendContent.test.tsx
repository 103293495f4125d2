import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { ResponseError } from '@backstage/errors';
import { Entity } from '@backstage/catalog-model';
import {
  SpendReport,
  SpendSeries,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantApi, azureTenantApiRef } from '../../api';
import { mockAzureTenantApi } from '../../__testUtils__/mockAzureTenantApi';
import { tagComplianceRouteRef } from '../../routes';
import { SpendContent } from './SpendContent';

// jsdom has no layout, so ResponsiveContainer would measure 0×0 and draw nothing: give the chart a fixed size.
jest.mock('recharts', () => {
  const actual = jest.requireActual('recharts');
  const { cloneElement } = jest.requireActual('react');
  return {
    ...actual,
    ResponsiveContainer: ({ children }: { children: any }) =>
      cloneElement(children, { width: 800, height: 320 }),
  };
});

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

const virtualMachine: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'vm-1',
    annotations: {
      'management.azure.com/subscriptionId': 'sub-1',
      'management.azure.com/resourceId':
        '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Compute/virtualMachines/vm-1',
    },
  },
  spec: { type: 'azure-virtual-machine', owner: 'group:default/platform' },
};

const team: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-a', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

const usd: SpendSeries = {
  currency: 'USD',
  total: 1234.5,
  previousTotal: 987.6,
  change: 0.25,
  groups: [
    {
      key: 'Virtual Machines',
      total: 740.7,
      share: 0.6,
      previousTotal: 617.25,
    },
    { key: 'Storage', total: 493.8, share: 0.4 },
  ],
  points: [
    {
      date: '2025-03-14',
      amounts: { 'Virtual Machines': 400, Storage: 200 },
    },
    {
      date: '2025-03-15',
      amounts: { 'Virtual Machines': 340.7, Storage: 293.8 },
    },
  ],
  forecast: { monthEnd: 2500, through: '2025-03-31' },
};

const eur: SpendSeries = {
  currency: 'EUR',
  total: 980,
  previousTotal: 0,
  groups: [{ key: 'Storage', total: 980, share: 1, previousTotal: 0 }],
  points: [{ date: '2025-03-15', amounts: { Storage: 980 } }],
};

function report(overrides: Partial<SpendReport> = {}): SpendReport {
  return {
    query: {
      subscriptionId: 'sub-1',
      from: '2025-02-14',
      to: '2025-03-15',
      granularity: 'day',
      groupBy: 'service',
      top: 5,
    },
    status: 'ok',
    series: [usd],
    notes: [],
    ...overrides,
  };
}

function money(amount: number, currency: string) {
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency,
  }).format(amount);
}

function percent(value: number, signDisplay: 'auto' | 'exceptZero') {
  return new Intl.NumberFormat(undefined, {
    style: 'percent',
    maximumFractionDigits: 1,
    signDisplay,
  }).format(value);
}

async function errorOf(statusCode: number, name: string, message: string) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({ error: { name, message }, response: { statusCode } }),
      { status: statusCode, headers: { 'Content-Type': 'application/json' } },
    ),
  );
}

function createApi(overrides: Partial<AzureTenantApi> = {}) {
  return mockAzureTenantApi({
    getSpend: jest.fn().mockResolvedValue(report()),
    ...overrides,
  });
}

async function renderContent(
  api: AzureTenantApi,
  entity: Entity = subscription,
  options: { compliancePageMounted?: boolean } = {},
) {
  await renderInTestApp(
    <TestApiProvider apis={[[azureTenantApiRef, api]]}>
      <EntityProvider entity={entity}>
        <SpendContent />
      </EntityProvider>
    </TestApiProvider>,
    options.compliancePageMounted
      ? {
          mountedRoutes: {
            '/azure-tag-compliance': tagComplianceRouteRef,
          },
        }
      : {},
  );
}

function lastQuery(api: AzureTenantApi) {
  const calls = jest.mocked(api.getSpend).mock.calls;
  return calls[calls.length - 1][0];
}

describe('SpendContent', () => {
  beforeEach(() => {
    // Only the clock is frozen (15 March 2025, local time); timers stay real so that the UI runs as usual.
    jest.useFakeTimers({
      now: new Date(2025, 2, 15, 12, 0, 0),
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('asks for the last 30 days of a subscription by day and service', async () => {
    const api = createApi();
    await renderContent(api);

    await screen.findByRole('region', { name: 'Spend in USD' });
    expect(api.getSpend).toHaveBeenCalledTimes(1);
    expect(api.getSpend).toHaveBeenCalledWith({
      subscriptionId: 'sub-1',
      from: '2025-02-14',
      to: '2025-03-15',
      granularity: 'day',
      groupBy: 'service',
    });
  });

  it('asks for a resource by its resource id and a group by its entity ref', async () => {
    const resourceApi = createApi();
    await renderContent(resourceApi, virtualMachine);
    await screen.findByRole('region', { name: 'Spend in USD' });
    expect(lastQuery(resourceApi)).toEqual(
      expect.objectContaining({
        resourceId:
          '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Compute/virtualMachines/vm-1',
      }),
    );
    expect(lastQuery(resourceApi).subscriptionId).toBeUndefined();
  });

  it('asks for a group by its entity ref', async () => {
    const api = createApi();
    await renderContent(api, team);
    await screen.findByRole('region', { name: 'Spend in USD' });
    expect(lastQuery(api)).toEqual(
      expect.objectContaining({ entityRef: 'group:default/team-a' }),
    );
    expect(lastQuery(api).subscriptionId).toBeUndefined();
    expect(lastQuery(api).resourceId).toBeUndefined();
  });

  it('says which annotation is missing from a subscription without an id', async () => {
    const api = createApi();
    await renderContent(api, {
      ...subscription,
      metadata: { name: 'broken', annotations: {} },
    });

    expect(
      await screen.findByText('management.azure.com/subscriptionId', {
        selector: 'code',
      }),
    ).toBeInTheDocument();
    expect(api.getSpend).not.toHaveBeenCalled();
  });

  it('shows each currency on its own, formatted, and never adds them up', async () => {
    const api = createApi({
      getSpend: jest.fn().mockResolvedValue(report({ series: [usd, eur] })),
    });
    await renderContent(api);

    const usdBlock = await screen.findByRole('region', {
      name: 'Spend in USD',
    });
    const eurBlock = screen.getByRole('region', { name: 'Spend in EUR' });
    expect(within(usdBlock).getByTestId('spend-total')).toHaveTextContent(
      money(1234.5, 'USD'),
    );
    expect(within(eurBlock).getByTestId('spend-total')).toHaveTextContent(
      money(980, 'EUR'),
    );
    expect(
      screen.queryByText(money(1234.5 + 980, 'USD'), { exact: false }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByText(money(1234.5 + 980, 'EUR'), { exact: false }),
    ).not.toBeInTheDocument();
  });

  it('shows the change with its sign and the forecast, or says that there is none', async () => {
    const api = createApi({
      getSpend: jest.fn().mockResolvedValue(report({ series: [usd, eur] })),
    });
    await renderContent(api);

    const usdBlock = await screen.findByRole('region', {
      name: 'Spend in USD',
    });
    expect(
      within(usdBlock).getByLabelText(
        `${percent(0.25, 'exceptZero')} (up) vs previous period`,
      ),
    ).toBeInTheDocument();
    expect(within(usdBlock).getByText(money(2500, 'USD'))).toBeInTheDocument();
    expect(within(usdBlock).getByText(/Previous period:/)).toHaveTextContent(
      money(987.6, 'USD'),
    );

    const eurBlock = screen.getByRole('region', { name: 'Spend in EUR' });
    // No previous spend: not 0%, but no comparison at all.
    expect(
      within(eurBlock).getAllByText('No data for the previous period').length,
    ).toBeGreaterThan(0);
    expect(
      within(eurBlock).queryByText(content =>
        content.startsWith(percent(0, 'exceptZero')),
      ),
    ).not.toBeInTheDocument();
    expect(
      within(eurBlock).getByText('No forecast for this period'),
    ).toBeInTheDocument();
  });

  it('shows a decrease with a minus sign', async () => {
    const api = createApi({
      getSpend: jest
        .fn()
        .mockResolvedValue(report({ series: [{ ...usd, change: -0.1 }] })),
    });
    await renderContent(api);

    expect(
      await screen.findByLabelText(
        `${percent(-0.1, 'exceptZero')} (down) vs previous period`,
      ),
    ).toBeInTheDocument();
  });

  it('shows a real total of zero as zero', async () => {
    const api = createApi({
      getSpend: jest.fn().mockResolvedValue(
        report({
          series: [
            {
              currency: 'USD',
              total: 0,
              previousTotal: 0,
              groups: [],
              points: [],
            },
          ],
        }),
      ),
    });
    await renderContent(api);

    const block = await screen.findByRole('region', { name: 'Spend in USD' });
    expect(within(block).getByTestId('spend-total')).toHaveTextContent(
      money(0, 'USD'),
    );
  });

  it('says that the first spend sync is pending instead of showing zero', async () => {
    const api = createApi({
      getSpend: jest
        .fn()
        .mockResolvedValue(report({ status: 'pending', series: [] })),
    });
    await renderContent(api);

    expect(
      await screen.findByText(
        'No spend data yet: the first spend sync is pending',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('spend-total')).not.toBeInTheDocument();
    expect(screen.queryByText(money(0, 'USD'))).not.toBeInTheDocument();
  });

  describe('when the portal lost access', () => {
    const staleness = (lastSuccessfulSyncAt?: string) => ({
      access: {
        problem: 'read-denied' as const,
        message:
          'Azure refused to let the portal read subscription sub-1 (AuthorizationFailed): its Reader role was removed.',
        since: new Date(2025, 2, 12, 12, 0, 0).toISOString(),
        checkedAt: new Date(2025, 2, 15, 11, 0, 0).toISOString(),
        action: 'reconnect' as const,
      },
      ...(lastSuccessfulSyncAt && { lastSuccessfulSyncAt }),
    });

    it('says why the spend is stale and since when, and still shows the last synced spend', async () => {
      const lastSync = new Date(2025, 2, 12, 6, 0, 0).toISOString();
      const api = createApi({
        getSpend: jest
          .fn()
          .mockResolvedValue(report({ staleness: staleness(lastSync) })),
      });
      await renderContent(api);

      const notice = await screen.findByRole('alert');
      expect(notice).toHaveTextContent(
        'Warning: The spend shown may be out of date: the portal lost access 3 days ago',
      );
      expect(notice).toHaveTextContent(
        'The portal can no longer read this subscription. Azure refused to let the portal read subscription sub-1 (AuthorizationFailed): its Reader role was removed.',
      );
      expect(notice).toHaveTextContent(
        `The spend shown is from the last successful sync, 3 days ago (${new Date(
          lastSync,
        ).toLocaleString()}).`,
      );
      expect(notice).toHaveTextContent(
        /Since 3 days ago \(.+\); last checked 1 hour ago\./,
      );
      expect(
        within(
          screen.getByRole('region', { name: 'Spend in USD' }),
        ).getByTestId('spend-total'),
      ).toHaveTextContent(money(1234.5, 'USD'));
    });

    it('says so instead of an empty period when no sync ever succeeded', async () => {
      const api = createApi({
        getSpend: jest
          .fn()
          .mockResolvedValue(
            report({ status: 'pending', series: [], staleness: staleness() }),
          ),
      });
      await renderContent(api);

      expect(await screen.findByRole('alert')).toHaveTextContent(
        'No sync has succeeded yet, so there is no spend from Azure to show.',
      );
      expect(screen.queryByTestId('spend-total')).not.toBeInTheDocument();
    });
  });

  it('says when the user may not see the spend', async () => {
    const error = await errorOf(403, 'NotAllowedError', 'Not allowed');
    const api = createApi({ getSpend: jest.fn().mockRejectedValue(error) });
    await renderContent(api);

    expect(
      await screen.findByText("You don't have permission to see this spend"),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('spend-total')).not.toBeInTheDocument();
  });

  it('shows other errors with the backend message', async () => {
    const error = await errorOf(500, 'Error', 'Cost Management is down');
    const api = createApi({ getSpend: jest.fn().mockRejectedValue(error) });
    await renderContent(api);

    expect(
      (await screen.findAllByText(/Cost Management is down/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByTestId('spend-total')).not.toBeInTheDocument();
  });

  it('shows progress while the spend loads', async () => {
    const api = createApi({
      getSpend: jest.fn().mockReturnValue(new Promise(() => {})),
    });
    await renderContent(api);

    expect(await screen.findByTestId('progress')).toBeInTheDocument();
    expect(screen.queryByTestId('spend-total')).not.toBeInTheDocument();
  });

  it('shows the notes of the report', async () => {
    const note =
      'Tag grouping is not possible: the subscription is in the No Tags mode.';
    const api = createApi({
      getSpend: jest.fn().mockResolvedValue(report({ notes: [note] })),
    });
    await renderContent(api);

    expect(await screen.findByText(`Info: ${note}`)).toBeInTheDocument();
  });

  it('lists the groups with their total, share and trend', async () => {
    const api = createApi();
    await renderContent(api);

    const table = await screen.findByRole('table');
    const vmRow = within(table).getByText('Virtual Machines').closest('tr')!;
    expect(vmRow).toHaveTextContent(money(740.7, 'USD'));
    expect(vmRow).toHaveTextContent(percent(0.6, 'auto'));
    expect(vmRow).toHaveTextContent(
      `${percent(0.2, 'exceptZero')} vs previous period`,
    );
    const storageRow = within(table).getByText('Storage').closest('tr')!;
    expect(storageRow).toHaveTextContent(percent(0.4, 'auto'));
    expect(storageRow).toHaveTextContent('No data for the previous period');
  });

  it('draws one stacked bar per group in the chart', async () => {
    const api = createApi();
    await renderContent(api);

    const chart = await screen.findByRole('img', {
      name: 'Daily spend in USD by service',
    });
    expect(within(chart).getByText('Virtual Machines')).toBeInTheDocument();
    expect(within(chart).getByText('Storage')).toBeInTheDocument();
    expect(chart.querySelectorAll('.recharts-bar')).toHaveLength(2);
  });

  it.each([
    ['Last 90 days', '2024-12-16', '2025-03-15', 'month'],
    ['Month to date', '2025-03-01', '2025-03-15', 'day'],
    ['Last month', '2025-02-01', '2025-02-28', 'day'],
    ['Last 30 days', '2025-02-14', '2025-03-15', 'day'],
  ])(
    'asks for %s from %s to %s by %s',
    async (label, from, to, granularity) => {
      const api = createApi();
      await renderContent(api);
      await screen.findByRole('region', { name: 'Spend in USD' });

      // Start from another period, so that every row really changes the period.
      await userEvent.selectOptions(
        screen.getByLabelText('Period'),
        label === 'Last month' ? 'Month to date' : 'Last month',
      );
      await userEvent.selectOptions(screen.getByLabelText('Period'), label);

      await waitFor(() =>
        expect(lastQuery(api)).toEqual(
          expect.objectContaining({ from, to, granularity }),
        ),
      );
    },
  );

  it('offers day or month only for periods longer than a month', async () => {
    const api = createApi();
    await renderContent(api);
    await screen.findByRole('region', { name: 'Spend in USD' });
    expect(screen.queryByLabelText('Granularity')).not.toBeInTheDocument();

    await userEvent.selectOptions(
      screen.getByLabelText('Period'),
      'Last 90 days',
    );
    await userEvent.selectOptions(
      screen.getByLabelText('Granularity'),
      'By day',
    );

    await waitFor(() =>
      expect(lastQuery(api)).toEqual(
        expect.objectContaining({ from: '2024-12-16', granularity: 'day' }),
      ),
    );
  });

  it('groups by the chosen grouping, and by a tag once its key is entered', async () => {
    const api = createApi();
    await renderContent(api);
    await screen.findByRole('region', { name: 'Spend in USD' });

    await userEvent.selectOptions(
      screen.getByLabelText('Group by'),
      'Resource group',
    );
    await waitFor(() => expect(lastQuery(api).groupBy).toBe('resourceGroup'));

    await userEvent.selectOptions(
      screen.getByLabelText('Group by'),
      'Location',
    );
    await waitFor(() => expect(lastQuery(api).groupBy).toBe('location'));

    const calls = jest.mocked(api.getSpend).mock.calls.length;
    await userEvent.selectOptions(screen.getByLabelText('Group by'), 'Tag…');
    expect(screen.getByText(/Enter a tag key/)).toBeInTheDocument();
    await userEvent.type(
      screen.getByLabelText('Tag key'),
      'cost-center{Enter}',
    );

    await waitFor(() => expect(lastQuery(api).groupBy).toBe('tag:cost-center'));
    expect(api.getSpend).toHaveBeenCalledTimes(calls + 1);
  });

  it('heads the table with the top groups of the grouping, and shows resources by name with their id', async () => {
    const vmId =
      '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Compute/virtualMachines/vm-1';
    const keys: Record<string, string[]> = {
      service: ['Storage'],
      resourceGroup: ['rg-1'],
      resource: [vmId, 'other'],
      'tag:cost-center': ['42', 'untagged'],
    };
    const api = createApi({
      getSpend: jest.fn(async query =>
        report({
          series: [
            {
              ...eur,
              groups: keys[query.groupBy!].map(key => ({
                key,
                total: 1,
                share: 0.5,
              })),
              points: [],
            },
          ],
        }),
      ),
    });
    await renderContent(api);
    expect(await screen.findByText('Top services (EUR)')).toBeInTheDocument();

    await userEvent.selectOptions(
      screen.getByLabelText('Group by'),
      'Resource group',
    );
    expect(
      await screen.findByText('Top resource groups (EUR)'),
    ).toBeInTheDocument();

    await userEvent.selectOptions(
      screen.getByLabelText('Group by'),
      'Resource',
    );
    expect(await screen.findByText('Top resources (EUR)')).toBeInTheDocument();
    const table = screen.getByRole('table');
    expect(within(table).getByText('vm-1')).toHaveAttribute('title', vmId);
    expect(within(table).queryByText(vmId)).not.toBeInTheDocument();
    expect(within(table).getByText('Other')).toBeInTheDocument();

    await userEvent.selectOptions(screen.getByLabelText('Group by'), 'Tag…');
    await userEvent.type(
      screen.getByLabelText('Tag key'),
      'cost-center{Enter}',
    );
    expect(
      await screen.findByText('Top values of tag cost-center (EUR)'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('table')).getByText('Untagged'),
    ).toBeInTheDocument();
  });

  it('downloads the CSV of the shown query with the API and saves it as a file', async () => {
    const blob = new Blob(['date,service,cost\n'], { type: 'text/csv' });
    const api = createApi({
      downloadSpendCsv: jest.fn().mockResolvedValue(blob),
    });
    const createObjectURL = jest.fn(() => 'blob:spend');
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const saved: { href: string; download: string }[] = [];
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        saved.push({ href: this.href, download: this.download });
      });

    try {
      await renderContent(api);
      await screen.findByRole('region', { name: 'Spend in USD' });
      await userEvent.selectOptions(
        screen.getByLabelText('Group by'),
        'Location',
      );
      await waitFor(() => expect(lastQuery(api).groupBy).toBe('location'));

      await userEvent.click(
        screen.getByRole('button', { name: /Download CSV/ }),
      );

      await waitFor(() => expect(saved).toHaveLength(1));
      expect(api.downloadSpendCsv).toHaveBeenCalledWith({
        subscriptionId: 'sub-1',
        from: '2025-02-14',
        to: '2025-03-15',
        granularity: 'day',
        groupBy: 'location',
      });
      expect(createObjectURL).toHaveBeenCalledWith(blob);
      expect(saved[0]).toEqual({
        href: 'blob:spend',
        download: 'spend-production-2025-02-14-to-2025-03-15.csv',
      });
      await waitFor(() =>
        expect(revokeObjectURL).toHaveBeenCalledWith('blob:spend'),
      );
    } finally {
      click.mockRestore();
    }
  });

  it('says when the CSV cannot be downloaded', async () => {
    const error = await errorOf(403, 'NotAllowedError', 'No CSV for you');
    const api = createApi({
      downloadSpendCsv: jest.fn().mockRejectedValue(error),
    });
    await renderContent(api);
    await screen.findByRole('region', { name: 'Spend in USD' });

    await userEvent.click(screen.getByRole('button', { name: /Download CSV/ }));

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not download the CSV: No CSV for you',
    );
  });

  describe('unallocated spend', () => {
    it("shows each currency's spend that no team owns, its share and its resources, linking to their fixes", async () => {
      const api = createApi({
        getSpend: jest.fn().mockResolvedValue(
          report({
            series: [usd, eur],
            unallocated: [
              { currency: 'USD', total: 246.9, resources: 3 },
              { currency: 'EUR', total: 0, resources: 0 },
            ],
          }),
        ),
      });
      await renderContent(api, subscription, { compliancePageMounted: true });

      const usdBlock = await screen.findByRole('region', {
        name: 'Spend in USD',
      });
      expect(
        within(usdBlock).getByTestId('spend-unallocated'),
      ).toHaveTextContent(money(246.9, 'USD'));
      expect(
        within(usdBlock).getByText(
          `${percent(
            0.2,
            'auto',
          )} of the total · 3 resources without a valid owner tag`,
        ),
      ).toBeInTheDocument();
      expect(
        within(usdBlock).getByRole('link', { name: 'Fix owner tags' }),
      ).toHaveAttribute('href', '/azure-tag-compliance?subscriptionId=sub-1');

      const eurBlock = screen.getByRole('region', { name: 'Spend in EUR' });
      expect(
        within(eurBlock).getByTestId('spend-unallocated'),
      ).toHaveTextContent(money(0, 'EUR'));
      expect(
        within(eurBlock).getByText(
          'Every resource with spend has a valid owner tag',
        ),
      ).toBeInTheDocument();
      expect(
        within(eurBlock).queryByRole('link', { name: 'Fix owner tags' }),
      ).not.toBeInTheDocument();
    });

    it('shows no unallocated figure when the report has none (tags not kept, or not a subscription)', async () => {
      await renderContent(createApi());

      await screen.findByRole('region', { name: 'Spend in USD' });
      expect(screen.queryByTestId('spend-unallocated')).not.toBeInTheDocument();
      expect(screen.queryByText('Unallocated')).not.toBeInTheDocument();
    });

    it('shows the figure without a link in an app without the Tag compliance page', async () => {
      const api = createApi({
        getSpend: jest.fn().mockResolvedValue(
          report({
            unallocated: [{ currency: 'USD', total: 12.5, resources: 1 }],
          }),
        ),
      });
      await renderContent(api);

      expect(
        await screen.findByText(/1 resource without a valid owner tag/),
      ).toBeInTheDocument();
      expect(
        screen.queryByRole('link', { name: 'Fix owner tags' }),
      ).not.toBeInTheDocument();
    });
  });
});
