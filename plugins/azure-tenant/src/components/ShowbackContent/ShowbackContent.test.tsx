import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { ResponseError } from '@backstage/errors';
import { ShowbackReport } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantApi, azureTenantApiRef } from '../../api';
import { mockAzureTenantApi } from '../../__testUtils__/mockAzureTenantApi';
import { ShowbackContent } from './ShowbackContent';

const report: ShowbackReport = {
  from: '2025-02',
  to: '2025-03',
  rows: [
    {
      month: '2025-03',
      owner: 'group:default/team-a',
      currency: 'USD',
      amount: 1200.5,
      resourceCount: 10,
    },
    {
      month: '2025-03',
      owner: 'group:default/team-b',
      currency: 'USD',
      amount: 300,
      resourceCount: 3,
    },
    {
      month: '2025-03',
      owner: 'unallocated',
      currency: 'USD',
      amount: 99.5,
      resourceCount: 4,
    },
    {
      month: '2025-03',
      owner: 'group:default/team-a',
      currency: 'EUR',
      amount: 50,
      resourceCount: 1,
    },
    {
      month: '2025-02',
      owner: 'group:default/team-a',
      currency: 'USD',
      amount: 1000,
      resourceCount: 9,
    },
    {
      month: '2025-02',
      owner: 'unallocated',
      currency: 'USD',
      amount: 0.25,
      resourceCount: 1,
    },
  ],
  totals: [
    { month: '2025-03', currency: 'USD', amount: 1600 },
    { month: '2025-03', currency: 'EUR', amount: 50 },
    { month: '2025-02', currency: 'USD', amount: 1000.25 },
  ],
  notes: [
    'Spend is allocated to the owner of each resource when its owner tag names a catalog group or user.',
  ],
};

function money(amount: number, currency: string) {
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency,
  }).format(amount);
}

function monthName(month: string) {
  const [year, monthNumber] = month.split('-').map(Number);
  return new Intl.DateTimeFormat(undefined, {
    month: 'long',
    year: 'numeric',
  }).format(new Date(year, monthNumber - 1, 1));
}

