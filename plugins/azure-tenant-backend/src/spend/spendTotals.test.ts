import { migrationsConfig } from '../database/migrations';
import { TestDatabases } from '@backstage/backend-test-utils';
import { SpendReport } from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { DatabaseResourceStore } from '../database/DatabaseResourceStore';
import { DatabaseSpendStore, tagValueOf } from './DatabaseSpendStore';
import { NormalizedSpendQuery, SpendQueryService } from './SpendQueryService';
import { DailyCost, SpendDimension } from './SpendStore';
import {
  DATA_EUROPE,
  PLATFORM,
  prepareSpendDatabase,
  TENANT,
} from './__testUtils__/spendTestDatabase';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const NOW = new Date('2026-11-25T12:00:00Z');
const rid = (subscription: string, group: string, name: string) =>
  `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.Compute/virtualMachines/${name}`;
const VM1 = rid(PLATFORM, 'RG-Web', 'vm-1');
const VM2 = rid(PLATFORM, 'rg-web', 'vm-2');
const DB1 = rid(PLATFORM, 'rg-data', 'db-1');
const EU1 = rid(DATA_EUROPE, 'rg-eu', 'eu-1');
const nov = (d: number) => `2026-11-${String(d).padStart(2, '0')}`;

/** VM1 10/day, VM2 5/day, DB1 2/day (SQL Database) + 1/day (Storage), 1..20 November; EU1 7 EUR/day. */
function platformCosts(): DailyCost[] {
  const costs: DailyCost[] = [];
  for (let d = 1; d <= 20; d++) {
    const cost = (
      resourceId: string,
      serviceName: string,
      amount: number,
      location = 'westeurope',
    ) =>
      costs.push({
        date: nov(d),
        resourceId,
        serviceName,
        location,
        currency: 'USD',
        amount,
      });
    cost(VM1, 'Virtual Machines', 10);
    cost(VM2, 'Virtual Machines', 5, 'northeurope');
    cost(DB1, 'SQL Database', 2);
    cost(DB1, 'Storage', 1);
  }
  return costs;
}

/** Takes the next revision as the resource sync and the tag store do. */
async function nextRevision(knex: Knex): Promise<number> {
  await knex('sync_counters').where({ name: 'revision' }).increment('value', 1);
  const row = await knex('sync_counters').where({ name: 'revision' }).first();
  return Number(row.value);
}

async function insertResource(
  knex: Knex,
  id: string,
  subscription: string,
  tags: Record<string, string> | null,
) {
  await knex('resources').insert({
    resource_key: id.toLowerCase(),
    resource_id: id,
    subscription_id: subscription,
    tenant_id: TENANT,
    resource_group: 'rg',
    name: id.split('/').pop(),
    type: 'Microsoft.Compute/virtualMachines',
    location: 'westeurope',
    tags: tags ? JSON.stringify(tags) : null,
    content_hash: 'x',
    revision: await nextRevision(knex),
    synced_at: NOW.toISOString(),
  });
  // As the resource sync does: a resource that comes back is no longer a tombstone.
  await knex('resource_tombstones')
    .where({ resource_key: id.toLowerCase() })
    .delete();
}

/** Removes a resource as the resource sync does: a tombstone with a new revision. */
async function removeResource(knex: Knex, id: string) {
  const row = await knex('resources')
    .where({ resource_key: id.toLowerCase() })
    .first();
  await knex('resource_tombstones').insert({
    resource_key: row.resource_key,
    resource_id: row.resource_id,
    subscription_id: row.subscription_id,
    revision: await nextRevision(knex),
  });
  await knex('resources').where({ resource_key: row.resource_key }).delete();
}

