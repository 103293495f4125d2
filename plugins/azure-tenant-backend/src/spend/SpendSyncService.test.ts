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
import { Knex } from 'knex';
import { AzureAccessProblem } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureConnection } from '../azure/azureConnection';
import { DatabaseAzureTenantStore } from '../database/DatabaseAzureTenantStore';
import { lostAccessRetryDelayMs } from '../sync/SyncConfig';
import { readAzureTenantConfig } from '../config/AzureTenantConfig';
import { createCostManagementReader } from './costManagementReader';
import { DatabaseSpendStore } from './DatabaseSpendStore';
import { SpendSyncService } from './SpendSyncService';
import {
  DATA_EUROPE,
  PAYMENTS,
  PLATFORM,
  prepareSpendDatabase,
  prepareSubscription,
} from './__testUtils__/spendTestDatabase';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import { emulatorConnectionConfig } from '@azure-tenant/test-support';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

let emulator: AzureEmulator;
let stateDir: string;
let connection: AzureConnection;

const DAY_MS = 86_400_000;
const daysAgo = (n: number) =>
  new Date(Date.now() - n * DAY_MS).toISOString().slice(0, 10);
const QUERY_PATH = /\/providers\/Microsoft\.CostManagement\/query$/i;

/** A connection to the emulator as the demo app, with no token cached yet. */
function emulatorAzureConnection() {
  return new AzureConnection(
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
}

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-tenant-spend-'));
  emulator = await startAzureEmulator({
    port: 0,
    stateDir,
    // Small pages, so that every 31-day window pages through nextLink.
    costQueryPageSize: 1000,
  });
  connection = emulatorAzureConnection();
});

afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

beforeEach(() => {
  emulator.control.reset();
  // The default Cost Management budget (12 requests, one more every 5 s) would make the suite slow; throttling is
  // tested with an injected 429.
  emulator.control.configureThrottling({ enabled: false });
  const principal = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
  for (const subscriptionId of [PLATFORM, PAYMENTS, DATA_EUROPE]) {
    emulator.control.assignRole({
      scope: `/subscriptions/${subscriptionId}`,
      principalId: principal.objectId,
      role: 'Reader',
    });
  }
});

