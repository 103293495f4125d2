import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  azureTenantReadPermission,
  azureTenantSpendReadPermission,
  ShowbackReport,
  ShowbackRow,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import { DatabaseSpendStore } from '../spend/DatabaseSpendStore';
import {
  azureEntity,
  DATA_EUROPE,
  DATA_TEAM,
  JANE,
  PAYMENTS,
  PAYMENTS_TEAM,
  PLATFORM,
  PLATFORM_TEAM,
  prepareShowbackDatabase,
  RESOURCES,
  showbackOptions,
} from './__testUtils__/showbackFixture';
import { ShowbackOperations } from './ShowbackOperations';
import { UNALLOCATED_OWNER } from './showbackAllocation';
import { AuthorizePermissionRequest } from '@backstage/plugin-permission-common';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const caller = { credentials: mockCredentials.user('user:default/alice') };

/** The rows of a report as `month owner currency` → amount. */
function amounts(report: ShowbackReport): Record<string, number> {
  return Object.fromEntries(
    report.rows.map(r => [`${r.month} ${r.owner} ${r.currency}`, r.amount]),
  );
}

const row = (
  report: ShowbackReport,
  month: string,
  owner: string,
  currency = 'USD',
) =>
  report.rows.find(
    r => r.month === month && r.owner === owner && r.currency === currency,
  );

/** Whose each resource is, as the fixture's catalog says (owner tag only); the rest is unallocated. */
const EXPECTED_OWNER: Record<string, string> = {
  [RESOURCES.vm1.toLowerCase()]: PLATFORM_TEAM,
  [RESOURCES.db1.toLowerCase()]: PLATFORM_TEAM,
  [RESOURCES.eu1.toLowerCase()]: PLATFORM_TEAM,
  [RESOURCES.web.toLowerCase()]: DATA_TEAM,
  [RESOURCES.api.toLowerCase()]: JANE,
};

