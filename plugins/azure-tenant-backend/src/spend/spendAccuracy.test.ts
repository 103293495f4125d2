import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AzureEmulator,
  DEMO_APP,
  DEMO_FIXTURE_PATH,
  DEMO_TENANT,
  EmulatorFixture,
  startAzureEmulator,
} from '@azure-tenant/azure-emulator';
import { CostManagementClient } from '@azure/arm-costmanagement';
import {
  SpendReport,
  SpendSeries,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { AzureConnection } from '../azure/azureConnection';
import { readAzureTenantConfig } from '../config/AzureTenantConfig';
import { createCostManagementReader } from './costManagementReader';
import { DatabaseSpendStore } from './DatabaseSpendStore';
import { NormalizedSpendQuery, SpendQueryService } from './SpendQueryService';
import { SpendSyncResult, SpendSyncService } from './SpendSyncService';
import {
  DATA_EUROPE,
  PLATFORM,
  prepareSpendDatabase,
} from './__testUtils__/spendTestDatabase';
import { emulatorConnectionConfig } from '@azure-tenant/test-support';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const DAY_MS = 86_400_000;
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;
const dayOf = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) =>
  Array.from({ length: dayNumber(to) - dayNumber(from) + 1 }, (_, i) =>
    dayOf(dayNumber(from) + i),
  );

/**
 * The period checked: the 7 last days of a month and the 5 first of the next, all inside the emulator's cost
 * history (which ends today). The month boundary is this month's when it is 5 days behind us, else last month's.
 */
const TODAY = new Date().toISOString().slice(0, 10);
const BOUNDARY =
  Number(TODAY.slice(8, 10)) > 5
    ? `${TODAY.slice(0, 7)}-01`
    : `${dayOf(dayNumber(`${TODAY.slice(0, 7)}-01`) - 1).slice(0, 7)}-01`;
const FROM = dayOf(dayNumber(BOUNDARY) - 7);
const TO = dayOf(dayNumber(BOUNDARY) + 4);
const PERIOD_DAYS = dayNumber(TO) - dayNumber(FROM) + 1;
const PREVIOUS_FROM = dayOf(dayNumber(FROM) - PERIOD_DAYS);
const PREVIOUS_TO = dayOf(dayNumber(FROM) - 1);

/** A resource whose cost is given day by day in the fixture, so its totals are known without the emulator. */
const fixedCost = (day: string) =>
  // 400.00 to 409.99: cents that do not add up to round numbers, and enough to rank in the top groups.
  400 + ((dayNumber(day) * 137) % 1000) / 100;

const fixture: EmulatorFixture = JSON.parse(
  fs.readFileSync(DEMO_FIXTURE_PATH, 'utf8'),
);
const firstResourceOf = (subscriptionId: string) => {
  const subscription = fixture.subscriptions!.find(
    s => s.subscriptionId === subscriptionId,
  )!;
  const resource = subscription.resources![0];
  return `/subscriptions/${subscriptionId}/resourceGroups/${resource.resourceGroup}/providers/${resource.type}/${resource.name}`;
};
const FIXED_USD = firstResourceOf(PLATFORM);
const FIXED_EUR = firstResourceOf(DATA_EUROPE);
fixture.costs = {
  ...fixture.costs,
  rows: [FIXED_USD, FIXED_EUR].flatMap(resourceId =>
    daysBetween(dayOf(dayNumber(TODAY) - 100), TODAY).map(date => ({
      date,
      resourceId,
      cost: fixedCost(date),
    })),
  ),
};

const LOOKBACK_DAYS = dayNumber(TODAY) - dayNumber(PREVIOUS_FROM) + 1;
const QUERY_PATH = /\/providers\/Microsoft\.CostManagement\/query$/i;

let emulator: AzureEmulator;
let stateDir: string;
let connection: AzureConnection;

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-tenant-spend-acc-'));
  emulator = await startAzureEmulator({
    port: 0,
    stateDir,
    fixture,
    // 80 resources × 31 days per window: several pages through nextLink.
    costQueryPageSize: 500,
  });
  connection = new AzureConnection(
    readAzureTenantConfig(
      new ConfigReader({
        backend: { baseUrl: 'http://127.0.0.1:7999' },
        app: { baseUrl: 'http://127.0.0.1:7998' },
        azureTenant: {
          ...emulatorConnectionConfig(emulator),
        },
      }),
    )!,
  );
});

afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

/** Amounts per day and per day and service, straight from the emulator's Cost Management, never through the sync. */
async function azureCosts(subscriptionId: string, from: string, to: string) {
  const client = new CostManagementClient(
    connection.appCredential(DEMO_TENANT.id),
    connection.armClientOptions(),
  );
  const query = (grouping: Array<{ type: 'Dimension'; name: string }>) =>
    client.query.usage(`/subscriptions/${subscriptionId}`, {
      type: 'ActualCost',
      timeframe: 'Custom',
      timePeriod: {
        from: new Date(`${from}T00:00:00Z`),
        to: new Date(`${to}T23:59:59Z`),
      },
      dataset: {
        granularity: 'Daily',
        aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
        grouping,
      },
    });
  const column = (result: any, name: string) =>
    result.columns.findIndex((c: any) => c.name.toLowerCase() === name);
  const day = (value: unknown) => {
    const text = String(value);
    return `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
  };

  const ungrouped = await query([]);
  const byService = await query([{ type: 'Dimension', name: 'ServiceName' }]);
  // Both answers must fit one page, or the expectations would be partial.
  expect(ungrouped.nextLink).toBeFalsy();
  expect(byService.nextLink).toBeFalsy();

  const perDay = new Map<string, number>();
  const currencies = new Set<string>();
  for (const row of ungrouped.rows!) {
    perDay.set(day(row[column(ungrouped, 'usagedate')]), Number(row[0]));
    currencies.add(String(row[column(ungrouped, 'currency')]));
  }
  const perDayAndService = new Map<string, number>();
  for (const row of byService.rows!) {
    const key = `${day(row[column(byService, 'usagedate')])} ${
      row[column(byService, 'servicename')]
    }`;
    perDayAndService.set(key, Number(row[column(byService, 'cost')]));
  }
  const total = [...perDay.values()].reduce((sum, a) => sum + a, 0);
  return { perDay, perDayAndService, currencies: [...currencies], total };
}

describe.each(databases.eachSupportedId())('spend accuracy (%s)', id => {
  let knex: Knex;
  let queryService: SpendQueryService;
  let results: SpendSyncResult[];
  let statuses: number[];
  let pagedRequests: number;

  beforeAll(async () => {
    emulator.control.reset();
    emulator.control.configureThrottling({ enabled: false });
    const principal = emulator.control.consent(
      DEMO_TENANT.id,
      DEMO_APP.clientId,
    );
    for (const subscriptionId of [PLATFORM, DATA_EUROPE]) {
      emulator.control.assignRole({
        scope: `/subscriptions/${subscriptionId}`,
        principalId: principal.objectId,
        role: 'Reader',
      });
    }
    knex = await databases.init(id);
    await prepareSpendDatabase(knex, [
      { subscriptionId: PLATFORM },
      { subscriptionId: DATA_EUROPE },
    ]);
    const store = new DatabaseSpendStore(knex);
    queryService = new SpendQueryService({ store });

    // Cost Management throttles the first two queries; the sync waits as told by Retry-After.
    emulator.control.injectFault({
      match: { method: 'POST', pathPattern: 'CostManagement/query$' },
      status: 429,
      retryAfterSeconds: 1,
      times: 2,
    });
    const sync = new SpendSyncService({
      store,
      reader: createCostManagementReader({ connection }),
      logger: mockServices.logger.mock(),
      config: {
        lookbackDays: LOOKBACK_DAYS,
        restatementDays: 3,
        concurrency: 1,
      },
    });
    results = await sync.syncAll();
    const queries = emulator.control
      .requests()
      .filter(r => QUERY_PATH.test(r.path));
    statuses = queries.map(r => r.status);
    pagedRequests = queries.filter(r =>
      /skiptoken/i.test(r.query ?? ''),
    ).length;
  });

  const report = (
    query: Partial<NormalizedSpendQuery>,
    subscriptionIds = [PLATFORM, DATA_EUROPE],
  ): Promise<SpendReport> =>
    queryService.report(
      {
        from: FROM,
        to: TO,
        granularity: 'day',
        groupBy: 'service',
        top: 50,
        ...query,
      },
      { subscriptionIds, resourceKeys: [] },
    );
  const seriesIn = (result: SpendReport, currency: string): SpendSeries => {
    const series = result.series.find(s => s.currency === currency);
    expect(series).toBeDefined();
    return series!;
  };

  it('syncs through throttling and nextLink paging', () => {
    expect(results.map(r => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(statuses.slice(0, 3)).toEqual([429, 429, 200]);
    expect(pagedRequests).toBeGreaterThan(0);
  });

  it('reports each day and each service to the cent across a month boundary', async () => {
    const result = await report({ groupBy: 'service' });
    for (const [subscriptionId, currency] of [
      [PLATFORM, 'USD'],
      [DATA_EUROPE, 'EUR'],
    ]) {
      const azure = await azureCosts(subscriptionId, FROM, TO);
      expect(azure.currencies).toEqual([currency]);
      const series = seriesIn(result, currency);
      expect(series.points.map(p => p.date)).toEqual(daysBetween(FROM, TO));
      expect(series.groups.map(g => g.key)).not.toContain('other');

      for (const point of series.points) {
        const dayTotal = Object.values(point.amounts).reduce(
          (sum, a) => sum + a,
          0,
        );
        expect(dayTotal).toBeCloseTo(azure.perDay.get(point.date) ?? 0, 2);
        for (const [service, amount] of Object.entries(point.amounts)) {
          expect(amount).toBeCloseTo(
            azure.perDayAndService.get(`${point.date} ${service}`) ?? 0,
            2,
          );
        }
      }
      for (const group of series.groups) {
        const expected = [...azure.perDayAndService.entries()]
          .filter(([key]) => key.slice(11) === group.key)
          .reduce((sum, [, amount]) => sum + amount, 0);
        expect(group.total).toBeCloseTo(expected, 2);
      }
      expect(series.total).toBeCloseTo(azure.total, 2);

      const previous = await azureCosts(
        subscriptionId,
        PREVIOUS_FROM,
        PREVIOUS_TO,
      );
      expect(series.previousTotal).toBeCloseTo(previous.total, 2);
    }
  });

  it('reports month totals that split at the month boundary', async () => {
    const result = await report({ granularity: 'month' });
    const azure = await azureCosts(PLATFORM, FROM, TO);
    const monthOf = (month: string) =>
      [...azure.perDay.entries()]
        .filter(([day]) => day.startsWith(month))
        .reduce((sum, [, amount]) => sum + amount, 0);
    const series = seriesIn(result, 'USD');
    const lastMonth = FROM.slice(0, 7);
    const month = TO.slice(0, 7);
    expect(series.points.map(p => p.date)).toEqual([lastMonth, month]);
    for (const point of series.points) {
      const total = Object.values(point.amounts).reduce((s, a) => s + a, 0);
      expect(total).toBeCloseTo(monthOf(point.date), 2);
    }
  });

  it('keeps the EUR subscription in its own series, never added to USD', async () => {
    const both = await report({});
    expect(both.series.map(s => s.currency)).toEqual(['EUR', 'USD']);
    expect(both.notes.join(' ')).toMatch(/2 currencies/);
    const usdOnly = await report({}, [PLATFORM]);
    const eurOnly = await report({}, [DATA_EUROPE]);
    expect(usdOnly.series.map(s => s.currency)).toEqual(['USD']);
    expect(eurOnly.series.map(s => s.currency)).toEqual(['EUR']);
    expect(seriesIn(both, 'USD').total).toBeCloseTo(usdOnly.series[0].total, 2);
    expect(seriesIn(both, 'EUR').total).toBeCloseTo(eurOnly.series[0].total, 2);
  });

  it('matches the fixed daily cost of a resource to the cent, in its currency', async () => {
    const result = await report({ groupBy: 'resource' });
    for (const [resourceId, currency] of [
      [FIXED_USD, 'USD'],
      [FIXED_EUR, 'EUR'],
    ]) {
      const series = seriesIn(result, currency);
      const key = resourceId.toLowerCase();
      const group = series.groups.find(g => g.key === key);
      const expected = daysBetween(FROM, TO).reduce(
        (sum, day) => sum + fixedCost(day),
        0,
      );
      expect(group?.total).toBeCloseTo(expected, 2);
      expect(group?.previousTotal).toBeCloseTo(
        daysBetween(PREVIOUS_FROM, PREVIOUS_TO).reduce(
          (sum, day) => sum + fixedCost(day),
          0,
        ),
        2,
      );
      for (const point of series.points) {
        expect(point.amounts[key]).toBeCloseTo(fixedCost(point.date), 2);
      }
    }
  });
});
