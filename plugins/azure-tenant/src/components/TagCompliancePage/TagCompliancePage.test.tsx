import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  AzureTagPolicyAssignment,
  TagComplianceSummary,
  TagComplianceTeams,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantApi, azureTenantApiRef } from '../../api';
import { mockAzureTenantApi } from '../../__testUtils__/mockAzureTenantApi';
import { responseError } from '../../__testUtils__/budgetFixtures';
import {
  PROD_SUBSCRIPTION,
  complianceFigure,
  tagPolicy,
} from '../../__testUtils__/tagGovernanceFixtures';
import { TagCompliancePage } from './TagCompliancePage';

// usePermission caches decisions across renders (SWR), so each test sets the decision directly.
jest.mock('@backstage/plugin-permission-react', () => ({
  ...jest.requireActual('@backstage/plugin-permission-react'),
  usePermission: jest.fn(),
}));

const summary: TagComplianceSummary = {
  scope: { kind: 'all' },
  current: complianceFigure({
    resources: 200,
    compliant: 165,
    nonCompliant: 35,
    percent: 82.5,
  }),
  history: [
    { day: '2025-03-12', ...complianceFigure({ percent: 70 }) },
    { day: '2025-03-13', ...complianceFigure({ percent: 75 }) },
    { day: '2025-03-14', ...complianceFigure({ percent: 82.5 }) },
  ],
  evaluatedAt: '2025-03-14T10:00:00Z',
};

const teams: TagComplianceTeams = {
  teams: [
    {
      ownerRef: 'group:default/team-a',
      current: complianceFigure({ percent: 90, nonCompliant: 1 }),
      weekAgo: complianceFigure({ percent: 85.5 }),
      history: [],
    },
    {
      ownerRef: 'group:default/team-b',
      current: complianceFigure({ percent: 40, nonCompliant: 6 }),
      weekAgo: complianceFigure({ percent: 50 }),
      history: [],
    },
    {
      ownerRef: 'group:default/team-c',
      current: complianceFigure({ percent: 60, nonCompliant: 4 }),
      history: [],
    },
  ],
  unowned: complianceFigure({
    resources: 7,
    compliant: 0,
    nonCompliant: 7,
    percent: 0,
  }),
};

const portalPolicy = tagPolicy();
const declaredPolicy = tagPolicy({
  id: 'config:env',
  name: 'Environment is known',
  key: 'env',
  aliases: [],
  required: false,
  values: { kind: 'list', values: ['prod', 'test'] },
  inherit: undefined,
  scope: { resourceGroupPattern: 'rg-*' },
  source: 'config',
});

const assignment: AzureTagPolicyAssignment = {
  id: `/subscriptions/${PROD_SUBSCRIPTION}/providers/Microsoft.Authorization/policyAssignments/require-cost-center`,
  subscriptionId: PROD_SUBSCRIPTION,
  scope: `/subscriptions/${PROD_SUBSCRIPTION}/resourceGroups/rg-web`,
  displayName: 'Require cost-center on rg-web',
  definitionName: 'Require a tag on resources',
  effect: 'require',
  tagName: 'cost-center',
  enforcementMode: 'DoNotEnforce',
  readAt: '2025-03-14T10:00:00Z',
};

function createApi(overrides: Partial<AzureTenantApi> = {}) {
  return mockAzureTenantApi({
    getTagComplianceSummary: jest.fn().mockResolvedValue(summary),
    getTagComplianceTeams: jest.fn().mockResolvedValue(teams),
    listTagPolicies: jest
      .fn()
      .mockResolvedValue([portalPolicy, declaredPolicy]),
    listAzureTagPolicies: jest.fn().mockResolvedValue([assignment]),
    listSubscriptions: jest.fn().mockResolvedValue([]),
    ...overrides,
  });
}

