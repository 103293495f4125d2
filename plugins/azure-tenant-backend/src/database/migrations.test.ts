import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseSpendStore } from '../spend/DatabaseSpendStore';
import { DatabaseAzureTenantStore } from './DatabaseAzureTenantStore';
import { DatabaseResourceStore } from './DatabaseResourceStore';
import { migrateDatabase } from './migrations';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('migrateDatabase (%s)', id => {
  it('leaves the schema to the operator when migrations are skipped', async () => {
    const knex = await databases.init(id);
    await migrateDatabase(knex, { skip: true });
    expect(await knex.schema.hasTable('subscriptions')).toBe(false);
  });

  it('makes a schema on which each store works without the others having been made', async () => {
    const knex = await databases.init(id);
    await migrateDatabase(knex);
    // Spend first: it reads subscriptions and resources that other stores own.
    expect(await new DatabaseSpendStore(knex).listSubscriptions()).toEqual([]);
    expect(
      await new DatabaseResourceStore(knex).listResources({ limit: 10 }),
    ).toEqual({ items: [], revision: 0 });
    expect(await new DatabaseAzureTenantStore(knex).listTenants()).toEqual([]);
  });

  it('runs again at the next start without changing what is stored', async () => {
    const knex = await databases.init(id);
    await migrateDatabase(knex);
    const at = new Date('2026-11-25T10:00:00Z');
    await new DatabaseAzureTenantStore(knex).register(
      { tenantId: 'tenant-1', source: 'config', at },
      [
        {
          subscriptionId: 'sub-1',
          tenantId: 'tenant-1',
          displayName: 'Subscription 1',
          source: 'config',
          grantedRoles: [],
          roleStatus: 'unknown',
          initialSyncMode: 'read-tags',
          at,
        },
      ],
    );
    await migrateDatabase(knex);
    expect(await new DatabaseSpendStore(knex).listSubscriptions()).toEqual([
      { subscriptionId: 'sub-1', tenantId: 'tenant-1', syncMode: 'read-tags' },
    ]);
  });
});
