import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseAzureTenantStore } from './DatabaseAzureTenantStore';
import { migrateDatabase } from './migrations';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const at = (minute: number) =>
  new Date(`2026-11-25T10:${String(minute).padStart(2, '0')}:00Z`);

describe.each(databases.eachSupportedId())(
  'DatabaseAzureTenantStore.recordSyncOutcome (%s)',
  id => {
    async function storeWithSubscription() {
      const knex = await databases.init(id);
      await migrateDatabase(knex);
      const store = new DatabaseAzureTenantStore(knex);
      await store.register(
        { tenantId: 'tenant-1', source: 'config', at: at(0) },
        [
          {
            subscriptionId: 'sub-1',
            tenantId: 'tenant-1',
            displayName: 'Subscription 1',
            source: 'config',
            grantedRoles: [],
            roleStatus: 'unknown',
            initialSyncMode: 'read-write-tags',
            at: at(0),
          },
        ],
      );
      return store;
    }

    it('answers the requests made before the sync started, and keeps one made while it ran', async () => {
      const store = await storeWithSubscription();
      await store.requestSync('sub-1', at(1));
      await store.recordSyncOutcome({
        subscriptionId: 'sub-1',
        status: 'succeeded',
        resourceCount: 3,
        startedAt: at(2),
        finishedAt: at(3),
      });
      expect(await store.getSubscription('sub-1')).toMatchObject({
        syncRequestedAt: undefined,
        lastSync: { status: 'succeeded', finishedAt: at(3).toISOString() },
      });

      await store.requestSync('sub-1', at(5));
      await store.recordSyncOutcome({
        subscriptionId: 'sub-1',
        status: 'succeeded',
        resourceCount: 3,
        startedAt: at(4),
        finishedAt: at(6),
      });
      expect((await store.getSubscription('sub-1'))?.syncRequestedAt).toBe(
        at(5).toISOString(),
      );
    });

    it('records a failure with its reason, and a later success clears it', async () => {
      const store = await storeWithSubscription();
      await store.recordSyncOutcome({
        subscriptionId: 'sub-1',
        status: 'failed',
        error: 'InvalidSkipToken: the page could not be read',
        startedAt: at(1),
        finishedAt: at(2),
      });
      expect((await store.getSubscription('sub-1'))?.lastSync).toEqual({
        status: 'failed',
        finishedAt: at(2).toISOString(),
        error: 'InvalidSkipToken: the page could not be read',
      });
      await store.recordSyncOutcome({
        subscriptionId: 'sub-1',
        status: 'succeeded',
        resourceCount: 0,
        startedAt: at(3),
        finishedAt: at(4),
      });
      expect((await store.getSubscription('sub-1'))?.lastSync).toEqual({
        status: 'succeeded',
        finishedAt: at(4).toISOString(),
      });
    });

    it("keeps the subscription's own tags from a successful sync, keeps them through a failed one, and drops them under no-tags", async () => {
      const store = await storeWithSubscription();
      await store.recordSyncOutcome({
        subscriptionId: 'sub-1',
        status: 'succeeded',
        resourceCount: 1,
        tags: { costCenter: 'CC-1001', env: 'prod' },
        startedAt: at(1),
        finishedAt: at(2),
      });
      expect((await store.getSubscription('sub-1'))?.tags).toEqual({
        costCenter: 'CC-1001',
        env: 'prod',
      });

      await store.recordSyncOutcome({
        subscriptionId: 'sub-1',
        status: 'failed',
        error: 'The subscription could not be read',
        startedAt: at(3),
        finishedAt: at(4),
      });
      const [listed] = await store.listSubscriptions();
      expect(listed.tags).toEqual({ costCenter: 'CC-1001', env: 'prod' });

      // A subscription without tags in Azure: known to have none.
      await store.recordSyncOutcome({
        subscriptionId: 'sub-1',
        status: 'succeeded',
        resourceCount: 1,
        tags: {},
        startedAt: at(5),
        finishedAt: at(6),
      });
      expect((await store.getSubscriptions(['sub-1']))[0].tags).toEqual({});

      await store.recordSyncOutcome({
        subscriptionId: 'sub-1',
        status: 'succeeded',
        resourceCount: 1,
        tags: { owner: 'team-platform' },
        startedAt: at(7),
        finishedAt: at(8),
      });
      await store.setSyncMode('sub-1', 'no-tags', at(9));
      expect(await store.getSubscription('sub-1')).not.toHaveProperty('tags');
      // Back to a mode that keeps tags: none until the next sync reads them.
      await store.setSyncMode('sub-1', 'read-tags', at(10));
      expect(await store.getSubscription('sub-1')).not.toHaveProperty('tags');
    });
  },
);
