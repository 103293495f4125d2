import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import {
  AzureSubscription,
  BudgetInput,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantApi, azureTenantApiRef } from '../../api';
import { mockAzureTenantApi } from '../../__testUtils__/mockAzureTenantApi';
import {
  budgetStatus,
  responseError,
} from '../../__testUtils__/budgetFixtures';
import { BudgetDialog, BudgetDialogProps } from './BudgetDialog';

const production: AzureSubscription = {
  subscriptionId: '00000000-0000-0000-0000-000000000001',
  tenantId: 'tenant-1',
  displayName: 'Production',
  syncMode: 'read-write-tags',
  roleStatus: 'granted',
  grantedRoles: ['Reader', 'Tag Contributor'],
  source: 'onboarding',
};

function createApi(overrides: Partial<AzureTenantApi> = {}) {
  return mockAzureTenantApi({
    listSubscriptions: jest.fn().mockResolvedValue([production]),
    // No spend known: the currency defaults to USD.
    getSpend: jest.fn().mockRejectedValue(new Error('no spend')),
    createBudget: jest.fn().mockResolvedValue(budgetStatus()),
    updateBudget: jest.fn().mockResolvedValue(budgetStatus()),
    ...overrides,
  });
}

async function renderDialog(
  api: AzureTenantApi,
  props: Partial<BudgetDialogProps> = {},
) {
  const onSaved = jest.fn();
  await renderInTestApp(
    <TestApiProvider apis={[[azureTenantApiRef, api]]}>
      <BudgetDialog onSaved={onSaved} onClose={jest.fn()} {...props} />
    </TestApiProvider>,
  );
  return { onSaved };
}

