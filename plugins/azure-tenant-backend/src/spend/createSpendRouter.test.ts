import express from 'express';
import request from 'supertest';
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  azureResourceEntityRef,
  azureSubscriptionEntityRef,
  SpendReport,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { createSpendRouter } from './createSpendRouter';
import { DatabaseSpendStore } from './DatabaseSpendStore';
import { SpendQueryService } from './SpendQueryService';
import {
  DATA_EUROPE,
  PAYMENTS,
  PLATFORM,
  prepareSpendDatabase,
  TENANT,
} from './__testUtils__/spendTestDatabase';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';

jest.setTimeout(30_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const NOW = new Date('2026-11-25T12:00:00Z');
const rid = (subscription: string, group: string, name: string) =>
  `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.Compute/virtualMachines/${name}`;
const VM1 = rid(PLATFORM, 'RG-Web', 'vm-1');
const VM2 = rid(PLATFORM, 'rg-web', 'vm-2');
const DB1 = rid(PLATFORM, 'rg-data', 'db-1');
const EU1 = rid(DATA_EUROPE, 'rg-eu', 'eu-1');

/** Days of November 2026 (`11` → `2026-11-11`). */
const nov = (d: number) => `2026-11-${String(d).padStart(2, '0')}`;
const oct = (d: number) => `2026-10-${String(d).padStart(2, '0')}`;

interface Row {
  sub: string;
  date: string;
  id: string;
  service: string;
  amount: number;
  currency?: string;
  location?: string;
}

/** Stores spend as the spend sync does (one day range per subscription), so that its daily totals are written too. */
async function insertSpend(knex: Knex, rows: Row[]) {
  const store = new DatabaseSpendStore(knex);
  for (const sub of new Set(rows.map(r => r.sub))) {
    const costs = rows
      .filter(r => r.sub === sub)
      .map(r => ({
        date: r.date,
        resourceId: r.id.toLowerCase(),
        serviceName: r.service,
        location: r.location ?? 'westeurope',
        currency: r.currency ?? 'USD',
        amount: r.amount,
      }));
    const days = costs.map(c => c.date).sort();
    await store.replaceDays({
      subscriptionId: sub,
      from: days[0],
      to: days[days.length - 1],
      costs,
      at: NOW,
    });
  }
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
    revision: 1,
    synced_at: NOW.toISOString(),
  });
}

/** A catalog with a team that owns vm-1 and db-1, and the entities of a subscription and a resource. */
function fakeCatalog(): CatalogService {
  const entities: Record<string, any> = {
    'group:default/data': {
      kind: 'Group',
      metadata: { name: 'data', annotations: {} },
    },
    'group:default/platform': {
      kind: 'Group',
      metadata: { name: 'platform', annotations: {} },
    },
    [azureSubscriptionEntityRef(PLATFORM)]: {
      kind: 'Resource',
      metadata: {
        name: 'sub',
        annotations: {
          'management.azure.com/resourceId': `/subscriptions/${PLATFORM}`,
          'management.azure.com/subscriptionId': PLATFORM,
        },
      },
    },
  };
  const owned: Record<string, any[]> = {
    'group:default/data': [
      { metadata: { annotations: { 'management.azure.com/resourceId': VM1 } } },
      { metadata: { annotations: { 'management.azure.com/resourceId': EU1 } } },
    ],
    'group:default/platform': [
      { metadata: { annotations: { 'management.azure.com/resourceId': VM1 } } },
      { metadata: { annotations: { 'management.azure.com/resourceId': DB1 } } },
      { metadata: { annotations: {} } },
    ],
  };
  return {
    getEntityByRef: async (ref: string) => entities[ref],
    getEntities: async (req: any) => ({
      items: owned[req.filter['relations.ownedBy']] ?? [],
    }),
  } as unknown as CatalogService;
}

