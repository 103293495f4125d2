import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { migrateDatabase } from '../../database/migrations';
import { DatabaseQuotaBudget } from './DatabaseQuotaBudget';
import { QuotaLimit } from './QuotaBudget';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'DatabaseQuotaBudget, on %s',
  databaseId => {
    let knex: Knex;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await migrateDatabase(knex);
    });

    it('two budgets on one database never hand out more than the capacity plus the refill', async () => {
      const limit: QuotaLimit = { capacity: 5, refillPerSecond: 10 };
      const budgets = [
        new DatabaseQuotaBudget(knex),
        new DatabaseQuotaBudget(knex),
      ];
      const started = Date.now();
      const grantedAt: number[] = [];

      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          budgets[i % 2]
            .take([{ key: 'arm-read|t|p|s', limit, cost: 1 }])
            .then(() => grantedAt.push(Date.now())),
        ),
      );

      expect(grantedAt).toHaveLength(30);
      grantedAt.sort((a, b) => a - b);
      grantedAt.forEach((at, index) => {
        const allowed =
          limit.capacity + ((at - started) / 1000) * limit.refillPerSecond;
        expect(index + 1).toBeLessThanOrEqual(Math.floor(allowed) + 1e-9);
      });
      // 25 tokens beyond the first 5 need 2.5 s of refill at least.
      expect(grantedAt[29] - started).toBeGreaterThanOrEqual(2400);
    });

    it('takes the tokens of several buckets all at once or not at all', async () => {
      const budget = new DatabaseQuotaBudget(knex);
      const full: QuotaLimit = { capacity: 10, refillPerSecond: 1 };
      const slow: QuotaLimit = { capacity: 1, refillPerSecond: 2 };
      await budget.take([{ key: 'slow', limit: slow, cost: 1 }]);

      // The slow bucket is empty: the take waits for it, and the full one is charged only once both hold the tokens.
      const waited = await budget.take([
        { key: 'full', limit: full, cost: 3 },
        { key: 'slow', limit: slow, cost: 1 },
      ]);

      expect(waited).toBeGreaterThan(0);
      const rows = await knex('quota_buckets').orderBy('bucket_key');
      expect(rows.map(r => r.bucket_key)).toEqual(['full', 'slow']);
      expect(Number(rows[0].tokens)).toBeCloseTo(7, 0);
    });

    it('a bucket another replica emptied makes this one wait', async () => {
      const limit: QuotaLimit = { capacity: 2, refillPerSecond: 4 };
      const [a, b] = [
        new DatabaseQuotaBudget(knex),
        new DatabaseQuotaBudget(knex),
      ];
      await a.take([{ key: 'k', limit, cost: 2 }]);

      const waited = await b.take([{ key: 'k', limit, cost: 1 }]);

      expect(waited).toBeGreaterThanOrEqual(200);
    });

    it('a caller that gave up while waiting takes nothing', async () => {
      const limit: QuotaLimit = { capacity: 1, refillPerSecond: 0.5 };
      const budget = new DatabaseQuotaBudget(knex);
      await budget.take([{ key: 'k', limit, cost: 1 }]);
      const controller = new AbortController();

      const waiting = budget.take([{ key: 'k', limit, cost: 1 }], {
        signal: controller.signal,
      });
      controller.abort();

      await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
      const [row] = await knex('quota_buckets').where({ bucket_key: 'k' });
      expect(Number(row.tokens)).toBeLessThan(1);
    });
  },
);