describe('BudgetDialog', () => {
  it('creates a budget on a subscription picked by name, with the default thresholds', async () => {
    const api = createApi();
    const { onSaved } = await renderDialog(api);

    await userEvent.type(screen.getByLabelText('Name'), 'Production');
    await screen.findByRole('option', { name: /^Production \(/ });
    await userEvent.selectOptions(
      screen.getByLabelText('Subscription'),
      production.subscriptionId,
    );
    await userEvent.type(screen.getByLabelText('Amount'), '1500');
    expect(screen.getByLabelText('Currency')).toHaveValue('USD');
    await userEvent.click(
      screen.getByRole('button', { name: 'Create budget' }),
    );

    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(api.createBudget).toHaveBeenCalledWith({
      name: 'Production',
      scope: {
        kind: 'subscription',
        subscriptionId: production.subscriptionId,
      },
      amount: 1500,
      currency: 'USD',
      period: { type: 'monthly' },
      thresholds: [
        { type: 'actual', percent: 50 },
        { type: 'actual', percent: 80 },
        { type: 'actual', percent: 100 },
        { type: 'forecast', percent: 100 },
      ],
    } satisfies BudgetInput);
  });

  it("defaults the currency to the scope's spend currency", async () => {
    const api = createApi({
      getSpend: jest.fn().mockResolvedValue({
        query: {},
        status: 'ok',
        series: [
          {
            currency: 'USD',
            total: 3,
            previousTotal: 0,
            groups: [],
            points: [],
          },
          {
            currency: 'EUR',
            total: 120,
            previousTotal: 0,
            groups: [],
            points: [],
          },
        ],
        notes: [],
      }),
    });
    await renderDialog(api, {
      initial: {
        scope: { kind: 'entity', entityRef: 'group:default/team-a' },
      },
    });

    await waitFor(() =>
      expect(screen.getByLabelText('Currency')).toHaveValue('EUR'),
    );
    expect(api.getSpend).toHaveBeenCalledWith(
      expect.objectContaining({ entityRef: 'group:default/team-a' }),
    );
    expect(screen.getByText("The scope's spend currency")).toBeInTheDocument();
  });

  it('creates a yearly budget from April on a custom group, with edited thresholds and an owner', async () => {
    const api = createApi();
    const { onSaved } = await renderDialog(api);

    await userEvent.type(screen.getByLabelText('Name'), 'Data platform');
    await userEvent.selectOptions(
      screen.getByLabelText('Scope'),
      'customGroup',
    );
    await userEvent.type(screen.getByLabelText('Group name'), 'Data');
    await userEvent.click(
      screen.getByRole('button', { name: 'Add subscription' }),
    );
    await screen.findByRole('option', { name: /^Production \(/ });
    await userEvent.selectOptions(
      screen.getByLabelText('Subscription 1'),
      production.subscriptionId,
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Add resource group' }),
    );
    await userEvent.selectOptions(
      screen.getByLabelText('Subscription of resource group 1'),
      production.subscriptionId,
    );
    await userEvent.type(screen.getByLabelText('Resource group 1'), 'rg-data');
    await userEvent.click(
      screen.getByRole('button', { name: 'Add tag filter' }),
    );
    await userEvent.type(screen.getByLabelText('Tag 1 name'), 'team');
    await userEvent.type(screen.getByLabelText('Amount'), '50000');
    await userEvent.clear(screen.getByLabelText('Currency'));
    await userEvent.type(screen.getByLabelText('Currency'), 'eur');
    await userEvent.selectOptions(screen.getByLabelText('Period'), 'yearly');
    await userEvent.selectOptions(screen.getByLabelText('First month'), '4');
    await userEvent.click(
      screen.getByRole('button', { name: 'Remove threshold 1' }),
    );
    await userEvent.clear(screen.getByLabelText('Threshold 1 percent'));
    await userEvent.type(screen.getByLabelText('Threshold 1 percent'), '90');
    await userEvent.type(
      screen.getByLabelText('Owner'),
      'group:default/data-team',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Create budget' }),
    );

    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(api.createBudget).toHaveBeenCalledWith({
      name: 'Data platform',
      scope: {
        kind: 'customGroup',
        name: 'Data',
        subscriptionIds: [production.subscriptionId],
        resourceGroups: [
          {
            subscriptionId: production.subscriptionId,
            resourceGroup: 'rg-data',
          },
        ],
        tags: [{ key: 'team' }],
      },
      amount: 50000,
      currency: 'EUR',
      period: { type: 'yearly', startMonth: 4 },
      thresholds: [
        { type: 'actual', percent: 90 },
        { type: 'actual', percent: 100 },
        { type: 'forecast', percent: 100 },
      ],
      owner: 'group:default/data-team',
    } satisfies BudgetInput);
  });

  it('shows what is wrong next to each field and sends nothing', async () => {
    const api = createApi();
    await renderDialog(api);

    await userEvent.type(screen.getByLabelText('Amount'), '0');
    await userEvent.selectOptions(screen.getByLabelText('Period'), 'custom');
    await userEvent.type(screen.getByLabelText('Start date'), '2025-06-01');
    await userEvent.type(screen.getByLabelText('End date'), '2025-05-01');
    await userEvent.click(
      screen.getByRole('button', { name: 'Create budget' }),
    );

    expect(
      await screen.findByText('Give the budget a name'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Pick the subscription the budget covers'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('The amount must be a number of at least 0.01'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('The end date must not be before the start date'),
    ).toBeInTheDocument();
    expect(api.createBudget).not.toHaveBeenCalled();
  });

  it("shows the backend's 400 message as it is, and keeps what was typed", async () => {
    const api = createApi({
      createBudget: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            400,
            'InputError',
            'scope.subscriptionId: the subscription is not connected to the portal',
          ),
        ),
    });
    const { onSaved } = await renderDialog(api, {
      initial: {
        scope: { kind: 'entity', entityRef: 'system:default/payments' },
      },
    });

    await userEvent.type(screen.getByLabelText('Name'), 'Payments');
    await userEvent.type(screen.getByLabelText('Amount'), '100');
    await userEvent.click(
      screen.getByRole('button', { name: 'Create budget' }),
    );

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not create the budget: scope.subscriptionId: the subscription is not connected to the portal',
    );
    expect(screen.getByLabelText('Name')).toHaveValue('Payments');
    expect(onSaved).not.toHaveBeenCalled();
  });

  it('edits a budget: its fields filled in, saved with PUT', async () => {
    const api = createApi();
    const existing = budgetStatus({
      budget: {
        id: 'b-7',
        name: 'Checkout',
        scope: {
          kind: 'resourceGroup',
          subscriptionId: production.subscriptionId,
          resourceGroup: 'rg-checkout',
        },
        currency: 'EUR',
        period: {
          type: 'custom',
          startDate: '2025-01-01',
          endDate: '2025-12-31',
        },
        thresholds: [{ type: 'forecast', percent: 120 }],
        owner: 'group:default/team-b',
      },
    }).budget;
    const { onSaved } = await renderDialog(api, { budget: existing });

    expect(screen.getByLabelText('Resource group')).toHaveValue('rg-checkout');
    expect(screen.getByLabelText('Currency')).toHaveValue('EUR');
    await userEvent.clear(screen.getByLabelText('Amount'));
    await userEvent.type(screen.getByLabelText('Amount'), '2000');
    await userEvent.click(screen.getByRole('button', { name: 'Save budget' }));

    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(api.updateBudget).toHaveBeenCalledWith('b-7', {
      name: 'Checkout',
      scope: existing.scope,
      amount: 2000,
      currency: 'EUR',
      period: existing.period,
      thresholds: [{ type: 'forecast', percent: 120 }],
      owner: 'group:default/team-b',
    });
    // Nobody asked for the scope's currency: the budget has one.
    expect(api.getSpend).not.toHaveBeenCalled();
  });
});
