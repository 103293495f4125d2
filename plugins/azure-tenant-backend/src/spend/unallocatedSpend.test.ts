import { TestDatabases } from '@backstage/backend-test-utils';
import { ResourceTagCompliance } from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import { compliance } from '../governance/complianceApi/__testUtils__/complianceFixture';
import { seedComplianceStore } from '../governance/complianceApi/__testUtils__/seedComplianceStore';
import { DatabaseSpendStore } from './DatabaseSpendStore';
import { NormalizedSpendQuery, SpendQueryService } from './SpendQueryService';
import { DailyCost, SpendScope } from './SpendStore';
import {
  DATA_EUROPE,
  PLATFORM,
  prepareSpendDatabase,
} from './__testUtils__/spendTestDatabase';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const NOW = new Date('2026-11-25T12:00:00Z');
const nov = (d: number) => `2026-11-${String(d).padStart(2, '0')}`;

// The platform subscription's resources, as the compliance evaluation found them.
const OWNED = compliance(PLATFORM, 'owned', {
  ownerRef: 'group:default/platform',
});
const UNOWNED = compliance(PLATFORM, 'unowned');
const UNOWNED_PART_TIME = compliance(PLATFORM, 'part-time');
const UNOWNED_IN_EUR = compliance(PLATFORM, 'billed-in-eur');
const UNOWNED_FREE = compliance(PLATFORM, 'free');
const EUROPE = compliance(DATA_EUROPE, 'eu', { unknown: true });

/**
 * 1 to 20 November: the owned resource 10 USD a day, an unowned one 5 USD, another unowned 2 USD on the first ten days
 * only, one billed 3 EUR a day, 1 USD a day not tied to a resource, and nothing for the unowned free one.
 */
function platformCosts(): DailyCost[] {
  const costs: DailyCost[] = [];
  for (let d = 1; d <= 20; d++) {
    const cost = (resourceId: string, amount: number, currency = 'USD') =>
      costs.push({
        date: nov(d),
        resourceId,
        serviceName: 'Web',
        location: 'westeurope',
        currency,
        amount,
      });
    cost(OWNED.resourceId, 10);
    cost(UNOWNED.resourceId, 5);
    if (d <= 10) cost(UNOWNED_PART_TIME.resourceId, 2);
    cost(UNOWNED_IN_EUR.resourceId, 3, 'EUR');
    cost('', 1);
  }
  return costs;
}

describe.each(databases.eachSupportedId())(
  'the unallocated spend of a subscription (%s)',
  databaseId => {
    let knex: Knex;
    let store: DatabaseSpendStore;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await prepareSpendDatabase(knex, [
        { subscriptionId: PLATFORM },
        { subscriptionId: DATA_EUROPE, syncMode: 'no-tags' },
      ]);
      store = new DatabaseSpendStore(knex);
      await store.replaceDays({
        subscriptionId: PLATFORM,
        from: nov(1),
        to: nov(20),
        costs: platformCosts(),
        at: NOW,
      });
      await store.replaceDays({
        subscriptionId: DATA_EUROPE,
        from: nov(1),
        to: nov(20),
        costs: [
          {
            date: nov(1),
            resourceId: EUROPE.resourceId,
            serviceName: 'Web',
            location: 'westeurope',
            currency: 'EUR',
            amount: 4,
          },
        ],
        at: NOW,
      });
      for (const subscriptionId of [PLATFORM, DATA_EUROPE]) {
        await store.recordSyncSuccess({ subscriptionId, at: NOW });
      }
    });
    afterEach(() => releaseTestDatabase(knex));

    async function service(evaluated: ResourceTagCompliance[] | 'none') {
      return new SpendQueryService({
        store,
        now: () => NOW,
        ...(evaluated === 'none'
          ? {}
          : { compliance: await seedComplianceStore(knex, evaluated, NOW) }),
      });
    }

    const everything = [
      OWNED,
      UNOWNED,
      UNOWNED_PART_TIME,
      UNOWNED_IN_EUR,
      UNOWNED_FREE,
      EUROPE,
    ];

    const subscriptionQuery = (
      subscriptionId: string,
    ): [NormalizedSpendQuery, SpendScope] => [
      {
        subscriptionId,
        from: nov(5),
        to: nov(14),
        granularity: 'day',
        groupBy: 'service',
        top: 5,
      },
      { subscriptionIds: [subscriptionId], resourceKeys: [] },
    ];

    it("adds up, per currency over the query's days, the spend of unowned resources and the spend of no resource", async () => {
      const report = await (
        await service(everything)
      ).report(...subscriptionQuery(PLATFORM));
      // USD: 10 days of 5, 6 days (5..10 November) of 2, 10 days of 1 not tied to a resource; EUR: 10 days of 3.
      expect(report.unallocated).toEqual([
        { currency: 'EUR', total: expect.closeTo(30, 6), resources: 1 },
        { currency: 'USD', total: expect.closeTo(72, 6), resources: 2 },
      ]);
      const usd = report.series.find(s => s.currency === 'USD')!;
      expect(usd.total).toBeCloseTo(172, 6);
    });

    it('says 0 for a currency with nothing unallocated', async () => {
      const owned = (item: ResourceTagCompliance) => ({
        ...item,
        ownerRef: 'group:default/platform',
      });
      const [query, scope] = subscriptionQuery(PLATFORM);
      const report = await (
        await service([
          OWNED,
          UNOWNED,
          owned(UNOWNED_PART_TIME),
          owned(UNOWNED_IN_EUR),
        ])
      ).report({ ...query, from: nov(15), to: nov(20) }, scope);
      expect(report.unallocated).toEqual([
        { currency: 'EUR', total: 0, resources: 0 },
        { currency: 'USD', total: expect.closeTo(36, 6), resources: 1 },
      ]);
    });

    it('has no unallocated part for a subscription whose tags are not kept', async () => {
      const report = await (
        await service(everything)
      ).report(...subscriptionQuery(DATA_EUROPE));
      expect(report.status).toBe('ok');
      expect(report).not.toHaveProperty('unallocated');
    });

    it("has none for a resource's or an entity's spend, only for a subscription's", async () => {
      const report = await (
        await service(everything)
      ).report(
        {
          resourceId: UNOWNED.resourceId,
          from: nov(5),
          to: nov(14),
          granularity: 'day',
          groupBy: 'service',
          top: 5,
        },
        {
          subscriptionIds: [],
          resourceKeys: [UNOWNED.resourceId.toLowerCase()],
        },
      );
      expect(report.series[0].total).toBeCloseTo(50, 6);
      expect(report).not.toHaveProperty('unallocated');
    });

    it("has none before the subscription's compliance is evaluated, and says when it comes", async () => {
      const report = await (
        await service([EUROPE])
      ).report(...subscriptionQuery(PLATFORM));
      expect(report).not.toHaveProperty('unallocated');
      expect(report.notes).toContainEqual(
        expect.stringMatching(/once the tag compliance .* has been evaluated/),
      );
    });

    it('has none without the compliance evaluation', async () => {
      const report = await (
        await service('none')
      ).report(...subscriptionQuery(PLATFORM));
      expect(report).not.toHaveProperty('unallocated');
    });
  },
);
