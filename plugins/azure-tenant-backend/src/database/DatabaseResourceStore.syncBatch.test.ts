import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import { DatabaseAzureTenantStore } from './DatabaseAzureTenantStore';
import { DatabaseResourceStore } from './DatabaseResourceStore';
import { migrateDatabase } from './migrations';
import { SubscriptionSyncResult, SyncedResource } from './ResourceStore';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const TENANT = '7d3c2b1a-0000-4000-8000-000000000002';
const S1 = '0b0e7f4c-1a2b-4c3d-8e9f-0000000000c1';
const S2 = '0b0e7f4c-1a2b-4c3d-8e9f-0000000000c2';
const S3 = '0b0e7f4c-1a2b-4c3d-8e9f-0000000000c3';
const LISTED = new Date('2026-12-01T10:00:00Z');
const FED = new Date('2026-12-01T11:00:00Z');

function resource(
  subscriptionId: string,
  name: string,
  version = 1,
): SyncedResource {
  const resourceId = `/subscriptions/${subscriptionId}/resourceGroups/rg-app/providers/Microsoft.Storage/storageAccounts/${name}`;
  return {
    key: resourceId.toLowerCase(),
    resourceId,
    subscriptionId,
    tenantId: TENANT,
    resourceGroup: 'rg-app',
    name,
    type: 'Microsoft.Storage/storageAccounts',
    location: 'westeurope',
    tags: { version: String(version) },
    contentHash: `${name}-${subscriptionId}-v${version}`,
  };
}

const GROUPS = [{ name: 'rg-app', location: 'westeurope', tags: { a: '1' } }];

/** Three subscriptions listed in full (3, 2 and 1 resources), their counts recorded as the sync service does. */
async function listedInFull(knex: Knex) {
  await migrateDatabase(knex);
  const tenants = new DatabaseAzureTenantStore(knex);
  const store = new DatabaseResourceStore(knex);
  await tenants.register(
    { tenantId: TENANT, source: 'config', at: LISTED },
    [S1, S2, S3].map(subscriptionId => ({
      subscriptionId,
      tenantId: TENANT,
      displayName: subscriptionId,
      source: 'config' as const,
      grantedRoles: [],
      roleStatus: 'unknown' as const,
      initialSyncMode: 'read-write-tags' as const,
      at: LISTED,
    })),
  );
  const listing: Array<[string, string[]]> = [
    [S1, ['one', 'two', 'three']],
    [S2, ['four', 'five']],
    [S3, ['six']],
  ];
  for (const [subscriptionId, names] of listing) {
    await store.applySync({
      subscriptionId,
      upserts: names.map(name => resource(subscriptionId, name)),
      removedKeys: [],
      resourceGroups: GROUPS,
      purgePortalTags: false,
      changeFeed: {
        cursor: LISTED.toISOString(),
        fullListing: { at: LISTED.toISOString(), settings: 'read-write-tags' },
      },
      resourceCount: names.length,
      startedAt: LISTED,
      finishedAt: LISTED,
    });
    await tenants.recordSyncOutcome({
      subscriptionId,
      status: 'succeeded',
      resourceCount: names.length,
      startedAt: LISTED,
      finishedAt: LISTED,
    });
  }
  return { store, tenants };
}

/** A batch as the change feed brings it: a bit of everything, and one subscription with nothing new. */
function feedBatch(): SubscriptionSyncResult[] {
  const common = {
    purgePortalTags: false,
    resourceCount: 0,
    startedAt: FED,
    finishedAt: FED,
  };
  return [
    {
      ...common,
      subscriptionId: S1,
      // One changed, one new; one gone, and one that was never stored.
      upserts: [resource(S1, 'two', 2), resource(S1, 'seven')],
      removedKeys: [resource(S1, 'three').key, resource(S1, 'never').key],
      resourceGroups: [...GROUPS, { name: 'rg-new', location: 'northeurope' }],
      changeFeed: { cursor: '2026-12-01T10:55:00.000Z' },
    },
    {
      ...common,
      subscriptionId: S2,
      upserts: [],
      removedKeys: [],
      resourceGroups: GROUPS,
      changeFeed: { cursor: '2026-12-01T10:56:00.000Z' },
    },
    {
      ...common,
      subscriptionId: S3,
      upserts: [],
      removedKeys: [resource(S3, 'six').key],
      changeFeed: { cursor: '2026-12-01T10:57:00.000Z' },
    },
  ];
}