describe.each(databases.eachSupportedId())('spend totals (%s)', databaseId => {
  let knex: Knex;
  let store: DatabaseSpendStore;
  let service: SpendQueryService;

  const report = (
    query: Partial<NormalizedSpendQuery>,
    scope = { subscriptionIds: [PLATFORM], resourceKeys: [] as string[] },
  ): Promise<SpendReport> =>
    service.report(
      {
        from: nov(1),
        to: nov(20),
        granularity: 'day',
        groupBy: 'service',
        top: 50,
        ...query,
      },
      scope,
    );
  const groups = async (query: Partial<NormalizedSpendQuery>) =>
    (await report(query)).series[0].groups.map(g => [g.key, g.total]);
  /** The same, to the cent. */
  const groupsInCents = async (query: Partial<NormalizedSpendQuery>) =>
    (await report(query)).series[0].groups.map(g => [
      g.key,
      Math.round(g.total * 100),
    ]);

  afterEach(() => releaseTestDatabase(knex));

  beforeEach(async () => {
    knex = await databases.init(databaseId);
    await prepareSpendDatabase(knex, [
      { subscriptionId: PLATFORM },
      { subscriptionId: DATA_EUROPE, syncMode: 'no-tags' },
    ]);
    store = new DatabaseSpendStore(knex);
    service = new SpendQueryService({ store, now: () => NOW });
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
      costs: Array.from({ length: 20 }, (_, i) => ({
        date: nov(i + 1),
        resourceId: EU1,
        serviceName: 'Virtual Machines',
        location: 'westeurope',
        currency: 'EUR',
        amount: 7,
      })),
      at: NOW,
    });
    for (const subscriptionId of [PLATFORM, DATA_EUROPE]) {
      await store.recordSyncSuccess({ subscriptionId, at: NOW });
    }
    await insertResource(knex, VM1, PLATFORM, {
      Owner: 'team-platform',
      env: 'prod',
    });
    await insertResource(knex, VM2, PLATFORM, { owner: 'team-payments' });
    await insertResource(knex, DB1, PLATFORM, {});
    await insertResource(knex, EU1, DATA_EUROPE, { owner: 'team-eu' });
  });

  it('writes daily totals per service, resource group and location with the spend rows', async () => {
    const totals = await knex('spend_totals')
      .where({ subscription_id: PLATFORM, usage_date: nov(3) })
      .orderBy(['dimension', 'group_key'])
      .select('dimension', 'group_key', 'currency', 'amount');
    expect(
      totals.map(t => [t.dimension, t.group_key, t.currency, Number(t.amount)]),
    ).toEqual([
      ['location', 'northeurope', 'USD', 5],
      ['location', 'westeurope', 'USD', 13],
      ['resourceGroup', 'rg-data', 'USD', 3],
      ['resourceGroup', 'rg-web', 'USD', 15],
      ['service', 'SQL Database', 'USD', 2],
      ['service', 'Storage', 'USD', 1],
      ['service', 'Virtual Machines', 'USD', 15],
    ]);
  });

  it('replaces, not adds to, the totals of a restated day', async () => {
    // Cost Management restates 20 November: vm-1 cost 12.34, and nothing else ran that day.
    await store.replaceDays({
      subscriptionId: PLATFORM,
      from: nov(20),
      to: nov(20),
      costs: [
        {
          date: nov(20),
          resourceId: VM1,
          serviceName: 'Virtual Machines',
          location: 'westeurope',
          currency: 'USD',
          amount: 12.34,
        },
      ],
      at: NOW,
    });
    const byService = await report({ groupBy: 'service' });
    const [usd] = byService.series;
    expect(usd.points.at(-1)).toEqual({
      date: nov(20),
      amounts: { 'Virtual Machines': 12.34, 'SQL Database': 0, Storage: 0 },
    });
    expect(usd.total).toBeCloseTo(19 * 18 + 12.34, 2);
    const byGroup = await report({ groupBy: 'resourceGroup' });
    expect(byGroup.series[0].points.at(-1)!.amounts).toEqual({
      'rg-web': 12.34,
      'rg-data': 0,
    });
  });

  it('rewrites the tag totals of a restated day', async () => {
    expect(await groups({ groupBy: 'tag:owner' })).toEqual([
      ['team-platform', 200],
      ['team-payments', 100],
      ['untagged', 60],
    ]);
    await store.replaceDays({
      subscriptionId: PLATFORM,
      from: nov(20),
      to: nov(20),
      costs: [
        {
          date: nov(20),
          resourceId: VM2,
          serviceName: 'Virtual Machines',
          location: 'northeurope',
          currency: 'USD',
          amount: 50,
        },
      ],
      at: NOW,
    });
    expect(await groups({ groupBy: 'tag:owner' })).toEqual([
      ['team-platform', 190],
      ['team-payments', 145],
      ['untagged', 57],
    ]);
  });

  it('follows a tag edit made after the tag totals were built', async () => {
    expect(await groups({ groupBy: 'tag:owner' })).toEqual([
      ['team-platform', 200],
      ['team-payments', 100],
      ['untagged', 60],
    ]);
    // The Tags tab moves vm-2 to team-platform and gives db-1 an owner.
    const tags = new DatabaseResourceStore(knex);
    await tags.writeAzureTags(VM2, { Owner: 'team-platform' });
    await tags.writeAzureTags(DB1, { OWNER: 'team-data' });
    expect(await groups({ groupBy: 'tag:owner' })).toEqual([
      ['team-platform', 300],
      ['team-data', 60],
    ]);
    // And an empty value is no value.
    await tags.writeAzureTags(VM1, { owner: '' });
    expect(await groups({ groupBy: 'tag:owner' })).toEqual([
      ['untagged', 200],
      ['team-platform', 100],
      ['team-data', 60],
    ]);
  });

  it('follows a resource that the sync removed, and one that it added', async () => {
    expect(await groups({ groupBy: 'tag:env' })).toEqual([
      ['prod', 200],
      ['untagged', 160],
    ]);
    await removeResource(knex, VM1);
    expect(await groups({ groupBy: 'tag:env' })).toEqual([['untagged', 360]]);
    await insertResource(knex, VM1, PLATFORM, { env: 'dev' });
    expect(await groups({ groupBy: 'tag:env' })).toEqual([
      ['dev', 200],
      ['untagged', 160],
    ]);
  });

  it('keeps the tag totals when only other subscriptions changed', async () => {
    await report({ groupBy: 'tag:owner' });
    const built = await knex('spend_tag_state')
      .where({ subscription_id: PLATFORM, tag_key: 'owner' })
      .first();
    await new DatabaseResourceStore(knex).writeAzureTags(EU1, {
      owner: 'other',
    });
    expect(await groups({ groupBy: 'tag:owner' })).toEqual([
      ['team-platform', 200],
      ['team-payments', 100],
      ['untagged', 60],
    ]);
    const after = await knex('spend_tag_state')
      .where({ subscription_id: PLATFORM, tag_key: 'owner' })
      .first();
    expect(after.built_at).toBe(built.built_at);
    expect(Number(after.counter_revision)).toBeGreaterThan(
      Number(built.counter_revision),
    );
  });

  it('answers concurrent tag queries alike while the totals are built', async () => {
    const reports = await Promise.all(
      Array.from({ length: 6 }, () => report({ groupBy: 'tag:owner' })),
    );
    for (const result of reports) {
      expect(result.series[0].groups.map(g => [g.key, g.total])).toEqual([
        ['team-platform', 200],
        ['team-payments', 100],
        ['untagged', 60],
      ]);
    }
    const [{ count }] = await knex('spend_tag_state').count({ count: '*' });
    expect(Number(count)).toBe(1);
  });

  it('shows the spend of a no-tags subscription as untagged and builds no tag totals for it', async () => {
    const result = await report(
      { groupBy: 'tag:owner' },
      { subscriptionIds: [DATA_EUROPE], resourceKeys: [] },
    );
    expect(result.series.map(s => [s.currency, s.groups])).toEqual([
      ['EUR', [{ key: 'untagged', total: 140, share: 1 }]],
    ]);
    expect(result.notes.join(' ')).toMatch(/no-tags/);
    expect(
      await knex('spend_tag_state').where({ subscription_id: DATA_EUROPE }),
    ).toEqual([]);
  });

  it('keeps the top groups apart per day and sums the rest into other', async () => {
    const byService = (await report({ groupBy: 'service', top: 1 })).series[0];
    expect(byService.groups.map(g => [g.key, g.total])).toEqual([
      ['Virtual Machines', 300],
      ['other', 60],
    ]);
    expect(byService.points[0].amounts).toEqual({
      'Virtual Machines': 15,
      other: 3,
    });
    // The untagged group gathers resources without the tag and, in the EUR series, a no-tags subscription.
    const both = await report(
      { groupBy: 'tag:owner', top: 2 },
      { subscriptionIds: [PLATFORM, DATA_EUROPE], resourceKeys: [] },
    );
    expect(
      both.series.map(s => [
        s.currency,
        s.groups.map(g => [g.key, g.total]),
        s.points[0].amounts,
      ]),
    ).toEqual([
      ['EUR', [['untagged', 140]], { untagged: 7 }],
      [
        'USD',
        [
          ['team-platform', 200],
          ['team-payments', 100],
          ['other', 60],
        ],
        { 'team-platform': 10, 'team-payments': 5, other: 3 },
      ],
    ]);
    const topUntagged = await report({ groupBy: 'tag:env', top: 1 });
    expect(topUntagged.series[0].points[0].amounts).toEqual({
      prod: 10,
      other: 8,
    });
    const [daily] = (await report({ groupBy: 'tag:env', top: 2 })).series;
    expect(daily.points.at(-1)!.amounts).toEqual({ prod: 10, untagged: 8 });
  });

  it('keeps tag totals for a bounded number of tag keys, dropping the one built longest ago', async () => {
    const bounded = new SpendQueryService({
      store: new DatabaseSpendStore(knex, { maxTagKeys: 2 }),
      now: () => NOW,
    });
    const groupedBy = async (groupBy: 'tag:owner' | 'tag:env') =>
      (
        await bounded.report(
          { from: nov(1), to: nov(20), granularity: 'day', groupBy, top: 50 },
          { subscriptionIds: [PLATFORM], resourceKeys: [] },
        )
      ).series[0].groups.map(g => [g.key, g.total]);
    const keys = async () =>
      (
        await knex('spend_tag_state')
          .where({ subscription_id: PLATFORM })
          .orderBy('tag_key')
      ).map(state => state.tag_key);
    await groupedBy('tag:owner');
    await new Promise(resolve => setTimeout(resolve, 5));
    await groupedBy('tag:env');
    expect(await keys()).toEqual(['env', 'owner']);
    await new Promise(resolve => setTimeout(resolve, 5));
    await bounded.report(
      {
        from: nov(1),
        to: nov(20),
        granularity: 'day',
        groupBy: 'tag:team',
        top: 50,
      },
      { subscriptionIds: [PLATFORM], resourceKeys: [] },
    );
    expect(await keys()).toEqual(['env', 'team']);
    const [{ count }] = await knex('spend_tag_resources')
      .where({ subscription_id: PLATFORM, tag_key: 'owner' })
      .count({ count: '*' });
    expect(Number(count)).toBe(0);
    // Grouping by it again builds it again.
    expect(await groupedBy('tag:owner')).toEqual([
      ['team-platform', 200],
      ['team-payments', 100],
      ['untagged', 60],
    ]);
    expect(await keys()).toEqual(['owner', 'team']);
  });

  /** The tag totals of PLATFORM for a tag key, amounts in cents, sorted. */
  const storedTagTotals = async (tagKey: string) =>
    (
      await knex('spend_tag_totals')
        .where({ subscription_id: PLATFORM, tag_key: tagKey })
        .select('usage_date', 'currency', 'tag_value', 'amount', 'row_count')
    )
      .map(row =>
        [
          row.usage_date,
          row.currency,
          row.tag_value,
          Math.round(Number(row.amount) * 100),
          Number(row.row_count),
        ].join(' '),
      )
      .sort();
  /** The same, built from scratch from the resources' current tags. */
  const tagTotalsBuiltAgain = async (tagKey: string) => {
    await knex('spend_tag_state')
      .where({ subscription_id: PLATFORM, tag_key: tagKey })
      .delete();
    await new DatabaseSpendStore(knex).ensureTagTotals(PLATFORM, tagKey);
    return storedTagTotals(tagKey);
  };
  /** Counts the statements that build a tag key's totals from all of a subscription's spend. */
  const countFullBuilds = () => {
    const seen = { builds: 0 };
    const listener = (query: { sql: string }) => {
      if (/^\s*INSERT INTO spend_tag_totals .* SELECT /is.test(query.sql)) {
        seen.builds += 1;
      }
    };
    knex.on('query', listener);
    return {
      seen,
      stop: () => knex.removeListener('query', listener),
    };
  };

  it("follows tag edits, removals and additions by moving those resources' spend, as a new build would sum it", async () => {
    const extra = rid(PLATFORM, 'rg-web', 'vm-3');
    await store.replaceDays({
      subscriptionId: PLATFORM,
      from: nov(1),
      to: nov(20),
      costs: [
        ...platformCosts(),
        ...Array.from({ length: 20 }, (_, i) => ({
          date: nov(i + 1),
          resourceId: extra,
          serviceName: 'Virtual Machines',
          location: 'westeurope',
          currency: 'USD',
          amount: 0.37,
        })),
      ],
      at: NOW,
    });
    expect(await groupsInCents({ groupBy: 'tag:owner' })).toEqual([
      ['team-platform', 20000],
      ['team-payments', 10000],
      ['untagged', 6740],
    ]);

    const builds = countFullBuilds();
    try {
      const tags = new DatabaseResourceStore(knex);
      await tags.writeAzureTags(VM2, { owner: 'team-data' });
      await tags.writeAzureTags(DB1, { Owner: 'team-data' });
      expect(await groupsInCents({ groupBy: 'tag:owner' })).toEqual([
        ['team-platform', 20000],
        ['team-data', 16000],
        ['untagged', 740],
      ]);
      // The last untagged resource gets an owner: nothing is left untagged, and the group goes away.
      await insertResource(knex, extra, PLATFORM, { owner: 'team-platform' });
      expect(await groupsInCents({ groupBy: 'tag:owner' })).toEqual([
        ['team-platform', 20740],
        ['team-data', 16000],
      ]);
      // A removed resource's spend stays, untagged; a tag edit that keeps the value moves nothing.
      await removeResource(knex, VM1);
      await tags.writeAzureTags(VM2, { owner: 'team-data', env: 'test' });
      expect(await groupsInCents({ groupBy: 'tag:owner' })).toEqual([
        ['untagged', 20000],
        ['team-data', 16000],
        ['team-platform', 740],
      ]);
      expect(builds.seen.builds).toBe(0);
    } finally {
      builds.stop();
    }
    const followed = await storedTagTotals('owner');
    expect(followed.length).toBeGreaterThan(0);
    expect(await tagTotalsBuiltAgain('owner')).toEqual(followed);
  });

  it('keeps following totals equal to built ones through random changes', async () => {
    // A seeded sequence of edits, removals and returns of the three resources, checked against a build after each.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const ids = [VM1, VM2, DB1];
    const values = ['a', 'b', 'c', ''];
    await report({ groupBy: 'tag:owner' });
    for (let step = 0; step < 12; step++) {
      const id = ids[random(ids.length)];
      const present = await knex('resources')
        .where({ resource_key: id.toLowerCase() })
        .first();
      const value = values[random(values.length)];
      if (present && random(4) === 0) {
        await removeResource(knex, id);
      } else if (present) {
        await new DatabaseResourceStore(knex).writeAzureTags(id, {
          owner: value,
        });
      } else {
        await insertResource(knex, id, PLATFORM, { owner: value });
      }
      await report({ groupBy: 'tag:owner' });
      const followed = await storedTagTotals('owner');
      expect(await tagTotalsBuiltAgain('owner')).toEqual(followed);
    }
  });

  it('builds the tag totals again when more resources changed than it follows', async () => {
    const limited = new SpendQueryService({
      store: new DatabaseSpendStore(knex, { maxIncrementalResources: 1 }),
      now: () => NOW,
    });
    const owners = async () =>
      (
        await limited.report(
          {
            from: nov(1),
            to: nov(20),
            granularity: 'day',
            groupBy: 'tag:owner',
            top: 50,
          },
          { subscriptionIds: [PLATFORM], resourceKeys: [] },
        )
      ).series[0].groups.map(g => [g.key, g.total]);
    await owners();
    const builds = countFullBuilds();
    try {
      const tags = new DatabaseResourceStore(knex);
      await tags.writeAzureTags(VM2, { owner: 'team-platform' });
      expect(await owners()).toEqual([
        ['team-platform', 300],
        ['untagged', 60],
      ]);
      expect(builds.seen.builds).toBe(0);
      await tags.writeAzureTags(VM1, { owner: 'x' });
      await tags.writeAzureTags(DB1, { owner: 'x' });
      expect(await owners()).toEqual([
        ['x', 260],
        ['team-platform', 100],
      ]);
      expect(builds.seen.builds).toBe(1);
    } finally {
      builds.stop();
    }
  });

  it('sums the same from the totals as from the daily rows, in every grouping', async () => {
    const keys = [VM1, VM2, DB1].map(id => id.toLowerCase());
    const dimensions: Array<[SpendDimension, string?]> = [
      ['service'],
      ['resourceGroup'],
      ['location'],
      ['none'],
      ['tag', 'OWNER'],
      ['tag', 'env'],
    ];
    for (const [dimension, tagKey] of dimensions) {
      for (const granularity of ['day', 'month', undefined] as const) {
        const options = {
          from: nov(2),
          to: nov(19),
          granularity,
          dimension,
          tagKey,
          perSubscription: dimension === 'tag',
        };
        const sorted = (aggregates: any[]) =>
          aggregates
            .map(a => ({ ...a, amount: Number(a.amount.toFixed(6)) }))
            .sort((a, b) =>
              JSON.stringify([a.bucket, a.key]).localeCompare(
                JSON.stringify([b.bucket, b.key]),
              ),
            );
        const fromTotals = await store.aggregate({
          ...options,
          scope: { subscriptionIds: [PLATFORM], resourceKeys: [] },
        });
        const fromRows = await store.aggregate({
          ...options,
          scope: { subscriptionIds: [], resourceKeys: keys },
        });
        expect(fromTotals.length).toBeGreaterThan(0);
        expect(sorted(fromTotals)).toEqual(sorted(fromRows));
      }
    }
  });

  it('answers a subscription from the totals, without reading its daily rows', async () => {
    // The first tag query builds the tag totals from the daily rows; the following ones read the totals only.
    await report({ groupBy: 'tag:owner' });
    const statements: string[] = [];
    const listen = (query: { sql: string }) => statements.push(query.sql);
    knex.on('query', listen);
    try {
      for (const groupBy of [
        'service',
        'resourceGroup',
        'location',
        'tag:owner',
      ] as const) {
        await report({ groupBy, granularity: 'month' });
        await report({ groupBy });
      }
    } finally {
      knex.removeListener('query', listen);
    }
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter(sql => /spend_daily/.test(sql))).toEqual([]);
  });

  it("reads a resource's or a team's daily rows through the resource index", async () => {
    const statements: Array<{ sql: string; bindings: any[] }> = [];
    const listen = (query: { sql: string; bindings: any[] }) =>
      statements.push(query);
    knex.on('query', listen);
    try {
      for (const groupBy of ['service', 'resource', 'tag:owner'] as const) {
        await report(
          { groupBy },
          { subscriptionIds: [], resourceKeys: [VM1.toLowerCase()] },
        );
      }
    } finally {
      knex.removeListener('query', listen);
    }
    const daily = statements.filter(s => /from "?`?spend_daily/.test(s.sql));
    expect(daily.length).toBeGreaterThan(0);
    const explain = async (sql: string, bindings: any[]): Promise<string> => {
      if (databaseId === 'SQLITE_3') {
        const plan = await knex.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings);
        return plan.map((step: any) => step.detail).join('\n');
      }
      // PostgreSQL plans a sequential scan of a small table; forbid it to see that the index can answer.
      return knex.transaction(async trx => {
        await trx.raw('SET LOCAL enable_seqscan = off');
        const plan = await trx.raw(
          `EXPLAIN ${sql.replace(/\$\d+/g, '?')}`,
          bindings,
        );
        return plan.rows.map((r: any) => r['QUERY PLAN']).join('\n');
      });
    };
    for (const { sql, bindings } of daily) {
      const plan = await explain(sql, bindings);
      expect(plan).toMatch(/spend_daily_resource_idx/);
      expect(plan).not.toMatch(/SCAN spend_daily|Seq Scan on spend_daily/);
    }
  });
});