/** `YYYY-MM` of the month `offset` months from this one. */
function monthFromNow(offset: number) {
  const now = new Date();
  const date = new Date(now.getFullYear(), now.getMonth() + offset, 1);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(
    2,
    '0',
  )}`;
}

async function errorOf(status: number, name: string, message: string) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name, message },
        response: { statusCode: status },
      }),
      { status, headers: { 'Content-Type': 'application/json' } },
    ),
  );
}

/** The text of each row of a month's table, cells joined by `|`. */
function rowsOf(month: string): string[] {
  const section = screen.getByRole('region', {
    name: `Showback for ${monthName(month)}`,
  });
  return within(section)
    .getAllByRole('row')
    .slice(1)
    .map(row =>
      within(row)
        .getAllByRole('cell')
        .map(cell => cell.textContent)
        .join('|'),
    );
}

async function renderContent(api: AzureTenantApi, owner?: string) {
  await renderInTestApp(
    <TestApiProvider apis={[[azureTenantApiRef, api]]}>
      <ShowbackContent owner={owner} />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

const unallocatedHint =
  'Spend no team owns: resources without a valid owner tag. Set their owner tag to a catalog group or user to allocate it.';

describe('ShowbackContent', () => {
  it('asks for the last three months and shows each month, newest first, with owners, unallocated spend and totals per currency', async () => {
    const api = mockAzureTenantApi({
      getShowback: jest.fn().mockResolvedValue(report),
    });
    await renderContent(api);

    const march = await screen.findByRole('region', {
      name: `Showback for ${monthName('2025-03')}`,
    });
    expect(api.getShowback).toHaveBeenCalledWith({
      from: monthFromNow(-2),
      to: monthFromNow(0),
    });
    expect(
      screen
        .getAllByRole('region', { name: /^Showback for / })
        .map(section => section.getAttribute('aria-label')),
    ).toEqual([
      `Showback for ${monthName('2025-03')}`,
      `Showback for ${monthName('2025-02')}`,
    ]);

    // USD and EUR apart, each with its own total; largest spend first.
    expect(rowsOf('2025-03')).toEqual([
      'In EUR',
      `team-a|${money(50, 'EUR')}|100%|1`,
      `Total in EUR|${money(50, 'EUR')}|100%|1`,
      'In USD',
      `team-a|${money(1200.5, 'USD')}|75%|10`,
      `team-b|${money(300, 'USD')}|18.8%|3`,
      `Unallocated${unallocatedHint}|${money(99.5, 'USD')}|6.2%|4`,
      `Total in USD|${money(1600, 'USD')}|100%|17`,
    ]);
    expect(within(march).queryByText(money(1650, 'USD'))).toBeNull();
    expect(
      within(march).getAllByRole('link', { name: 'team-a' })[0],
    ).toHaveAttribute('href', '/catalog/default/group/team-a');
    expect(rowsOf('2025-02')).toEqual([
      `team-a|${money(1000, 'USD')}|100%|9`,
      `Unallocated${unallocatedHint}|${money(0.25, 'USD')}|0%|1`,
      `Total in USD|${money(1000.25, 'USD')}|100%|10`,
    ]);
    expect(screen.getByText(report.notes[0])).toBeInTheDocument();
  });

  it('sorts by amount, smallest first on a second click, and by owner', async () => {
    const api = mockAzureTenantApi({
      getShowback: jest.fn().mockResolvedValue({
        ...report,
        rows: report.rows.filter(row => row.currency === 'USD'),
        totals: report.totals.filter(total => total.currency === 'USD'),
      }),
    });
    await renderContent(api);
    await screen.findByRole('region', {
      name: `Showback for ${monthName('2025-03')}`,
    });
    const owners = () =>
      rowsOf('2025-03').map(row =>
        row.split('|')[0].replace(unallocatedHint, ''),
      );
    expect(owners()).toEqual([
      'team-a',
      'team-b',
      'Unallocated',
      'Total in USD',
    ]);

    await userEvent.click(
      within(
        screen.getByRole('region', {
          name: `Showback for ${monthName('2025-03')}`,
        }),
      ).getByRole('button', { name: 'Amount' }),
    );
    expect(owners()).toEqual([
      'Unallocated',
      'team-b',
      'team-a',
      'Total in USD',
    ]);

    await userEvent.click(
      within(
        screen.getByRole('region', {
          name: `Showback for ${monthName('2025-03')}`,
        }),
      ).getByRole('button', { name: 'Owner' }),
    );
    expect(owners()).toEqual([
      'team-a',
      'team-b',
      'Unallocated',
      'Total in USD',
    ]);
  });

  it("filters by team, keeping the month's total for its share", async () => {
    const api = mockAzureTenantApi({
      getShowback: jest.fn().mockResolvedValue(report),
    });
    await renderContent(api);
    await screen.findByRole('region', {
      name: `Showback for ${monthName('2025-03')}`,
    });

    const teamSelect = screen.getByLabelText('Team');
    expect(
      within(teamSelect)
        .getAllByRole('option')
        .map(option => option.textContent),
    ).toEqual(['All teams', 'team-a', 'team-b']);
    await userEvent.selectOptions(teamSelect, 'team-b');

    expect(rowsOf('2025-03')).toEqual([
      'In EUR',
      `Total in EUR|${money(50, 'EUR')}|100%|1`,
      'In USD',
      `team-b|${money(300, 'USD')}|18.8%|3`,
      `Total in USD|${money(1600, 'USD')}|100%|17`,
    ]);
    expect(rowsOf('2025-02')).toEqual([
      'No spend of team-b in this month.',
      `Total in USD|${money(1000.25, 'USD')}|100%|10`,
    ]);
    expect(api.getShowback).toHaveBeenCalledTimes(1);
  });

  it('downloads the CSV of the months shown, and of the chosen team, as a file', async () => {
    const blob = new Blob(['month,owner,currency,amount,resources\n'], {
      type: 'text/csv',
    });
    const api = mockAzureTenantApi({
      getShowback: jest.fn().mockResolvedValue(report),
      downloadShowbackCsv: jest.fn().mockResolvedValue(blob),
    });
    const createObjectURL = jest.fn(() => 'blob:showback');
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    const saved: string[] = [];
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        saved.push(this.download);
      });

    try {
      await renderContent(api);
      await screen.findByRole('region', {
        name: `Showback for ${monthName('2025-03')}`,
      });
      const from = monthFromNow(-2);
      const to = monthFromNow(0);

      await userEvent.click(
        screen.getByRole('button', { name: /Download CSV/ }),
      );
      await waitFor(() => expect(saved).toHaveLength(1));
      expect(api.downloadShowbackCsv).toHaveBeenLastCalledWith({ from, to });
      expect(createObjectURL).toHaveBeenCalledWith(blob);
      expect(saved[0]).toBe(`showback-${from}-to-${to}.csv`);

      await userEvent.selectOptions(screen.getByLabelText('Team'), 'team-a');
      await userEvent.click(
        screen.getByRole('button', { name: /Download CSV/ }),
      );
      await waitFor(() => expect(saved).toHaveLength(2));
      expect(api.downloadShowbackCsv).toHaveBeenLastCalledWith({
        from,
        to,
        owner: 'group:default/team-a',
      });
      expect(saved[1]).toBe(`showback-team-a-${from}-to-${to}.csv`);
    } finally {
      click.mockRestore();
    }
  });

  it("shows the backend's sentence when the user may not see showback", async () => {
    const api = mockAzureTenantApi({
      getShowback: jest
        .fn()
        .mockRejectedValue(
          await errorOf(
            403,
            'NotAllowedError',
            'You may not read the spend of any owner',
          ),
        ),
    });
    await renderContent(api);

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load the showback: You may not read the spend of any owner',
    );
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('asks again for the months chosen, and not at all for a range that ends before it starts', async () => {
    const api = mockAzureTenantApi({
      getShowback: jest.fn().mockResolvedValue(report),
    });
    await renderContent(api);
    await screen.findByRole('region', {
      name: `Showback for ${monthName('2025-03')}`,
    });

    fireEvent.change(screen.getByLabelText('From'), {
      target: { value: '2024-01' },
    });
    await waitFor(() =>
      expect(api.getShowback).toHaveBeenLastCalledWith({
        from: '2024-01',
        to: monthFromNow(0),
      }),
    );

    fireEvent.change(screen.getByLabelText('To'), {
      target: { value: '2023-12' },
    });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The first month is after the last month.',
    );
    expect(api.getShowback).toHaveBeenCalledTimes(2);
    expect(screen.getByRole('button', { name: /Download CSV/ })).toBeDisabled();
  });

  it("shows one owner's spend without the team filter", async () => {
    const api = mockAzureTenantApi({
      getShowback: jest.fn().mockResolvedValue({
        ...report,
        rows: report.rows.filter(row => row.owner === 'group:default/team-b'),
        totals: [],
      }),
    });
    await renderContent(api, 'group:default/team-b');

    await screen.findByRole('region', {
      name: `Showback for ${monthName('2025-03')}`,
    });
    expect(api.getShowback).toHaveBeenCalledWith(
      expect.objectContaining({ owner: 'group:default/team-b' }),
    );
    expect(screen.queryByLabelText('Team')).not.toBeInTheDocument();
    expect(rowsOf('2025-03')).toEqual([`team-b|${money(300, 'USD')}|—|3`]);
    expect(rowsOf('2025-02')).toEqual(['No spend recorded in this month.']);
  });

  it('says when no spend is recorded in the months', async () => {
    const api = mockAzureTenantApi({
      getShowback: jest
        .fn()
        .mockResolvedValue({ ...report, rows: [], totals: [] }),
    });
    await renderContent(api);

    expect(
      await screen.findByText('No spend recorded in these months'),
    ).toBeInTheDocument();
  });
});
