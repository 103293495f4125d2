import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  AzureBudget,
  SpendAlert,
  azureTenantBudgetDeletePermission,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantApi, azureTenantApiRef } from '../../api';
import { mockAzureTenantApi } from '../../__testUtils__/mockAzureTenantApi';
import {
  budgetStatus,
  money,
  responseError,
} from '../../__testUtils__/budgetFixtures';
import { BudgetsPage } from './BudgetsPage';

// usePermission caches decisions across renders (SWR), so each test sets the decisions directly.
jest.mock('@backstage/plugin-permission-react', () => ({
  ...jest.requireActual('@backstage/plugin-permission-react'),
  usePermission: jest.fn(),
}));

const webShop = budgetStatus();
const payments = budgetStatus({
  budget: {
    id: 'b-2',
    name: 'Payments',
    scope: { kind: 'entity', entityRef: 'system:default/payments' },
    owner: 'group:default/team-b',
  },
  actual: 1200,
  actualPercent: 120,
  forecast: 2000,
  forecastPercent: 200,
  state: 'over',
});
const analytics = budgetStatus({
  budget: {
    id: 'b-3',
    name: 'Analytics',
    currency: 'EUR',
    scope: {
      kind: 'customGroup',
      name: 'Data',
      subscriptionIds: ['00000000-0000-0000-0000-000000000002'],
      tags: [{ key: 'team', value: 'data' }],
    },
  },
  state: 'currency-mismatch',
  problem: 'Part of the spend is in GBP, with no exchange rate to EUR',
});
const declared = budgetStatus({
  budget: {
    id: 'b-4',
    name: 'Platform (declared)',
    owner: 'group:default/team-b',
    source: 'config',
    period: { type: 'yearly', startMonth: 4 },
    mutedUntil: new Date(Date.now() + 3 * 24 * 3600_000).toISOString(),
  },
  forecastPercent: 104,
  state: 'at-risk',
});

const azureBudget: AzureBudget = {
  id: '/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Consumption/budgets/finance-monthly',
  name: 'finance-monthly',
  subscriptionId: '00000000-0000-0000-0000-000000000001',
  amount: 5000,
  timeGrain: 'Monthly',
  startDate: '2025-01-01T00:00:00Z',
  currentSpend: { amount: 1234.5, unit: 'USD' },
  notifications: [
    { operator: 'GreaterThan', threshold: 80, thresholdType: 'Actual' },
  ],
  readAt: '2025-03-14T10:00:00Z',
};

const alert: SpendAlert = {
  id: 'a-1',
  kind: 'threshold',
  budgetId: 'b-2',
  budgetName: 'Payments',
  threshold: { type: 'actual', percent: 100 },
  periodStart: '2025-03-01',
  scopeRef: 'group:default/team-b',
  recipients: ['user:default/ada'],
  title: 'Payments reached 100% of its budget',
  description: 'USD 1,200 of USD 1,000',
  link: '/catalog/default/system/payments/spend',
  delivery: 'sent',
  createdAt: '2025-03-14T08:00:00Z',
};

function createApi(overrides: Partial<AzureTenantApi> = {}) {
  return mockAzureTenantApi({
    listBudgets: jest
      .fn()
      .mockResolvedValue([webShop, payments, analytics, declared]),
    listAzureBudgets: jest.fn().mockResolvedValue([azureBudget]),
    listBudgetAlerts: jest.fn().mockResolvedValue([alert]),
    listSubscriptions: jest.fn().mockResolvedValue([]),
    getSpend: jest.fn().mockRejectedValue(new Error('no spend')),
    ...overrides,
  });
}

