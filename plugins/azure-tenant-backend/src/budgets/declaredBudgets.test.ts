import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { isAzureTenantConfigError } from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import { migrateDatabase } from '../database/migrations';
import { testBudget } from './__testUtils__/budgetTestData';
import { DatabaseBudgetStore } from './DatabaseBudgetStore';
import { readDeclaredBudgets, syncDeclaredBudgets } from './declaredBudgets';

jest.setTimeout(60_000);

const SUBSCRIPTION = '3f1c2a4e-8b7d-4c6a-9e5f-1a2b3c4d5e6f';
const T0 = new Date('2026-11-01T00:00:00Z');
const T1 = new Date('2026-11-02T00:00:00Z');

const entry = (fields: Record<string, unknown> = {}) => ({
  id: 'platform-monthly',
  name: 'Platform',
  scope: { kind: 'subscription', subscriptionId: SUBSCRIPTION },
  amount: 1000,
  currency: 'USD',
  period: { type: 'monthly' },
  owner: 'team-a',
  ...fields,
});

const configOf = (declared: unknown[]) =>
  new ConfigReader({
    azureTenant: { budgets: { declared: declared as JsonObject[] } },
  });

describe('readDeclaredBudgets', () => {
  it('reads each entry with the rules of POST /budgets, as a read-only budget', () => {
    expect(readDeclaredBudgets(configOf([entry()]), T0)).toEqual([
      {
        id: 'platform-monthly',
        name: 'Platform',
        scope: { kind: 'subscription', subscriptionId: SUBSCRIPTION },
        amount: 1000,
        currency: 'USD',
        period: { type: 'monthly' },
        thresholds: [
          { type: 'actual', percent: 50 },
          { type: 'actual', percent: 80 },
          { type: 'actual', percent: 100 },
          { type: 'forecast', percent: 100 },
        ],
        owner: 'group:default/team-a',
        source: 'config',
        createdAt: T0.toISOString(),
        updatedAt: T0.toISOString(),
      },
    ]);
    expect(readDeclaredBudgets(new ConfigReader({}), T0)).toEqual([]);
  });

  it.each([
    ['an id in capitals', entry({ id: 'Platform' }), 'id must be lowercase'],
    ['a GUID as id', entry({ id: SUBSCRIPTION }), 'id must not be a GUID'],
    ['no owner', entry({ owner: undefined }), 'owner: Required'],
    ['an amount of 0', entry({ amount: 0 }), 'amount must be at least 0.01'],
    [
      'an unknown field',
      entry({ budget: 5 }),
      "Unrecognized key(s) in object: 'budget'",
    ],
    [
      'a custom group without members',
      entry({ scope: { kind: 'customGroup', name: 'x' } }),
      'scope must hold at least one member',
    ],
  ])('stops at %s, naming the entry and the field', (_name, bad, problem) => {
    const config = configOf([entry({ id: 'first' }), bad]);
    let error: unknown;
    try {
      readDeclaredBudgets(config, T0);
    } catch (e) {
      error = e;
    }
    expect(isAzureTenantConfigError(error)).toBe(true);
    expect((error as Error).message).toContain(
      'azureTenant.budgets.declared[1]',
    );
    expect((error as Error).message).toContain(problem);
  });

  it('stops at an id given twice', () => {
    expect(() =>
      readDeclaredBudgets(configOf([entry(), entry({ name: 'Again' })]), T0),
    ).toThrow(
      /azureTenant\.budgets\.declared\[1\] \(platform-monthly\) has the id of an earlier entry/,
    );
  });
});

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'syncDeclaredBudgets (%s)',
  databaseId => {
    let knex: Knex;
    let store: DatabaseBudgetStore;
    const logger = mockServices.logger.mock();

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await migrateDatabase(knex);
      store = new DatabaseBudgetStore(knex);
    });
    afterEach(() => releaseTestDatabase(knex));

    const sync = (declared: unknown[], now: Date) =>
      syncDeclaredBudgets({ config: configOf(declared), store, logger, now });

    it("makes the declared budgets those of the config, keeping the portal's own and a mute", async () => {
      const portal = testBudget('a5b0c3d2-1111-4222-8333-944455556666', {
        scope: { kind: 'subscription', subscriptionId: SUBSCRIPTION },
        amount: 5,
      });
      await store.create(portal);
      await sync(
        [entry(), entry({ id: 'data', name: 'Data' }), entry({ id: 'old' })],
        T0,
      );
      await store.setMutedUntil(
        'platform-monthly',
        '2026-12-01T00:00:00.000Z',
        T0.toISOString(),
      );

      // A day later: `old` is gone from the config, `data` changed, `platform-monthly` did not.
      await sync(
        [entry(), entry({ id: 'data', name: 'Data', amount: 2000 })],
        T1,
      );

      const budgets = await store.list();
      expect(budgets.map(b => [b.id, b.source])).toEqual([
        ['a5b0c3d2-1111-4222-8333-944455556666', 'portal'],
        ['data', 'config'],
        ['platform-monthly', 'config'],
      ]);
      expect(await store.get(portal.id)).toEqual(portal);
      expect(await store.get('data')).toMatchObject({
        amount: 2000,
        createdAt: T0.toISOString(),
        updatedAt: T1.toISOString(),
      });
      expect(await store.get('platform-monthly')).toMatchObject({
        mutedUntil: '2026-12-01T00:00:00.000Z',
        updatedAt: T0.toISOString(),
      });
    });

    it('can run on two replicas at once', async () => {
      const declared = [entry(), entry({ id: 'data' })];
      await Promise.all([sync(declared, T0), sync(declared, T0)]);
      expect((await store.list()).map(b => b.id)).toEqual([
        'data',
        'platform-monthly',
      ]);
    });

    it('stores nothing when an entry is wrong', async () => {
      await sync([entry()], T0);
      await expect(
        sync([entry({ id: 'other' }), entry({ amount: -1 })], T1),
      ).rejects.toThrow('azureTenant.budgets.declared[1]');
      expect((await store.list()).map(b => b.id)).toEqual(['platform-monthly']);
    });
  },
);
