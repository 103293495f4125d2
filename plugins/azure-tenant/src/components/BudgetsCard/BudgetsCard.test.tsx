import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { Entity } from '@backstage/catalog-model';
import { AzureTenantApi, azureTenantApiRef } from '../../api';
import { mockAzureTenantApi } from '../../__testUtils__/mockAzureTenantApi';
import { budgetStatus, money } from '../../__testUtils__/budgetFixtures';
import { budgetsRouteRef } from '../../routes';
import { BudgetsCard } from './BudgetsCard';

const team: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-a', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

const payments: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: { name: 'payments', namespace: 'default' },
  spec: { owner: 'group:default/team-b' },
};

// Owned by team-a, on a subscription.
const owned = budgetStatus();
// On team-a itself, owned by another team.
const onTeam = budgetStatus({
  budget: {
    id: 'b-2',
    name: 'Team A cloud',
    scope: { kind: 'entity', entityRef: 'group:default/team-a' },
    owner: 'group:default/finance',
  },
  actual: 1100,
  actualPercent: 110,
  forecast: 1500,
  forecastPercent: 150,
  state: 'over',
});
// On the payments system, owned by team-b: listed with the entity-scoped budgets, but not team-a's.
const onPayments = budgetStatus({
  budget: {
    id: 'b-3',
    name: 'Payments',
    scope: { kind: 'entity', entityRef: 'system:default/payments' },
    owner: 'group:default/team-b',
  },
  state: 'no-data',
  actual: 0,
  actualPercent: 0,
  forecast: 0,
  forecastPercent: 0,
});

function createApi(overrides: Partial<AzureTenantApi> = {}) {
  return mockAzureTenantApi({
    listBudgets: jest.fn(async filter =>
      filter?.owner ? [owned] : [onTeam, onPayments],
    ),
    listSubscriptions: jest.fn().mockResolvedValue([]),
    getSpend: jest.fn().mockRejectedValue(new Error('no spend')),
    createBudget: jest.fn().mockResolvedValue(owned),
    ...overrides,
  });
}

async function renderCard(
  api: AzureTenantApi,
  entity: Entity,
  options: { pageMounted?: boolean } = {},
) {
  const { pageMounted = true } = options;
  await renderInTestApp(
    <TestApiProvider apis={[[azureTenantApiRef, api]]}>
      <EntityProvider entity={entity}>
        <BudgetsCard />
      </EntityProvider>
    </TestApiProvider>,
    pageMounted ? { mountedRoutes: { '/azure-budgets': budgetsRouteRef } } : {},
  );
}

describe('BudgetsCard', () => {
  it('shows the budgets a group owns and those on it, with their use and state', async () => {
    const api = createApi();
    await renderCard(api, team);

    const list = await screen.findByRole('list', { name: 'Budgets' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map(item => item.getAttribute('aria-label'))).toEqual([
      'Web shop',
      'Team A cloud',
    ]);
    expect(api.listBudgets).toHaveBeenCalledWith({
      owner: 'group:default/team-a',
    });

    const shop = within(list).getByRole('listitem', { name: 'Web shop' });
    expect(within(shop).getByText('On track')).toBeInTheDocument();
    expect(
      within(shop).getByRole('progressbar', { name: 'Web shop: 45% used' }),
    ).toHaveAttribute('aria-valuenow', '45');
    expect(
      within(shop).getByText(
        `${money(450)} of ${money(1000)} (45%) · forecast ${money(900)} (90%)`,
      ),
    ).toBeInTheDocument();

    const over = within(list).getByRole('listitem', { name: 'Team A cloud' });
    expect(within(over).getByText('Over')).toBeInTheDocument();
    // Full, not beyond.
    expect(within(over).getByRole('progressbar')).toHaveAttribute(
      'aria-valuenow',
      '100',
    );

    expect(
      screen.getByRole('link', { name: /View all budgets/ }),
    ).toHaveAttribute(
      'href',
      `/azure-budgets?${new URLSearchParams({
        owner: 'group:default/team-a',
      })}`,
    );
  });

  it('creates a budget with the group as its scope and owner', async () => {
    const api = createApi();
    await renderCard(api, team);
    await screen.findByRole('list', { name: 'Budgets' });

    await userEvent.click(
      screen.getByRole('button', { name: 'Create budget' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Create budget' });
    expect(within(dialog).getByLabelText('Scope')).toHaveValue('entity');
    expect(within(dialog).getByLabelText('Entity')).toHaveValue(
      'group:default/team-a',
    );
    expect(within(dialog).getByLabelText('Owner')).toHaveValue(
      'group:default/team-a',
    );

    await userEvent.type(within(dialog).getByLabelText('Name'), 'Team A');
    await userEvent.type(within(dialog).getByLabelText('Amount'), '3000');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create budget' }),
    );

    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.createBudget).toHaveBeenCalledWith(
      expect.objectContaining({
        name: 'Team A',
        scope: { kind: 'entity', entityRef: 'group:default/team-a' },
        owner: 'group:default/team-a',
        amount: 3000,
      }),
    );
    // Read again, so that the new budget shows.
    await waitFor(() => expect(api.listBudgets).toHaveBeenCalledTimes(4));
  });

  it("shows on another entity's page the budgets on it, and leaves the owner to the backend", async () => {
    const api = createApi();
    await renderCard(api, payments);

    const list = await screen.findByRole('list', { name: 'Budgets' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map(item => item.getAttribute('aria-label')),
    ).toEqual(['Payments']);
    expect(within(list).getByText('No data')).toBeInTheDocument();
    expect(api.listBudgets).not.toHaveBeenCalledWith(
      expect.objectContaining({ owner: expect.anything() }),
    );
    expect(
      screen.getByRole('link', { name: /View all budgets/ }),
    ).toHaveAttribute('href', '/azure-budgets');

    await userEvent.click(
      screen.getByRole('button', { name: 'Create budget' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Create budget' });
    expect(within(dialog).getByLabelText('Entity')).toHaveValue(
      'system:default/payments',
    );
    expect(within(dialog).getByLabelText('Owner')).toHaveValue('');
  });

  it('says when an entity has no budget yet, without a link where the app has no Budgets page', async () => {
    const api = createApi({ listBudgets: jest.fn().mockResolvedValue([]) });
    await renderCard(api, team, { pageMounted: false });

    expect(await screen.findByText(/No budget yet/)).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: /View all budgets/ }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Create budget' }),
    ).toBeInTheDocument();
  });
});