async function renderPage(api: AzureTenantApi, path = '/azure-budgets') {
  await renderInTestApp(
    <TestApiProvider apis={[[azureTenantApiRef, api]]}>
      <BudgetsPage />
    </TestApiProvider>,
    {
      routeEntries: [path],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

/** The budgets table: the first on the page, above Azure's budgets and the alerts. */
function budgetsTable(): HTMLElement {
  return screen.getAllByRole('table')[0];
}

/** The table row of a budget (or of Azure's budgets and the alerts), found by its name. */
function rowOf(name: string, table?: HTMLElement): HTMLElement {
  const row = (table ? within(table) : screen).getByText(name).closest('tr');
  if (!row) throw new Error(`No row for ${name}`);
  return row;
}

/** The names in the budgets table, in order. */
function budgetNames(): string[] {
  return within(budgetsTable())
    .getAllByRole('row')
    .slice(1)
    .map(row => row.querySelector('td p')?.textContent ?? '');
}

describe('BudgetsPage', () => {
  beforeEach(() => {
    jest
      .mocked(usePermission)
      .mockReturnValue({ loading: false, allowed: true });
  });

  it('lists every budget with its use, forecast and state', async () => {
    await renderPage(createApi());

    await screen.findByText('Web shop');
    const shop = rowOf('Web shop');
    expect(within(shop).getByText('On track')).toBeInTheDocument();
    expect(within(shop).getByText(`${money(450)} (45%)`)).toBeInTheDocument();
    expect(within(shop).getByText(`${money(900)} (90%)`)).toBeInTheDocument();
    expect(within(shop).getByText('Monthly')).toBeInTheDocument();

    const over = rowOf('Payments', budgetsTable());
    expect(within(over).getByText('Over')).toBeInTheDocument();
    expect(within(over).getByText(`${money(1200)} (120%)`)).toBeInTheDocument();
    const mismatch = rowOf('Analytics');
    expect(within(mismatch).getByText('Currency mismatch')).toBeInTheDocument();
    expect(
      within(mismatch).getByText(
        'Part of the spend is in GBP, with no exchange rate to EUR',
      ),
    ).toBeInTheDocument();
    expect(
      within(mismatch).getByText('1 subscription, 1 tag filter'),
    ).toBeInTheDocument();

    const platform = rowOf('Platform (declared)');
    expect(within(platform).getByText('At risk')).toBeInTheDocument();
    expect(within(platform).getByText('Yearly from April')).toBeInTheDocument();
    expect(
      within(platform).getByText(
        new Date(declared.budget.mutedUntil!).toLocaleString(),
      ),
    ).toBeInTheDocument();
  });

  it('filters the budgets by team and by state', async () => {
    await renderPage(createApi());
    await screen.findByText('Web shop');
    expect(budgetNames()).toHaveLength(4);

    await userEvent.click(screen.getByRole('button', { name: 'filter list' }));
    fireEvent.mouseDown(
      within(screen.getByLabelText('Owner')).getByRole('button'),
    );
    await userEvent.click(
      await screen.findByRole('option', { name: 'team-b' }),
    );
    await userEvent.keyboard('{Escape}');
    await waitFor(() =>
      expect(budgetNames().sort()).toEqual(['Payments', 'Platform (declared)']),
    );

    fireEvent.mouseDown(
      within(screen.getByLabelText('State')).getByRole('button'),
    );
    await userEvent.click(await screen.findByRole('option', { name: 'Over' }));
    await userEvent.keyboard('{Escape}');
    await waitFor(() => expect(budgetNames()).toEqual(['Payments']));
  });

  it("opens filtered by the owner in the address, as the Budgets card's link does", async () => {
    await renderPage(createApi(), '/azure-budgets?owner=group:default/team-a');

    await waitFor(() =>
      expect(budgetNames().sort()).toEqual(['Analytics', 'Web shop']),
    );
  });

  it('sorts the budgets by their use', async () => {
    await renderPage(createApi());
    await screen.findByText('Web shop');

    // material-table's header cell holds two buttons: its sort label and the column's drag handle.
    const sortByActual = () =>
      userEvent.click(screen.getAllByRole('button', { name: 'Actual' })[0]);
    await sortByActual();
    expect(budgetNames()[3]).toBe('Payments');
    await sortByActual();

    expect(budgetNames()[0]).toBe('Payments');
  });

  it('says a budget declared in app-config is changed there, and disables what the policy refuses', async () => {
    jest
      .mocked(usePermission)
      .mockImplementation(request =>
        request.permission.name === azureTenantBudgetDeletePermission.name &&
        request.resourceRef === 'b-1'
          ? { loading: false, allowed: false }
          : { loading: false, allowed: true },
      );
    await renderPage(createApi());
    await screen.findByText('Web shop');

    const platform = rowOf('Platform (declared)');
    expect(
      within(platform).getByText(
        'Declared in app-config (azureTenant.budgets.declared); change it there',
      ),
    ).toBeInTheDocument();
    expect(
      within(platform).getByRole('button', {
        name: 'Edit Platform (declared)',
      }),
    ).toBeDisabled();
    expect(
      within(platform).getByRole('button', {
        name: 'Mute Platform (declared) for…',
      }),
    ).toBeEnabled();

    const shop = rowOf('Web shop');
    expect(
      within(shop).getByRole('button', { name: 'Delete Web shop' }),
    ).toBeDisabled();
    expect(
      within(shop).getByText('You may not delete this budget'),
    ).toBeInTheDocument();
    expect(
      within(shop).getByRole('button', { name: 'Edit Web shop' }),
    ).toBeEnabled();
  });

  it("shows the backend's sentence when it refuses a delete, and deletes after a confirmation otherwise", async () => {
    const api = createApi({
      deleteBudget: jest
        .fn()
        .mockRejectedValueOnce(
          await responseError(
            403,
            'NotAllowedError',
            'Only the owners of team-b may delete this budget',
          ),
        )
        .mockResolvedValueOnce(undefined),
    });
    await renderPage(api);
    await screen.findByText('Web shop');

    await userEvent.click(
      within(rowOf('Payments', budgetsTable())).getByRole('button', {
        name: 'Delete Payments',
      }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Delete budget' });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Delete' }),
    );

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Could not delete the budget: Only the owners of team-b may delete this budget',
    );
    expect(api.deleteBudget).toHaveBeenCalledWith('b-2');

    jest.mocked(api.listBudgets).mockResolvedValue([webShop]);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Delete' }),
    );
    await waitFor(() =>
      expect(within(budgetsTable()).queryByText('Payments')).toBeNull(),
    );
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('mutes a budget until the end of its period, and unmutes a muted one', async () => {
    const api = createApi({
      muteBudget: jest.fn().mockResolvedValue(webShop),
    });
    await renderPage(api);
    await screen.findByText('Web shop');

    await userEvent.click(
      within(rowOf('Web shop')).getByRole('button', {
        name: 'Mute Web shop for…',
      }),
    );
    expect(screen.queryByRole('menuitem', { name: 'Unmute' })).toBeNull();
    await userEvent.click(
      screen.getByRole('menuitem', {
        name: 'Until the end of the period (2025-03-31)',
      }),
    );
    expect(api.muteBudget).toHaveBeenCalledWith(
      'b-1',
      '2025-04-01T00:00:00.000Z',
    );

    await userEvent.click(
      within(rowOf('Platform (declared)')).getByRole('button', {
        name: 'Mute Platform (declared) for…',
      }),
    );
    await userEvent.click(screen.getByRole('menuitem', { name: 'Unmute' }));
    expect(api.muteBudget).toHaveBeenLastCalledWith('b-4', null);
  });

  it('creates a budget and lists it', async () => {
    const created = budgetStatus({ budget: { id: 'b-9', name: 'New one' } });
    const api = createApi({
      createBudget: jest.fn().mockResolvedValue(created),
    });
    await renderPage(api);
    await screen.findByText('Web shop');

    await userEvent.click(
      screen.getByRole('button', { name: 'Create budget' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Create budget' });
    await userEvent.type(within(dialog).getByLabelText('Name'), 'New one');
    // Pasted: typing a GUID key by key re-renders the page 36 times.
    await userEvent.click(within(dialog).getByLabelText('Subscription'));
    await userEvent.paste('00000000-0000-0000-0000-000000000003');
    await userEvent.type(within(dialog).getByLabelText('Amount'), '10');
    jest.mocked(api.listBudgets).mockResolvedValue([webShop, created]);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create budget' }),
    );

    expect(await screen.findByText('New one')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it("shows Azure's own budgets read-only, and the alerts sent to those allowed", async () => {
    const api = createApi();
    await renderPage(api);

    expect(await screen.findByText('finance-monthly')).toBeInTheDocument();
    expect(
      screen.getByText(
        /Defined in Azure on the connected subscriptions and read-only here/,
      ),
    ).toBeInTheDocument();
    const azureRow = rowOf('finance-monthly');
    expect(within(azureRow).getByText(money(1234.5))).toBeInTheDocument();
    expect(within(azureRow).getByText('Actual 80%')).toBeInTheDocument();

    expect(await screen.findByText('Alerts sent')).toBeInTheDocument();
    const alertRow = rowOf('Payments reached 100% of its budget');
    expect(
      within(alertRow).getByText('Threshold 100% actual'),
    ).toBeInTheDocument();
    expect(within(alertRow).getByText('Sent')).toBeInTheDocument();
    expect(within(alertRow).getByText('ada')).toBeInTheDocument();
    expect(api.listBudgetAlerts).toHaveBeenCalledWith({ limit: 100 });
  });

  it('hides the alerts from a user the backend does not show them to', async () => {
    const api = createApi({
      listBudgetAlerts: jest
        .fn()
        .mockRejectedValue(
          await responseError(403, 'NotAllowedError', 'Admins only'),
        ),
    });
    await renderPage(api);

    await screen.findByText('finance-monthly');
    await waitFor(() => expect(api.listBudgetAlerts).toHaveBeenCalled());
    // The other sections are there; the alerts are not, and no error is shown for them.
    await waitFor(() => expect(screen.queryByRole('progressbar')).toBeNull());
    expect(screen.queryByText('Alerts sent')).not.toBeInTheDocument();
    expect(screen.queryByText(/Admins only/)).not.toBeInTheDocument();
  });
});