describe.each(databases.eachSupportedId())('SpendSyncService (%s)', id => {
  let knex: Knex;
  let store: DatabaseSpendStore;
  let service: SpendSyncService;

  afterEach(() => releaseTestDatabase(knex));

  beforeEach(async () => {
    knex = await databases.init(id);
    await prepareSpendDatabase(knex, [
      { subscriptionId: PLATFORM },
      { subscriptionId: PAYMENTS, syncMode: 'none' },
      { subscriptionId: DATA_EUROPE, syncMode: 'no-tags' },
    ]);
    store = new DatabaseSpendStore(knex);
    service = new SpendSyncService({
      store,
      reader: createCostManagementReader({ connection }),
      logger: mockServices.logger.mock(),
      config: { lookbackDays: 35, restatementDays: 5, concurrency: 2 },
    });
  });

  const rowsOf = (subscriptionId: string) =>
    knex('spend_daily').where('subscription_id', subscriptionId);

  it('backfills the look-back, then re-reads only the restated days', async () => {
    const first = await service.syncSubscription(PLATFORM);
    expect(first).toMatchObject({
      status: 'succeeded',
      ranges: [{ from: daysAgo(34), to: daysAgo(0) }],
    });
    const days = await rowsOf(PLATFORM).distinct('usage_date');
    expect(days.length).toBe(35);
    expect(await store.getSyncState(PLATFORM)).toMatchObject({
      backfilledFrom: daysAgo(34),
      syncedThrough: daysAgo(0),
      lastStatus: 'succeeded',
    });

    // Mark an old day and a restated day; only the restated one is read again.
    const [old] = await rowsOf(PLATFORM).where('usage_date', daysAgo(30));
    const [recent] = await rowsOf(PLATFORM).where('usage_date', daysAgo(2));
    const mark = (row: any) =>
      knex('spend_daily')
        .where({
          subscription_id: PLATFORM,
          usage_date: row.usage_date,
          resource_key: row.resource_key,
          service_name: row.service_name,
        })
        .update({ amount: 12345 });
    await mark(old);
    await mark(recent);
    emulator.control.clearRequests();

    const second = await service.syncSubscription(PLATFORM);
    expect(second).toMatchObject({
      status: 'succeeded',
      ranges: [{ from: daysAgo(4), to: daysAgo(0) }],
    });
    const amountOf = async (row: any) =>
      Number(
        (
          await rowsOf(PLATFORM).where({
            usage_date: row.usage_date,
            resource_key: row.resource_key,
            service_name: row.service_name,
          })
        )[0].amount,
      );
    expect(await amountOf(old)).toBe(12345);
    expect(await amountOf(recent)).toBeCloseTo(Number(recent.amount), 6);
    // One window: the locations and the daily costs, each in a single page for 5 days.
    const queries = emulator.control
      .requests()
      .filter(r => QUERY_PATH.test(r.path));
    expect(queries).toHaveLength(2);
  });

  it('follows nextLink paging and stores every row', async () => {
    await service.syncSubscription(PLATFORM);
    const paged = emulator.control
      .requests()
      .filter(r => QUERY_PATH.test(r.path) && /skiptoken/i.test(r.query ?? ''));
    expect(paged.length).toBeGreaterThan(0);

    const client = new CostManagementClient(
      connection.appCredential(DEMO_TENANT.id),
      connection.armClientOptions(),
    );
    const total = await client.query.usage(`/subscriptions/${PLATFORM}`, {
      type: 'ActualCost',
      timeframe: 'Custom',
      timePeriod: {
        from: new Date(`${daysAgo(34)}T00:00:00Z`),
        to: new Date(`${daysAgo(0)}T23:59:59Z`),
      },
      dataset: {
        aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
      },
    });
    const [{ sum }] = await rowsOf(PLATFORM).sum({ sum: 'amount' });
    expect(Number(sum)).toBeCloseTo(Number(total.rows![0][0]), 4);
  });

  it('honours a 429 with Retry-After without failing the sync', async () => {
    emulator.control.injectFault({
      match: { method: 'POST', pathPattern: 'CostManagement/query$' },
      status: 429,
      retryAfterSeconds: 1,
      times: 2,
    });
    const result = await service.syncSubscription(PLATFORM);
    expect(result.status).toBe('succeeded');
    const statuses = emulator.control
      .requests()
      .filter(r => QUERY_PATH.test(r.path))
      .map(r => r.status);
    expect(statuses.slice(0, 3)).toEqual([429, 429, 200]);
  });

  it('takes a query with no rows (204 No Content, as the spec allows) as no spend, not a failure', async () => {
    const fixture: EmulatorFixture = JSON.parse(
      fs.readFileSync(DEMO_FIXTURE_PATH, 'utf8'),
    );
    const subscription = fixture.subscriptions!.find(
      s => s.subscriptionId === DATA_EUROPE,
    )!;
    for (const r of subscription.resources!) {
      emulator.control.deleteResource(
        `/subscriptions/${DATA_EUROPE}/resourceGroups/${r.resourceGroup}/providers/${r.type}/${r.name}`,
      );
    }
    const result = await service.syncSubscription(DATA_EUROPE);
    expect(result).toMatchObject({ status: 'succeeded', rows: 0 });
    const statuses = emulator.control
      .requests()
      .filter(r => QUERY_PATH.test(r.path))
      .map(r => r.status);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every(status => status === 204)).toBe(true);
    expect(await store.getSyncState(DATA_EUROPE)).toMatchObject({
      lastStatus: 'succeeded',
    });
  });

  it('keeps the stored spend when a sync fails, and records the failure', async () => {
    await service.syncSubscription(PLATFORM);
    const before = await rowsOf(PLATFORM).count({ count: '*' });
    const fault = emulator.control.injectFault({
      match: { method: 'POST', pathPattern: 'CostManagement/query$' },
      status: 403,
      code: 'AuthorizationFailed',
      times: 0,
    });
    const result = await service.syncSubscription(PLATFORM);
    emulator.control.clearFaults(fault.id);
    expect(result.status).toBe('failed');
    expect(await rowsOf(PLATFORM).count({ count: '*' })).toEqual(before);
    const state = await store.getSyncState(PLATFORM);
    expect(state).toMatchObject({ lastStatus: 'failed' });
    expect(state?.lastError).toBeTruthy();
    expect(state?.lastSyncedAt).toBeTruthy();
  });

  it('syncs every subscription, whatever its sync mode, each in its own currency', async () => {
    const results = await service.syncAll();
    expect(results.map(r => [r.subscriptionId, r.status]).sort()).toEqual(
      [
        [DATA_EUROPE, 'succeeded'],
        [PAYMENTS, 'succeeded'],
        [PLATFORM, 'succeeded'],
      ].sort(),
    );
    expect(
      (await rowsOf(DATA_EUROPE).distinct('currency')).map(r => r.currency),
    ).toEqual(['EUR']);
    expect(
      (await rowsOf(PAYMENTS).distinct('currency')).map(r => r.currency),
    ).toEqual(['USD']);
    const [{ count }] = await rowsOf(PAYMENTS).count({ count: '*' });
    expect(Number(count)).toBeGreaterThan(0);
  });

  it('also syncs, in the same run, a subscription registered while the run went on', async () => {
    // Only PLATFORM and PAYMENTS are there when the run starts; DATA_EUROPE is registered during PLATFORM's first read,
    // as when a tenant is connected while the scheduled run is going on (its trigger then finds the task running).
    await knex('subscriptions').where('subscription_id', DATA_EUROPE).delete();
    const reader = createCostManagementReader({ connection });
    let registered = false;
    const registeringService = new SpendSyncService({
      store,
      reader: {
        readMonthForecast: options => reader.readMonthForecast(options),
        readDailyCosts: async options => {
          if (!registered) {
            registered = true;
            await prepareSubscription(knex, DATA_EUROPE);
          }
          return reader.readDailyCosts(options);
        },
      },
      logger: mockServices.logger.mock(),
      config: { lookbackDays: 35, restatementDays: 5, concurrency: 1 },
    });

    const results = await registeringService.syncAll();
    expect(results.map(r => [r.subscriptionId, r.status])).toEqual([
      [PLATFORM, 'succeeded'],
      [PAYMENTS, 'succeeded'],
      [DATA_EUROPE, 'succeeded'],
    ]);
    const [{ count }] = await rowsOf(DATA_EUROPE).count({ count: '*' });
    expect(Number(count)).toBeGreaterThan(0);
  });
  const HOUR = 3_600_000;
  /** A spend sync's options that keep lost access on the tenant store, on a clock of the test's. */
  const lostAccessAware = (
    tenants: DatabaseAzureTenantStore,
    now: () => Date,
  ) => ({
    logger: mockServices.logger.mock(),
    config: { lookbackDays: 35, restatementDays: 5, concurrency: 2 },
    now,
    access: {
      store: tenants,
      retryDelayMs: (attempts: number) =>
        lostAccessRetryDelayMs(attempts, HOUR, 24 * HOUR),
    },
  });
  // Each state is driven through the emulator's control API (packages/azure-emulator/src/control/lostAccess.test.ts
  // cites the Learn page each follows): an enterprise app deleted, the Reader role removed, a subscription disabled
  // (Cost Management's query is a POST, which Azure refuses with 409 ReadOnlyDisabledSubscription).
  const LOST_ACCESS: Array<{
    name: string;
    problem: AzureAccessProblem;
    sentence: RegExp;
    /** Whether a spend read that works clears it (a disabled subscription is cleared by the resource sync). */
    clearedBySpend: boolean;
    lose: () => void;
    restore: () => void;
    tokenExpires?: boolean;
  }> = [
    {
      name: 'consent revoked (service principal deleted)',
      problem: 'consent-revoked',
      sentence: /AADSTS7000229.*reconnect the tenant/,
      clearedBySpend: true,
      lose: () => {
        emulator.control.deleteServicePrincipal(
          DEMO_TENANT.id,
          DEMO_APP.clientId,
        );
      },
      // A token issued before outlives the revocation until it expires (an hour in Azure): the sync that meets the
      // revocation is one whose reader has no token yet.
      tokenExpires: true,
      restore: () => {
        emulator.control.restoreServicePrincipal(
          DEMO_TENANT.id,
          DEMO_APP.clientId,
        );
      },
    },
    {
      name: 'read denied (Reader removed)',
      problem: 'read-denied',
      sentence: new RegExp(
        `no longer has the Reader role on subscription ${PLATFORM}`,
      ),
      clearedBySpend: true,
      lose: () =>
        emulator.control.removeRoleAssignments({
          principalId: emulator.control.servicePrincipal(
            DEMO_TENANT.id,
            DEMO_APP.clientId,
          )!.objectId,
          scope: `/subscriptions/${PLATFORM}`,
          role: 'Reader',
        }),
      restore: () =>
        emulator.control.assignRole({
          scope: `/subscriptions/${PLATFORM}`,
          principalId: emulator.control.servicePrincipal(
            DEMO_TENANT.id,
            DEMO_APP.clientId,
          )!.objectId,
          role: 'Reader',
        }),
    },
    {
      name: 'subscription Disabled (409 ReadOnlyDisabledSubscription)',
      problem: 'subscription-disabled',
      sentence: new RegExp(`Azure has disabled subscription ${PLATFORM}`),
      clearedBySpend: false,
      lose: () => emulator.control.setSubscriptionState(PLATFORM, 'Disabled'),
      restore: () => emulator.control.setSubscriptionState(PLATFORM, 'Enabled'),
    },
  ];

  it.each(LOST_ACCESS.map(c => [c.name, c] as const))(
    'lost access, %s: keeps the stored spend, records the state, skips while backing off, and reads again once access is back',
    async (_name, c) => {
      let clock = new Date();
      const tenants = new DatabaseAzureTenantStore(knex);
      let reader = createCostManagementReader({
        connection: emulatorAzureConnection(),
      });
      const lostAware = new SpendSyncService({
        store,
        reader: {
          readDailyCosts: options => reader.readDailyCosts(options),
          readMonthForecast: options => reader.readMonthForecast(options),
        },
        ...lostAccessAware(tenants, () => clock),
      });
      const spendOf = async () =>
        rowsOf(PLATFORM)
          .select('usage_date', 'resource_key', 'amount')
          .orderBy(['usage_date', 'resource_key']);
      expect((await lostAware.syncSubscription(PLATFORM)).status).toBe(
        'succeeded',
      );
      const stored = await spendOf();
      expect(stored.length).toBeGreaterThan(0);
      const lastSyncedAt = (await store.getSyncState(PLATFORM))!.lastSyncedAt;

      c.lose();
      if (c.tokenExpires) {
        reader = createCostManagementReader({
          connection: emulatorAzureConnection(),
        });
      }
      try {
        clock = new Date(clock.getTime() + 60_000);
        const failed = await lostAware.syncSubscription(PLATFORM);
        expect(failed.status).toBe('failed');
        expect(failed.error).toMatch(c.sentence);
        // The spend stored before is all there; the failure is kept as the sentence, never the raw error.
        expect(await spendOf()).toEqual(stored);
        const state = await store.getSyncState(PLATFORM);
        expect(state).toMatchObject({ lastStatus: 'failed', lastSyncedAt });
        expect(state!.lastError).toMatch(c.sentence);
        expect(state!.lastError).not.toMatch(
          /AuthenticationRequiredError|scopes|tracingOptions|RestError/,
        );
        const { access } = (await tenants.getSubscription(PLATFORM))!;
        expect(access).toMatchObject({
          problem: c.problem,
          message: expect.stringMatching(c.sentence),
          nextAttemptAt: new Date(clock.getTime() + HOUR).toISOString(),
        });
        // Consent is the whole tenant's; the other problems are the subscription's own.
        expect((await tenants.listTenants())[0].access?.problem).toBe(
          c.problem === 'consent-revoked' ? c.problem : undefined,
        );

        // Before nextAttemptAt a run asks Cost Management nothing, and says why.
        const mark = emulator.control.requests().at(-1)?.seq ?? 0;
        clock = new Date(clock.getTime() + HOUR - 60_000);
        expect(await lostAware.syncSubscription(PLATFORM)).toMatchObject({
          status: 'skipped',
          error: expect.stringMatching(c.sentence),
        });
        expect(
          emulator.control.requests(mark).filter(r => QUERY_PATH.test(r.path)),
        ).toEqual([]);
        expect(await spendOf()).toEqual(stored);
      } finally {
        c.restore();
      }

      // At nextAttemptAt it reads again; with access back, the sync works and clears what a read proves.
      clock = new Date(clock.getTime() + 120_000);
      const mark = emulator.control.requests().at(-1)?.seq ?? 0;
      expect((await lostAware.syncSubscription(PLATFORM)).status).toBe(
        'succeeded',
      );
      expect(
        emulator.control.requests(mark).filter(r => QUERY_PATH.test(r.path))
          .length,
      ).toBeGreaterThan(0);
      expect((await store.getSyncState(PLATFORM))!.lastStatus).toBe(
        'succeeded',
      );
      const after = (await tenants.getSubscription(PLATFORM))!.access;
      expect(after?.problem).toBe(c.clearedBySpend ? undefined : c.problem);
      expect((await tenants.listTenants())[0].access).toBeUndefined();
    },
  );

  it('a sync whose reads began before access was lost does not clear the problem found meanwhile; the next one does', async () => {
    let clock = new Date();
    const tenants = new DatabaseAzureTenantStore(knex);
    const costs = createCostManagementReader({ connection });
    let found = false;
    const racing = new SpendSyncService({
      store,
      reader: {
        // Another check (the resource sync, say) finds read-denied while this sync is reading.
        readDailyCosts: async options => {
          const read = await costs.readDailyCosts(options);
          if (!found) {
            found = true;
            clock = new Date(clock.getTime() + 1000);
            await tenants.recordAccessProblem(
              { subscriptionId: PLATFORM },
              {
                problem: 'read-denied',
                message: 'The portal no longer has the Reader role',
                at: clock,
              },
            );
          }
          return read;
        },
        readMonthForecast: options => costs.readMonthForecast(options),
      },
      ...lostAccessAware(tenants, () => clock),
    });

    expect((await racing.syncSubscription(PLATFORM)).status).toBe('succeeded');
    expect(found).toBe(true);
    expect((await tenants.getSubscription(PLATFORM))!.access?.problem).toBe(
      'read-denied',
    );

    // A sync that starts after the problem was met, and reads, proves the role is there.
    clock = new Date(clock.getTime() + 1000);
    expect((await racing.syncSubscription(PLATFORM)).status).toBe('succeeded');
    expect((await tenants.getSubscription(PLATFORM))!.access).toBeUndefined();
  });

  it('stores the month-end forecast of the current month', async () => {
    await service.syncSubscription(DATA_EUROPE);
    const state = await store.getSyncState(DATA_EUROPE);
    const month = daysAgo(0).slice(0, 7);
    expect(state?.forecast).toMatchObject({ month, currency: 'EUR' });
    const [{ sum }] = await rowsOf(DATA_EUROPE)
      .where('usage_date', '>=', `${month}-01`)
      .sum({ sum: 'amount' });
    expect(state!.forecast!.monthEnd).toBeGreaterThan(Number(sum));
  });

  it('stores locations and resource groups for grouping', async () => {
    await service.syncSubscription(PLATFORM);
    const rows = await rowsOf(PLATFORM).whereNot('resource_key', '').limit(50);
    for (const row of rows) {
      expect(row.location).not.toBe('');
      expect(row.resource_key).toContain(
        `/resourcegroups/${row.resource_group}/`,
      );
    }
  });
});