describe.each(databases.eachSupportedId())('GET /spend (%s)', databaseId => {
  let knex: Knex;
  let authorize: jest.Mock;

  async function app() {
    const store = new DatabaseSpendStore(knex);
    return express()
      .use(
        await createSpendRouter({
          store,
          queryService: new SpendQueryService({ store, now: () => NOW }),
          httpAuth: mockServices.httpAuth({
            defaultCredentials: mockCredentials.user(),
          }),
          permissions: { authorize } as any,
          catalog: fakeCatalog(),
          auth: mockServices.auth(),
        }),
      )
      .use(mockErrorHandler());
  }

  const get = async (query: string) =>
    request(await app()).get(`/spend?${query}`);
  const report = async (query: string): Promise<SpendReport> => {
    const response = await get(query);
    expect(response.status).toBe(200);
    return response.body;
  };

  afterEach(() => releaseTestDatabase(knex));

  beforeEach(async () => {
    knex = await databases.init(databaseId);
    authorize = jest.fn(async (requests: any[]) =>
      requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    );
    await prepareSpendDatabase(knex, [
      { subscriptionId: PLATFORM },
      { subscriptionId: PAYMENTS },
      { subscriptionId: DATA_EUROPE, syncMode: 'no-tags' },
    ]);
    // Platform: vm-1 10/day (Virtual Machines), vm-2 5/day (Virtual Machines), db-1 2/day (SQL Database) +
    // 1/day (Storage), 1..20 November, and half of that 11..31 October.
    const rows: Row[] = [];
    for (let d = 1; d <= 20; d++) {
      rows.push(
        {
          sub: PLATFORM,
          date: nov(d),
          id: VM1,
          service: 'Virtual Machines',
          amount: 10,
        },
        {
          sub: PLATFORM,
          date: nov(d),
          id: VM2,
          service: 'Virtual Machines',
          amount: 5,
          location: 'northeurope',
        },
        {
          sub: PLATFORM,
          date: nov(d),
          id: DB1,
          service: 'SQL Database',
          amount: 2,
        },
        { sub: PLATFORM, date: nov(d), id: DB1, service: 'Storage', amount: 1 },
        {
          sub: DATA_EUROPE,
          date: nov(d),
          id: EU1,
          service: 'Virtual Machines',
          amount: 7,
          currency: 'EUR',
        },
      );
    }
    for (let d = 12; d <= 31; d++) {
      rows.push(
        {
          sub: PLATFORM,
          date: oct(d),
          id: VM1,
          service: 'Virtual Machines',
          amount: 5,
        },
        {
          sub: PLATFORM,
          date: oct(d),
          id: VM2,
          service: 'Virtual Machines',
          amount: 2.5,
        },
        {
          sub: PLATFORM,
          date: oct(d),
          id: DB1,
          service: 'SQL Database',
          amount: 1.5,
        },
      );
    }
    await insertSpend(knex, rows);
    for (const sub of [PLATFORM, DATA_EUROPE]) {
      await knex('spend_sync_state')
        .insert({
          subscription_id: sub,
          backfilled_from: '2026-08-28',
          synced_through: '2026-11-25',
          last_synced_at: '2026-11-25T06:00:00.000Z',
          last_status: 'succeeded',
          forecast_month: '2026-11',
          forecast_month_end: sub === PLATFORM ? 600 : 300,
          forecast_currency: sub === PLATFORM ? 'USD' : 'EUR',
          forecast_through: '2026-11-30',
        })
        .onConflict('subscription_id')
        .merge();
    }
    await insertResource(knex, VM1, PLATFORM, {
      Owner: 'team-platform',
      env: 'prod',
    });
    await insertResource(knex, VM2, PLATFORM, { owner: 'team-payments' });
    await insertResource(knex, DB1, PLATFORM, {});
    await insertResource(knex, EU1, DATA_EUROPE, null);
  });

  const platform = `subscriptionId=${PLATFORM}&from=${nov(1)}&to=${nov(20)}`;

  it('groups by service, with the total and the change against the previous period', async () => {
    const body = await report(`${platform}&groupBy=service`);
    expect(body.status).toBe('ok');
    expect(body.syncedAt).toBe('2026-11-25T06:00:00.000Z');
    expect(body.series).toHaveLength(1);
    const [usd] = body.series;
    expect(usd.currency).toBe('USD');
    expect(usd.total).toBeCloseTo(20 * 18);
    expect(usd.previousTotal).toBeCloseTo(20 * 9);
    expect(usd.change).toBeCloseTo(1);
    expect(usd.groups.map(g => [g.key, g.total])).toEqual([
      ['Virtual Machines', 300],
      ['SQL Database', 40],
      ['Storage', 20],
    ]);
    expect(usd.groups[0].share).toBeCloseTo(300 / 360);
    expect(usd.groups[0].previousTotal).toBeCloseTo(150);
    expect(usd.groups[2].previousTotal).toBeUndefined();
    expect(usd.points).toHaveLength(20);
    expect(usd.points[0]).toEqual({
      date: nov(1),
      amounts: { 'Virtual Machines': 15, 'SQL Database': 2, Storage: 1 },
    });
  });

  it('keeps the top N groups and sums the rest into other', async () => {
    const [usd] = (await report(`${platform}&groupBy=resource&top=1`)).series;
    expect(usd.groups.map(g => [g.key, g.total])).toEqual([
      [VM1, 200],
      ['other', 160],
    ]);
    expect(usd.groups[1].previousTotal).toBeCloseTo(80);
    expect(usd.points[0].amounts).toEqual({ [VM1]: 10, other: 8 });
  });

  it('groups by resource group and by location', async () => {
    const byGroup = (await report(`${platform}&groupBy=resourceGroup`))
      .series[0];
    expect(byGroup.groups.map(g => [g.key, g.total])).toEqual([
      ['rg-web', 300],
      ['rg-data', 60],
    ]);
    const byLocation = (await report(`${platform}&groupBy=location`)).series[0];
    expect(byLocation.groups.map(g => [g.key, g.total])).toEqual([
      ['westeurope', 260],
      ['northeurope', 100],
    ]);
  });

  it('groups by a tag, case-insensitively, with untagged for resources without it', async () => {
    const body = await report(`${platform}&groupBy=tag%3AOWNER`);
    expect(body.series[0].groups.map(g => [g.key, g.total])).toEqual([
      ['team-platform', 200],
      ['team-payments', 100],
      ['untagged', 60],
    ]);
    expect(body.notes).toEqual([]);
  });

  it('says so when tags are not synced for the subscription', async () => {
    const body = await report(
      `subscriptionId=${DATA_EUROPE}&from=${nov(1)}&to=${nov(
        20,
      )}&groupBy=tag%3Aowner`,
    );
    expect(body.series[0].groups.map(g => g.key)).toEqual(['untagged']);
    expect(body.notes.join(' ')).toMatch(/no-tags/);
  });

  it('keeps each currency in its own series and never adds them up', async () => {
    const body = await report(
      `entityRef=${encodeURIComponent('group:default/data')}&from=${nov(
        1,
      )}&to=${nov(20)}`,
    );
    expect(body.series.map(s => [s.currency, s.total])).toEqual([
      ['EUR', 140],
      ['USD', 200],
    ]);
    expect(body.notes.join(' ')).toMatch(/never added up/);
  });

  it('sums by month', async () => {
    const [usd] = (
      await report(
        `subscriptionId=${PLATFORM}&from=${oct(12)}&to=${nov(
          20,
        )}&granularity=month&groupBy=service`,
      )
    ).series;
    expect(usd.points.map(p => p.date)).toEqual(['2026-10', '2026-11']);
    expect(usd.points[0].amounts['Virtual Machines']).toBeCloseTo(150);
    expect(usd.points[1].amounts['Virtual Machines']).toBeCloseTo(300);
  });

  it('shows the month-end forecast when the period includes the current month', async () => {
    const whole = await report(platform);
    const [usd] = whole.series;
    expect(usd.forecast).toEqual({ monthEnd: 600, through: '2026-11-30' });
    expect(whole.notes.join(' ')).not.toMatch(/share of their subscription/);
    const [october] = (
      await report(`subscriptionId=${PLATFORM}&from=${oct(1)}&to=${oct(31)}`)
    ).series;
    expect(october.forecast).toBeUndefined();
    // A resource gets its share of the subscription's forecast: vm-1 is 200 of 360 this month.
    const resource = await report(
      `resourceId=${encodeURIComponent(VM1)}&from=${nov(1)}&to=${nov(20)}`,
    );
    const [vm] = resource.series;
    expect(vm.forecast!.monthEnd).toBeCloseTo((600 * 200) / 360);
    // And the report says how it was worked out.
    expect(resource.notes.join(' ')).toMatch(
      /share of their subscription's forecast, in proportion to this month's spend/,
    );
  });

  it('answers pending when no spend has been synced yet', async () => {
    const body = await report(
      `subscriptionId=${PAYMENTS}&from=${nov(1)}&to=${nov(20)}`,
    );
    expect(body.status).toBe('pending');
    expect(body.series).toEqual([]);
  });

  it('shows the spend of the resources a team owns', async () => {
    const body = await report(
      `entityRef=${encodeURIComponent('group:default/platform')}&from=${nov(
        1,
      )}&to=${nov(20)}&groupBy=resource`,
    );
    expect(body.series[0].groups.map(g => [g.key, g.total])).toEqual([
      [VM1, 200],
      [DB1, 60],
    ]);
    expect(authorize).toHaveBeenCalledWith(
      [expect.objectContaining({ resourceRef: 'group:default/platform' })],
      expect.anything(),
    );
  });

  it('maps a subscription entity to its subscription', async () => {
    const body = await report(
      `entityRef=${encodeURIComponent(
        azureSubscriptionEntityRef(PLATFORM),
      )}&from=${nov(1)}&to=${nov(20)}`,
    );
    expect(body.series[0].total).toBeCloseTo(360);
  });

  it('checks azure-tenant.spend.read on the entity and answers 403 when denied', async () => {
    authorize.mockImplementation(async (requests: any[]) =>
      requests.map(() => ({ result: AuthorizeResult.DENY })),
    );
    const response = await get(
      `resourceId=${encodeURIComponent(VM1)}&from=${nov(1)}&to=${nov(2)}`,
    );
    expect(response.status).toBe(403);
    expect(authorize).toHaveBeenCalledWith(
      [expect.objectContaining({ resourceRef: azureResourceEntityRef(VM1) })],
      expect.anything(),
    );
  });

  it('answers 404 for an unknown subscription or resource', async () => {
    expect(
      (
        await get(
          `subscriptionId=00000000-0000-0000-0000-000000000000&from=${nov(
            1,
          )}&to=${nov(2)}`,
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await get(
          `resourceId=${encodeURIComponent(
            rid(PLATFORM, 'x', 'nope'),
          )}&from=${nov(1)}&to=${nov(2)}`,
        )
      ).status,
    ).toBe(404);
  });

  it.each([
    [`from=${nov(1)}&to=${nov(2)}`, /exactly one of/],
    [
      `subscriptionId=${PLATFORM}&resourceId=${encodeURIComponent(
        VM1,
      )}&from=${nov(1)}&to=${nov(2)}`,
      /exactly one of/,
    ],
    [
      `subscriptionId=${PLATFORM}&from=2026-11-31&to=${nov(2)}`,
      /'from' must be a date/,
    ],
    [
      `subscriptionId=${PLATFORM}&to=${nov(2)}`,
      /must have required property 'from'/,
    ],
    [
      `subscriptionId=${PLATFORM}&from=${nov(5)}&to=${nov(2)}`,
      /must not be after/,
    ],
    [
      `subscriptionId=${PLATFORM}&from=2025-01-01&to=${nov(2)}`,
      /at most 366 days/,
    ],
    [
      `subscriptionId=${PLATFORM}&from=${nov(1)}&to=${nov(2)}&granularity=week`,
      /granularity/,
    ],
    [
      `subscriptionId=${PLATFORM}&from=${nov(1)}&to=${nov(2)}&groupBy=owner`,
      /groupBy/,
    ],
    [
      `subscriptionId=${PLATFORM}&from=${nov(1)}&to=${nov(2)}&top=0`,
      /top must be/,
    ],
    [
      `subscriptionId=${PLATFORM}&from=${nov(1)}&to=${nov(2)}&top=51`,
      /top must be/,
    ],
    [
      `subscriptionId=not-a-guid&from=${nov(1)}&to=${nov(2)}`,
      /subscriptionId must match format "uuid"/,
    ],
    [`entityRef=nokind&from=${nov(1)}&to=${nov(2)}`, /entityRef must be/],
  ])('answers 400 for %s', async (query, message) => {
    const response = await get(query);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(message);
  });

  it('checks the query however the path is spelled, as express routes it', async () => {
    for (const path of ['/spend/', '/SPEND', '/Spend.csv/']) {
      const response = await request(await app()).get(
        `${path}?${platform}&granularity=week`,
      );
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(/granularity/);
    }
  });

  it('exports the same query as CSV', async () => {
    const response = await request(await app()).get(
      `/spend.csv?${platform}&groupBy=service&top=1`,
    );
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="spend-${nov(1)}-${nov(20)}.csv"`,
    );
    const lines = response.text.trim().split('\r\n');
    expect(lines[0]).toBe('date,group,currency,amount');
    expect(lines).toHaveLength(1 + 20 * 2);
    expect(lines).toContain(`${nov(1)},Virtual Machines,USD,15`);
    expect(lines).toContain(`${nov(1)},other,USD,3`);
  });
});