/** What the tables hold, without the revisions (compared on their own) and in a stable order. */
async function contents(knex: Knex) {
  return {
    resources: await knex('resources')
      .orderBy('resource_key')
      .select(
        'resource_key',
        'subscription_id',
        'name',
        'tags',
        'content_hash',
        'synced_at',
      ),
    tombstones: await knex('resource_tombstones')
      .orderBy('resource_key')
      .select('resource_key', 'subscription_id'),
    groups: await knex('resource_groups')
      .orderBy(['subscription_id', 'name'])
      .select('subscription_id', 'name', 'location', 'tags'),
    cursors: await knex('resource_change_cursors')
      .orderBy('subscription_id')
      .select('subscription_id', 'change_cursor', 'full_listing_at'),
  };
}

describe.each(databases.eachSupportedId())(
  'DatabaseResourceStore.applySyncBatch (%s)',
  databaseId => {
    const opened: Knex[] = [];
    afterEach(async () => {
      for (const knex of opened.splice(0)) await releaseTestDatabase(knex);
    });
    const open = async () => {
      const knex = await databases.init(databaseId);
      opened.push(knex);
      return knex;
    };

    it('stores a batch as each result stored on its own would, with counts kept in step rather than counted', async () => {
      const batched = await open();
      const alone = await open();
      const { store, tenants } = await listedInFull(batched);
      const oracle = await listedInFull(alone);
      const revisionBefore = Number(
        (await batched('sync_counters').where({ name: 'revision' }).first())
          .value,
      );

      const answers = await store.applySyncBatch(feedBatch());
      const expected = [];
      for (const result of feedBatch()) {
        expected.push(await oracle.store.applySync(result));
      }

      expect(await contents(batched)).toEqual(await contents(alone));
      expect(answers.map(a => ('changed' in a ? a.changed : a))).toEqual(
        expected.map(a => a.changed),
      );
      expect(
        answers.map(a => ('resourceCount' in a ? a.resourceCount : a)),
      ).toEqual([3, 2, 0]);
      // The counts are the rows there are, and the subscriptions' recorded counts moved with the writes.
      for (const [subscriptionId, count] of [
        [S1, 3],
        [S2, 2],
        [S3, 0],
      ] as const) {
        expect(
          Number(
            (
              await batched('resources')
                .where({ subscription_id: subscriptionId })
                .count({ count: '*' })
            )[0].count,
          ),
        ).toBe(count);
        expect(
          Number(
            (
              await batched('subscriptions')
                .where({ subscription_id: subscriptionId })
                .first('resource_count')
            ).resource_count,
          ),
        ).toBe(count);
      }

      // Revisions: new ones for every write, increasing in the batch's order; none for a result without writes.
      const [first, second, third] = answers as Array<{ revision: number }>;
      expect(first.revision).toBeGreaterThan(revisionBefore);
      expect(second.revision).toBe(0);
      expect(third.revision).toBeGreaterThan(first.revision);
      const written = await batched('resources')
        .where('revision', '>', revisionBefore)
        .orderBy('revision')
        .pluck('name');
      expect(written).toEqual(['two', 'seven']);
      const tombstones = (
        await batched('resource_tombstones')
          .where('revision', '>', revisionBefore)
          .orderBy('revision')
          .pluck('revision')
      ).map(Number);
      expect(tombstones).toHaveLength(2);
      expect(tombstones[0]).toBeLessThanOrEqual(first.revision);
      expect(tombstones[1]).toBe(third.revision);
      expect((await tenants.listSubscriptions()).length).toBe(3);
    });

    it('falls back to each result on its own when the batch cannot be stored together: the failing one alone is answered with its error', async () => {
      const knex = await open();
      const { store } = await listedInFull(knex);
      const batch = feedBatch();
      // A row the database refuses (a resource must have a name).
      batch[2] = {
        ...batch[2],
        upserts: [
          { ...resource(S3, 'broken'), name: null as unknown as string },
        ],
      };
      const before = await contents(knex);

      const answers = await store.applySyncBatch(batch);

      expect(answers[0]).toMatchObject({ changed: 4, resourceCount: 3 });
      expect(answers[1]).toMatchObject({ changed: 0, resourceCount: 2 });
      // The database's own error (better-sqlite3's errors are not this realm's Error).
      expect(Object.keys(answers[2])).toEqual(['error']);
      expect(String((answers[2] as { error: unknown }).error)).toMatch(
        /not[ -]null/i,
      );
      const after = await contents(knex);
      // S3 kept its last good state and its cursor.
      expect(after.resources.filter(r => r.subscription_id === S3)).toEqual(
        before.resources.filter(r => r.subscription_id === S3),
      );
      expect(after.cursors.find(c => c.subscription_id === S3)).toEqual(
        before.cursors.find(c => c.subscription_id === S3),
      );
      expect(after.cursors.find(c => c.subscription_id === S1)).toMatchObject({
        change_cursor: '2026-12-01T10:55:00.000Z',
      });
      expect(after.resources.map(r => r.name)).toContain('seven');
    });
  },
);