describe.each(databases.eachSupportedId())(
  'ShowbackOperations (%s)',
  databaseId => {
    let knex: Knex;
    let store: DatabaseSpendStore;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      store = await prepareShowbackDatabase(knex);
    });
    afterEach(() => releaseTestDatabase(knex));

    const report = (
      query: { from?: string; to?: string; owner?: string },
      options: Parameters<typeof showbackOptions>[1] = {},
    ) =>
      new ShowbackOperations(showbackOptions(store, options).operations).report(
        caller,
        query,
      );

    it('gives each team the spend of what it owns, to the cent, with amounts that go wrong in floating point', async () => {
      const result = await report({ from: '2026-10', to: '2026-11' });

      expect(result.from).toBe('2026-10');
      expect(result.to).toBe('2026-11');
      expect(amounts(result)).toEqual({
        // vm-1: 0.1 + 0.2 a day; db-1: 0.0041 a day (a fraction of a cent, which adds up over a month).
        [`2026-10 ${PLATFORM_TEAM} USD`]: 9.43,
        [`2026-10 ${PLATFORM_TEAM} EUR`]: 4.65,
        [`2026-10 ${DATA_TEAM} USD`]: 21.7,
        // Cost not tied to a resource, in a subscription whose entity Payments owns by tag.
        [`2026-10 ${PAYMENTS_TEAM} USD`]: 77.5,
        [`2026-10 ${JANE} USD`]: 10.23,
        [`2026-10 ${UNALLOCATED_OWNER} USD`]: 44.95,
        [`2026-10 ${UNALLOCATED_OWNER} EUR`]: 7.75,
        [`2026-11 ${PLATFORM_TEAM} USD`]: 9.12,
        [`2026-11 ${PLATFORM_TEAM} EUR`]: 4.5,
        [`2026-11 ${DATA_TEAM} USD`]: 21,
        [`2026-11 ${PAYMENTS_TEAM} USD`]: 75,
        [`2026-11 ${JANE} USD`]: 9.9,
        [`2026-11 ${UNALLOCATED_OWNER} USD`]: 43.5,
        [`2026-11 ${UNALLOCATED_OWNER} EUR`]: 7.5,
      });
      expect(result.totals).toEqual([
        { month: '2026-10', currency: 'EUR', amount: 12.4 },
        { month: '2026-10', currency: 'USD', amount: 163.81 },
        { month: '2026-11', currency: 'EUR', amount: 12 },
        { month: '2026-11', currency: 'USD', amount: 158.52 },
      ]);
      expect(row(result, '2026-11', PLATFORM_TEAM)?.resourceCount).toBe(2);
      expect(row(result, '2026-11', PAYMENTS_TEAM)?.resourceCount).toBe(0);
      // The default owner's network and the resource without an entity.
      expect(row(result, '2026-11', UNALLOCATED_OWNER)?.resourceCount).toBe(2);
      expect(result.notes.join(' ')).toMatch(/owner tag/);
      expect(result.notes.join(' ')).toMatch(/default owner/);
    });

    it('matches the stored spend rows: each owner its own resources, unallocated the rest, rows adding up to the totals', async () => {
      const result = await report({ from: '2026-10', to: '2026-11' });

      // Summed here from every stored row, in ten-thousandths (the fixture's amounts have at most 4 decimals).
      const expected = new Map<string, number>();
      const totals = new Map<string, number>();
      for (const stored of await knex('spend_daily').select()) {
        const month = String(stored.usage_date).slice(0, 7);
        const owner =
          EXPECTED_OWNER[stored.resource_key] ??
          (stored.resource_key === '' && stored.subscription_id === PAYMENTS
            ? PAYMENTS_TEAM
            : UNALLOCATED_OWNER);
        const units = Math.round(Number(stored.amount) * 10_000);
        const key = `${month} ${owner} ${stored.currency}`;
        expected.set(key, (expected.get(key) ?? 0) + units);
        const totalKey = `${month} ${stored.currency}`;
        totals.set(totalKey, (totals.get(totalKey) ?? 0) + units);
      }
      const cents = (units: number) => Math.round(units / 100) / 100;
      expect(amounts(result)).toEqual(
        Object.fromEntries(
          [...expected].map(([k, units]) => [k, cents(units)]),
        ),
      );
      expect(
        Object.fromEntries(
          result.totals.map(t => [`${t.month} ${t.currency}`, t.amount]),
        ),
      ).toEqual(
        Object.fromEntries([...totals].map(([k, units]) => [k, cents(units)])),
      );

      // Per month and currency, the rows add up to the total to the cent (summed in cents, as a reader checks).
      for (const total of result.totals) {
        const rows = result.rows.filter(
          r => r.month === total.month && r.currency === total.currency,
        );
        const sum = rows.reduce((s, r) => s + Math.round(r.amount * 100), 0);
        expect(sum).toBe(Math.round(total.amount * 100));
      }
    });

    it('never adds two currencies together', async () => {
      const result = await report({ from: '2026-11', to: '2026-11' });
      const platform = result.rows.filter(r => r.owner === PLATFORM_TEAM);
      expect(platform.map(r => [r.currency, r.amount])).toEqual([
        ['EUR', 4.5],
        ['USD', 9.12],
      ]);
      expect(result.totals.map(t => t.currency)).toEqual(['EUR', 'USD']);
    });

    it('leaves the spend of default-owned, entity-less and unannotated resources unallocated', async () => {
      // The Platform team owns everything now, but only vm-1 by tag; the rest fell back to it as the default owner,
      // or has an entity from before owner sources were annotated.
      const entities = [
        azureEntity(RESOURCES.vm1, PLATFORM_TEAM, 'tag'),
        azureEntity(RESOURCES.db1, PLATFORM_TEAM, 'default'),
        azureEntity(RESOURCES.web, PLATFORM_TEAM, undefined),
        azureEntity(RESOURCES.api, PLATFORM_TEAM, 'default'),
        azureEntity(`/subscriptions/${PAYMENTS}`, PLATFORM_TEAM, 'default'),
      ];
      const result = await report(
        { from: '2026-11', to: '2026-11' },
        { entities },
      );
      expect(amounts(result)).toEqual({
        [`2026-11 ${PLATFORM_TEAM} USD`]: 9,
        [`2026-11 ${UNALLOCATED_OWNER} USD`]: 149.52,
        [`2026-11 ${UNALLOCATED_OWNER} EUR`]: 12,
      });
      expect(row(result, '2026-11', UNALLOCATED_OWNER)?.resourceCount).toBe(5);
    });

    it('reads the whole catalog, page by page, with only the fields it needs', async () => {
      // More entities than one page holds; vm-1's is on the last page.
      const filler = Array.from({ length: 2100 }, (_, i) =>
        azureEntity(
          `/subscriptions/${PLATFORM}/resourceGroups/rg-filler/providers/Microsoft.Storage/storageAccounts/st${i}`,
          DATA_TEAM,
          'tag',
        ),
      );
      const { operations, catalog } = showbackOptions(store, {
        entities: [...filler, azureEntity(RESOURCES.vm1, JANE, 'tag')],
      });
      const queryEntities = jest.spyOn(catalog, 'queryEntities');
      const result = await new ShowbackOperations(operations).report(caller, {
        from: '2026-11',
        to: '2026-11',
      });

      expect(row(result, '2026-11', JANE)).toEqual({
        month: '2026-11',
        owner: JANE,
        currency: 'USD',
        amount: 9,
        resourceCount: 1,
      });
      expect(queryEntities.mock.calls.length).toBeGreaterThan(2);
      for (const [request] of queryEntities.mock.calls) {
        expect((request as any).fields).toEqual([
          'metadata.namespace',
          'metadata.annotations',
          'spec.owner',
        ]);
      }
      expect((queryEntities.mock.calls[0][0] as any).filter).toEqual({
        kind: 'resource',
        'metadata.annotations.azure-tenant.io/owner-source': 'tag',
      });
    });

    it('gives one month per row, for the months asked only', async () => {
      const result = await report({ from: '2026-11', to: '2027-01' });
      expect([...new Set(result.rows.map(r => r.month))]).toEqual(['2026-11']);
      expect(result.totals.map(t => t.month)).toEqual(['2026-11', '2026-11']);
    });

    it('says when spend has not been synced yet', async () => {
      await knex('spend_sync_state')
        .where('subscription_id', DATA_EUROPE)
        .update({ last_synced_at: null });
      const result = await report({ from: '2026-11', to: '2026-11' });
      expect(result.notes).toContain(
        `Spend of subscription ${DATA_EUROPE} has not been synced yet and is not included.`,
      );
    });

    describe('permissions', () => {
      const denyingSpendOf =
        (...owners: string[]) =>
        (request: AuthorizePermissionRequest) =>
          request.permission.name === azureTenantSpendReadPermission.name &&
          owners.includes(request.resourceRef!);
      const denyingTenantRead = (request: AuthorizePermissionRequest) =>
        request.permission.name === azureTenantReadPermission.name;

      it("asks once for the tenant and each owner's entity, with the caller's credentials", async () => {
        const { operations, permissions } = showbackOptions(store);
        await new ShowbackOperations(operations).report(caller, {
          from: '2026-11',
          to: '2026-11',
        });
        expect(permissions.authorize).toHaveBeenCalledTimes(1);
        const [requests, options] = permissions.authorize.mock
          .calls[0] as any[];
        expect(options.credentials).toBe(caller.credentials);
        expect(
          requests.map(
            (r: any) => `${r.permission.name} ${r.resourceRef ?? ''}`,
          ),
        ).toEqual(
          expect.arrayContaining([
            'azure-tenant.tenant.read ',
            `azure-tenant.spend.read ${PLATFORM_TEAM}`,
            `azure-tenant.spend.read ${DATA_TEAM}`,
            `azure-tenant.spend.read ${PAYMENTS_TEAM}`,
            `azure-tenant.spend.read ${JANE}`,
          ]),
        );
        expect(requests).toHaveLength(5);
      });

      it('leaves out the rows of owners whose spend the caller may not read', async () => {
        const result = await report(
          { from: '2026-11', to: '2026-11' },
          { denies: denyingSpendOf(DATA_TEAM, JANE) },
        );
        expect([...new Set(result.rows.map(r => r.owner))]).toEqual([
          PAYMENTS_TEAM,
          PLATFORM_TEAM,
          UNALLOCATED_OWNER,
        ]);
        // Unallocated is still the rest of everything, not of what the caller sees.
        expect(row(result, '2026-11', UNALLOCATED_OWNER)?.amount).toBe(43.5);
        expect(result.totals).toHaveLength(2);
        expect(result.notes.join(' ')).toMatch(/may not read/);
      });

      it('leaves out unallocated spend and the totals without tenant read', async () => {
        const result = await report(
          { from: '2026-11', to: '2026-11' },
          { denies: r => denyingTenantRead(r) || denyingSpendOf(JANE)(r) },
        );
        expect(result.rows.some(r => r.owner === UNALLOCATED_OWNER)).toBe(
          false,
        );
        expect(result.rows.some(r => r.owner === JANE)).toBe(false);
        expect(row(result, '2026-11', DATA_TEAM)?.amount).toBe(21);
        expect(result.totals).toEqual([]);
        expect(result.notes.join(' ')).toMatch(/azure-tenant\.tenant\.read/);
      });

      it('refuses a caller who may see nothing', async () => {
        await expect(
          report(
            { from: '2026-11', to: '2026-11' },
            {
              denies: r =>
                denyingTenantRead(r) ||
                denyingSpendOf(
                  PLATFORM_TEAM,
                  DATA_TEAM,
                  PAYMENTS_TEAM,
                  JANE,
                )(r),
            },
          ),
        ).rejects.toMatchObject({ name: 'NotAllowedError' });
      });

      it("gives only one owner's rows, when asked, with that owner's permission alone", async () => {
        const { operations, permissions } = showbackOptions(store, {
          denies: denyingTenantRead,
        });
        const result = await new ShowbackOperations(operations).report(caller, {
          from: '2026-10',
          to: '2026-11',
          // The catalog's shorthand for a group.
          owner: 'Platform',
        });
        expect(result.rows.map((r: ShowbackRow) => r.owner)).toEqual([
          PLATFORM_TEAM,
          PLATFORM_TEAM,
          PLATFORM_TEAM,
          PLATFORM_TEAM,
        ]);
        expect(result.totals).toEqual([]);
        const [requests] = permissions.authorize.mock.calls[0] as any[];
        expect(requests).toEqual([
          expect.objectContaining({ resourceRef: PLATFORM_TEAM }),
        ]);
      });

      it("refuses one owner's rows without that owner's permission, before reading anything", async () => {
        const { operations, catalog } = showbackOptions(store, {
          denies: denyingSpendOf(DATA_TEAM),
        });
        const queryEntities = jest.spyOn(catalog, 'queryEntities');
        await expect(
          new ShowbackOperations(operations).report(caller, {
            from: '2026-11',
            to: '2026-11',
            owner: DATA_TEAM,
          }),
        ).rejects.toMatchObject({
          name: 'NotAllowedError',
          message: `You may not see the spend of ${DATA_TEAM}`,
        });
        expect(queryEntities).not.toHaveBeenCalled();
      });
    });

    describe('bad input', () => {
      it.each([
        [{ to: '2026-11' }, /from is required/],
        [{ from: '2026-11' }, /to is required/],
        [{ from: '2026-13', to: '2026-11' }, /from must be a month YYYY-MM/],
        [{ from: '2026-11-01', to: '2026-11' }, /from must be a month YYYY-MM/],
        [{ from: '2026-11', to: 'last' }, /to must be a month YYYY-MM/],
        [
          { from: '2026-11', to: '2026-10' },
          /from \(2026-11\) must not be after to \(2026-10\)/,
        ],
        [
          { from: '2024-11', to: '2026-11' },
          /at most 24 months; from 2024-11 to 2026-11 is 25 months/,
        ],
        [
          {
            from: '2026-11',
            to: '2026-11',
            owner: 'component:default/checkout',
          },
          /owner must be a group or a user/,
        ],
        [
          { from: '2026-11', to: '2026-11', owner: ':::' },
          /owner must be an entity reference/,
        ],
        [
          {
            from: '2026-11',
            to: '2026-11',
            owner: 'group:default/pay\u0000ments',
          },
          /control character/,
        ],
        [
          { from: '2026-11', to: '2026-11', owner: ['a', 'b'] },
          /owner must be given once/,
        ],
        [
          {
            from: '2026-11',
            to: '2026-11',
            owner: 'group:default/pay\u200bments',
          },
          /'group:default\/pay\\u200bments' is not a valid entity reference/,
        ],
        [
          { from: '2026-11', to: '2026-11', owner: 'group:default/team a' },
          /owner must name a catalog group or user/,
        ],
      ])('refuses %j', async (query, message) => {
        await expect(report(query as any)).rejects.toMatchObject({
          name: 'InputError',
          message: expect.stringMatching(message),
        });
      });

      it('takes 24 months', async () => {
        const result = await report({ from: '2024-12', to: '2026-11' });
        expect(result.totals).toHaveLength(4);
      });
    });

    it('has no rows for months without spend', async () => {
      const result = await report({ from: '2025-01', to: '2025-12' });
      expect(result.rows).toEqual([]);
      expect(result.totals).toEqual([]);
    });
  },
);
