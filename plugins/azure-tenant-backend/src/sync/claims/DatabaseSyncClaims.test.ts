import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { migrateDatabase } from '../../database/migrations';
import { DatabaseSyncClaims } from './DatabaseSyncClaims';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const ids = Array.from({ length: 40 }, (_, i) => `sub-${i}`);
const leaseMs = 60_000;

describe.each(databases.eachSupportedId())(
  'DatabaseSyncClaims, on %s',
  databaseId => {
    let knex: Knex;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await migrateDatabase(knex);
    });

    it('gives each subscription to one of the replicas that race for it', async () => {
      const replicas = ['a', 'b', 'c'].map(id => ({
        id,
        claims: new DatabaseSyncClaims(knex),
      }));
      const now = new Date();
      const free = await replicas[0].claims.listFree(ids, now);

      const claimed = await Promise.all(
        replicas.map(r => r.claims.claim(r.id, free, { now, leaseMs })),
      );

      expect(claimed.flat().sort()).toEqual([...ids].sort());
      expect(await replicas[0].claims.listFree(ids, now)).toEqual([]);
    });

    it('a claim read before another replica synced and released the subscription fails', async () => {
      const [a, b] = [
        new DatabaseSyncClaims(knex),
        new DatabaseSyncClaims(knex),
      ];
      const now = new Date();
      const seenByB = await b.listFree(['s'], now);
      expect(
        await a.claim('a', await a.listFree(['s'], now), { now, leaseMs }),
      ).toEqual(['s']);
      await a.release('a', ['s']);

      expect(await b.claim('b', seenByB, { now, leaseMs })).toEqual([]);
      expect(
        await b.claim('b', await b.listFree(['s'], now), { now, leaseMs }),
      ).toEqual(['s']);
    });

    it('a lapsed lease frees the subscription; its old holder can neither renew nor release it', async () => {
      const claims = new DatabaseSyncClaims(knex);
      const then = new Date(Date.now() - 10_000);
      await claims.claim('dead', await claims.listFree(['s'], then), {
        now: then,
        leaseMs: 1_000,
      });
      const now = new Date();

      const free = await claims.listFree(['s'], now);
      expect(free).toHaveLength(1);
      expect(await claims.claim('alive', free, { now, leaseMs })).toEqual([
        's',
      ]);
      expect(await claims.renew('dead', ['s'], { now, leaseMs })).toEqual([]);
      await claims.release('dead', ['s']);
      expect(await claims.listFree(['s'], now)).toEqual([]);
      expect(await claims.renew('alive', ['s'], { now, leaseMs })).toEqual([
        's',
      ]);
    });
  },
);