describe.each(databases.eachSupportedId())(
  'spend totals migration (%s)',
  databaseId => {
    it('computes the totals of the spend stored before it', async () => {
      const knex = await databases.init(databaseId);
      const config = migrationsConfig;
      const MIGRATION = '20261126100000_spend_totals.js';
      for (;;) {
        const [, pending] = await knex.migrate.list(config);
        const next = pending[0]?.file ?? pending[0]?.name ?? pending[0];
        if (!next || String(next).endsWith(MIGRATION)) break;
        await knex.migrate.up(config);
      }
      await knex('spend_daily').insert(
        [
          [VM1, 'Virtual Machines', 'USD', 1.25],
          [VM2, 'Virtual Machines', 'USD', 2.5],
          [EU1, 'Virtual Machines', 'EUR', 4],
        ].map(([id, service, currency, amount]) => ({
          subscription_id: id === EU1 ? DATA_EUROPE : PLATFORM,
          usage_date: nov(1),
          resource_key: String(id).toLowerCase(),
          service_name: service,
          currency,
          amount,
          resource_id: id,
          resource_group: /resourceGroups\/([^/]+)/i
            .exec(String(id))![1]
            .toLowerCase(),
          location: 'westeurope',
        })),
      );
      await knex.migrate.latest(config);
      const totals = await knex('spend_totals')
        .where({ dimension: 'service' })
        .orderBy('subscription_id')
        .select('subscription_id', 'currency', 'group_key', 'amount');
      expect(
        totals.map(t => [
          t.subscription_id,
          t.currency,
          t.group_key,
          Number(t.amount),
        ]),
      ).toEqual([
        [PLATFORM, 'USD', 'Virtual Machines', 3.75],
        [DATA_EUROPE, 'EUR', 'Virtual Machines', 4],
      ]);
    });
  },
);

describe('tagValueOf', () => {
  it('finds a tag by name ignoring case, and treats empty values and bad JSON as no value', () => {
    expect(tagValueOf('{"Owner":"a","env":"b"}', 'owner')).toBe('a');
    expect(tagValueOf('{"owner":""}', 'owner')).toBeUndefined();
    expect(tagValueOf('{"env":"b"}', 'owner')).toBeUndefined();
    expect(tagValueOf(null, 'owner')).toBeUndefined();
    expect(tagValueOf('not json', 'owner')).toBeUndefined();
  });
});