async function renderPage(api: AzureTenantApi) {
  await renderInTestApp(
    <TestApiProvider apis={[[azureTenantApiRef, api]]}>
      <TagCompliancePage />
    </TestApiProvider>,
    {
      routeEntries: ['/azure-tag-compliance'],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

function rowOf(text: string, table: HTMLElement): HTMLElement {
  const row = within(table).getByText(text).closest('tr');
  if (!row) throw new Error(`No row for ${text}`);
  return row;
}

function tableTitled(title: string): HTMLElement {
  const table = screen
    .getAllByRole('table')
    .find(t => t.closest('[class*="MuiPaper"]')?.textContent?.includes(title));
  if (!table) throw new Error(`No table ${title}`);
  return table;
}

/** The owners in the teams table, in order. */
function teamOrder(): string[] {
  return within(screen.getAllByRole('table')[0])
    .getAllByRole('row')
    .slice(1)
    .map(row => row.querySelector('td a, td p')?.textContent ?? '');
}

describe('TagCompliancePage', () => {
  beforeEach(() => {
    jest
      .mocked(usePermission)
      .mockReturnValue({ loading: false, allowed: true });
  });

  it('shows the compliance of all resources with its trend, and of each team linking to its page', async () => {
    await renderPage(createApi());

    expect(await screen.findByText('82.5%')).toBeInTheDocument();
    expect(screen.getByText('35')).toBeInTheDocument();
    expect(
      screen.getByText('non-compliant of 200 resources'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: 'Compliance from 70% on 2025-03-12 to 82.5% on 2025-03-14',
      }),
    ).toBeInTheDocument();

    const teamsTable = await waitFor(() => screen.getAllByRole('table')[0]);
    const teamA = rowOf('team-a', teamsTable);
    expect(within(teamA).getByRole('link', { name: 'team-a' })).toHaveAttribute(
      'href',
      '/catalog/default/group/team-a',
    );
    expect(within(teamA).getByText('90.0%')).toBeInTheDocument();
    expect(
      within(teamA).getByLabelText('+4.5 pts (up) vs a week ago'),
    ).toBeInTheDocument();
    const teamB = rowOf('team-b', teamsTable);
    expect(
      within(teamB).getByLabelText('-10.0 pts (down) vs a week ago'),
    ).toBeInTheDocument();
    expect(
      within(rowOf('team-c', teamsTable)).getByText('No figure a week ago'),
    ).toBeInTheDocument();
    const unowned = rowOf('Unowned', teamsTable);
    expect(within(unowned).getByText('0.0%')).toBeInTheDocument();
    expect(within(unowned).getAllByText('7')).toHaveLength(2);
  });

  it('sorts the teams by their compliant share', async () => {
    await renderPage(createApi());
    await screen.findByText('team-a');

    // material-table's header cell holds two buttons: its sort label and the column's drag handle.
    await userEvent.click(
      within(screen.getAllByRole('table')[0]).getAllByRole('button', {
        name: 'Compliant',
      })[0],
    );
    expect(teamOrder()).toEqual(['Unowned', 'team-b', 'team-c', 'team-a']);
  });

  it('lists every policy, declared ones read-only with where to change them', async () => {
    await renderPage(createApi());

    const policies = await waitFor(() => tableTitled('Tag policies'));
    const owner = rowOf('Owner is a catalog team', policies);
    expect(within(owner).getByText('owned-by')).toBeInTheDocument();
    expect(within(owner).getByText('Yes')).toBeInTheDocument();
    expect(
      within(owner).getByText('A catalog group or user'),
    ).toBeInTheDocument();
    expect(
      within(owner).getByText('From the resource group'),
    ).toBeInTheDocument();
    expect(within(owner).getByText('Every resource')).toBeInTheDocument();
    expect(within(owner).getByText('Portal')).toBeInTheDocument();
    expect(
      within(owner).getByRole('button', {
        name: 'Edit Owner is a catalog team',
      }),
    ).toBeEnabled();

    const env = rowOf('Environment is known', policies);
    expect(
      within(env).getByText('One of prod, test (any case)'),
    ).toBeInTheDocument();
    expect(within(env).getByText('Resource groups rg-*')).toBeInTheDocument();
    expect(within(env).getByText('Config')).toBeInTheDocument();
    expect(
      within(env).getByRole('button', { name: 'Edit Environment is known' }),
    ).toBeDisabled();
    expect(
      within(env).getByRole('button', { name: 'Delete Environment is known' }),
    ).toBeDisabled();
    expect(
      within(env).getByText(
        'Declared in app-config (azureTenant.tagGovernance.policies); change it there',
      ),
    ).toBeInTheDocument();
  });

  it('lets only tag policy admins change policies', async () => {
    jest
      .mocked(usePermission)
      .mockReturnValue({ loading: false, allowed: false });
    await renderPage(createApi());

    const policies = await waitFor(() => tableTitled('Tag policies'));
    expect(
      within(rowOf('Owner is a catalog team', policies)).getByRole('button', {
        name: 'Edit Owner is a catalog team',
      }),
    ).toBeDisabled();
    expect(
      screen.queryByRole('button', { name: 'Create tag policy' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByText(/Only tag policy admins may change them/),
    ).toBeInTheDocument();
  });

  it('creates a policy through the dialog and lists it, with the compliance read again', async () => {
    const created = tagPolicy({
      id: 'p-9',
      name: 'Cost center',
      key: 'cost-center',
      aliases: ['costcenter'],
      required: true,
      values: { kind: 'pattern', pattern: 'cc-[0-9]{4}' },
      inherit: 'subscription',
    });
    const api = createApi({
      createTagPolicy: jest.fn().mockResolvedValue(created),
    });
    await renderPage(api);
    await screen.findByText('Owner is a catalog team');

    await userEvent.click(
      screen.getByRole('button', { name: 'Create tag policy' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Create tag policy',
    });
    await userEvent.type(within(dialog).getByLabelText('Name'), 'Cost center');
    await userEvent.type(within(dialog).getByLabelText('Key'), 'cost-center');
    await userEvent.type(
      within(dialog).getByLabelText('Aliases'),
      'costcenter',
    );
    await userEvent.click(
      within(dialog).getByLabelText('Required on every resource in scope'),
    );
    await userEvent.selectOptions(
      within(dialog).getByLabelText('Values'),
      'Matches a pattern',
    );
    await userEvent.click(within(dialog).getByLabelText('Pattern'));
    await userEvent.paste('cc-[0-9]{4}');
    await userEvent.selectOptions(
      within(dialog).getByLabelText('Inheritance'),
      'From the subscription',
    );
    jest
      .mocked(api.listTagPolicies)
      .mockResolvedValue([portalPolicy, declaredPolicy, created]);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create policy' }),
    );

    expect(api.createTagPolicy).toHaveBeenCalledWith({
      name: 'Cost center',
      key: 'cost-center',
      aliases: ['costcenter'],
      required: true,
      values: { kind: 'pattern', pattern: 'cc-[0-9]{4}' },
      inherit: 'subscription',
    });
    expect(await screen.findByText('Cost center')).toBeInTheDocument();
    expect(screen.getByText('Matches /cc-[0-9]{4}/')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await waitFor(() =>
      expect(api.getTagComplianceSummary).toHaveBeenCalledTimes(2),
    );
  });

  it("shows the backend's 400 in the dialog and keeps what was typed", async () => {
    const api = createApi({
      createTagPolicy: jest
        .fn()
        .mockRejectedValue(
          await responseError(
            400,
            'InputError',
            "A policy about the key 'owner' exists already (Owner is a catalog team)",
          ),
        ),
    });
    await renderPage(api);
    await screen.findByText('Owner is a catalog team');

    await userEvent.click(
      screen.getByRole('button', { name: 'Create tag policy' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Create tag policy',
    });
    await userEvent.type(within(dialog).getByLabelText('Name'), 'Owner again');
    await userEvent.type(within(dialog).getByLabelText('Key'), 'owner');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create policy' }),
    );

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      "Could not create the policy: A policy about the key 'owner' exists already (Owner is a catalog team)",
    );
    expect(within(dialog).getByLabelText('Name')).toHaveValue('Owner again');
  });

  it('deletes a portal policy after a confirmation', async () => {
    const api = createApi({
      deleteTagPolicy: jest.fn().mockResolvedValue(undefined),
    });
    await renderPage(api);
    await screen.findByText('Owner is a catalog team');

    await userEvent.click(
      screen.getByRole('button', { name: 'Delete Owner is a catalog team' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Delete tag policy',
    });
    jest.mocked(api.listTagPolicies).mockResolvedValue([declaredPolicy]);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Delete' }),
    );

    expect(api.deleteTagPolicy).toHaveBeenCalledWith('p-1');
    await waitFor(() =>
      expect(
        screen.queryByText('Owner is a catalog team'),
      ).not.toBeInTheDocument(),
    );
  });

  it("shows Azure Policy's tag assignments read-only, and says when none were found", async () => {
    await renderPage(createApi());

    const azure = await waitFor(() => tableTitled('Azure Policy assignments'));
    const row = rowOf('Require cost-center on rg-web', azure);
    expect(within(row).getByText('Resource group rg-web')).toBeInTheDocument();
    expect(
      within(row).getByText('Require a tag on resources'),
    ).toBeInTheDocument();
    expect(within(row).getByText('Requires the tag')).toBeInTheDocument();
    expect(within(row).getByText('cost-center')).toBeInTheDocument();
    expect(within(row).getByText('Not enforced')).toBeInTheDocument();
    expect(
      within(azure).queryByRole('button', { name: /edit|delete/i }),
    ).toBeNull();
  });

  it('says when Azure has no tag policy assignment, and when reading them needs access', async () => {
    await renderPage(
      createApi({ listAzureTagPolicies: jest.fn().mockResolvedValue([]) }),
    );
    expect(
      await screen.findByText(
        /No Azure Policy assignment about tags was found on the connected subscriptions/,
      ),
    ).toBeInTheDocument();
  });

  it('says when reading Azure Policy needs access', async () => {
    await renderPage(
      createApi({
        listAzureTagPolicies: jest
          .fn()
          .mockRejectedValue(
            await responseError(
              403,
              'NotAllowedError',
              'You may not read Azure policies',
            ),
          ),
      }),
    );
    expect(
      await screen.findByText(
        "Azure's tag policies need access: You may not read Azure policies",
      ),
    ).toBeInTheDocument();
  });
});
