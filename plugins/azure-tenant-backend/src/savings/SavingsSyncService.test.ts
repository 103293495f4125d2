import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AzureEmulator,
  DEMO_APP,
  DEMO_TENANT,
} from '@azure-tenant/azure-emulator';
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { emulatorConnectionConfig } from '@azure-tenant/test-support';
import { Knex } from 'knex';
import { AzureConnection } from '../azure/azureConnection';
import { createAzureBudgetReader } from '../budgets/azure/azureBudgetReader';
import { readAzureTenantConfig } from '../config/AzureTenantConfig';
import { DatabaseAzureTenantStore } from '../database/DatabaseAzureTenantStore';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import { startTestEmulator } from '../__testUtils__/testEmulator';
import {
  DATA_EUROPE,
  PAYMENTS,
  PLATFORM,
  prepareSpendDatabase,
} from '../spend/__testUtils__/spendTestDatabase';
import { ADVISOR_COST_QUERY, createAdvisorReader } from './advisorReader';
import { DatabaseSavingsStore } from './DatabaseSavingsStore';
import { SavingsSyncService } from './SavingsSyncService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const GRAPH_PATH = /^\/providers\/Microsoft\.ResourceGraph\/resources$/i;
const BUDGETS_PATH = /\/providers\/Microsoft\.Consumption\/budgets$/i;

let emulator: AzureEmulator;
let connection: AzureConnection;
let principalId: string;

/**
 * Advisor's cost recommendations of a subscription as Resource Graph holds them, in one query without paging: what
 * the sync must end up storing.
 */
async function advisorIdsInAzure(subscriptionId: string): Promise<string[]> {
  const client = new ResourceGraphClient(
    connection.appCredential(DEMO_TENANT.id),
    connection.armClientOptions(),
  );
  const answer = await client.resources({
    subscriptions: [subscriptionId],
    query: ADVISOR_COST_QUERY,
    options: { top: 1000 },
  });
  expect(answer.skipToken).toBeUndefined();
  return (answer.data as Array<{ id: string }>)
    .map(row => row.id.toLowerCase())
    .sort();
}

beforeAll(async () => {
  emulator = await startTestEmulator();
  connection = new AzureConnection(
    readAzureTenantConfig(
      new ConfigReader({
        backend: { baseUrl: 'http://127.0.0.1:7999' },
        app: { baseUrl: 'http://127.0.0.1:7998' },
        azureTenant: emulatorConnectionConfig(emulator),
      }),
    )!,
  );
});

afterAll(async () => {
  await emulator?.stop();
});

beforeEach(() => {
  emulator.control.reset();
  emulator.control.configureThrottling({ enabled: false });
  principalId = emulator.control.consent(
    DEMO_TENANT.id,
    DEMO_APP.clientId,
  ).objectId;
  for (const subscriptionId of [PLATFORM, PAYMENTS, DATA_EUROPE]) {
    emulator.control.assignRole({
      scope: `/subscriptions/${subscriptionId}`,
      principalId,
      role: 'Reader',
    });
  }
});

describe.each(databases.eachSupportedId())('SavingsSyncService (%s)', id => {
  let knex: Knex;
  let store: DatabaseSavingsStore;
  let tenants: DatabaseAzureTenantStore;
  let logger: ReturnType<typeof mockServices.logger.mock>;
  let service: SavingsSyncService;

  afterEach(() => releaseTestDatabase(knex));

  beforeEach(async () => {
    knex = await databases.init(id);
    await prepareSpendDatabase(knex, [
      { subscriptionId: PLATFORM },
      { subscriptionId: PAYMENTS },
      { subscriptionId: DATA_EUROPE, syncMode: 'no-tags' },
    ]);
    store = new DatabaseSavingsStore(knex);
    tenants = new DatabaseAzureTenantStore(knex);
    logger = mockServices.logger.mock();
    service = new SavingsSyncService({
      store,
      subscriptions: tenants,
      // Pages of two rows, so that every subscription with more pages through $skipToken.
      advisor: createAdvisorReader({ connection, pageSize: 2 }),
      azureBudgets: createAzureBudgetReader({
        connection,
        minRemainingReads: 0,
      }),
      logger,
    });
  });

  const storedIds = async (subscriptionId: string) =>
    (
      await knex('advisor_recommendations')
        .where('subscription_id', subscriptionId)
        .select('id')
    )
      .map(row => row.id)
      .sort();

  it("stores every subscription's Advisor cost recommendations, page by page", async () => {
    const results = await service.syncAll();
    expect(results.map(r => [r.subscriptionId, r.status]).sort()).toEqual(
      [
        [DATA_EUROPE, 'succeeded'],
        [PAYMENTS, 'succeeded'],
        [PLATFORM, 'succeeded'],
      ].sort(),
    );

    const inAzure = await advisorIdsInAzure(PLATFORM);
    expect(inAzure.length).toBeGreaterThan(2);
    expect(await storedIds(PLATFORM)).toEqual(inAzure);
    expect(await storedIds(DATA_EUROPE)).toEqual(
      await advisorIdsInAzure(DATA_EUROPE),
    );
    // Pages of two: Resource Graph was asked once per page.
    const graphQueries = emulator.control
      .requests()
      .filter(r => r.method === 'POST' && GRAPH_PATH.test(r.path));
    expect(graphQueries.length).toBeGreaterThanOrEqual(
      Math.ceil(inAzure.length / 2),
    );

    const [row] = await knex('advisor_recommendations')
      .where('subscription_id', PLATFORM)
      .whereNotNull('monthly_savings')
      .limit(1);
    expect(row).toMatchObject({
      currency: 'USD',
      impact: expect.stringMatching(/^(High|Medium|Low)$/),
      problem: expect.any(String),
      resource_key: row.resource_id.toLowerCase(),
    });
    expect(row.resource_key).toMatch(
      /^\/subscriptions\/[^/]+\/resourcegroups\//,
    );
    expect(Number(row.monthly_savings)).toBeGreaterThan(0);
    const [europe] = await knex('advisor_recommendations')
      .where('subscription_id', DATA_EUROPE)
      .whereNotNull('monthly_savings')
      .limit(1);
    expect(europe.currency).toBe('EUR');

    expect(await store.listSyncStates([PLATFORM])).toEqual([
      expect.objectContaining({
        subscriptionId: PLATFORM,
        lastStatus: 'succeeded',
        lastReadAt: expect.any(String),
      }),
    ]);
  });

  it('removes a recommendation that Azure no longer makes', async () => {
    await service.syncSubscription(PLATFORM);
    const [gone] = await knex('advisor_recommendations')
      .where('subscription_id', PLATFORM)
      .orderBy('id')
      .limit(1);
    // The resource is deleted in Azure, and Advisor's recommendation on it with it.
    expect(emulator.control.deleteResource(gone.resource_id)).toBe(true);

    await service.syncSubscription(PLATFORM);
    const ids = await storedIds(PLATFORM);
    expect(ids).not.toContain(gone.id);
    expect(ids).toEqual(await advisorIdsInAzure(PLATFORM));
  });

  it("lists Azure's own budgets, with their spend and thresholds", async () => {
    emulator.control.addBudget(PAYMENTS, {
      name: 'payments-quarterly',
      amount: 2500,
      timeGrain: 'Quarterly',
      notifications: {
        actual90: {
          enabled: true,
          operator: 'GreaterThan',
          threshold: 90,
          contactEmails: ['payments@contoso.example'],
          thresholdType: 'Actual',
        },
        off: {
          enabled: false,
          operator: 'GreaterThan',
          threshold: 50,
          contactEmails: ['payments@contoso.example'],
        },
      },
    });
    await service.syncAll();

    const payments = await store.listAzureBudgets([PAYMENTS]);
    const quarterly = payments.find(b => b.name === 'payments-quarterly');
    expect(quarterly).toEqual({
      id: `/subscriptions/${PAYMENTS}/providers/Microsoft.Consumption/budgets/payments-quarterly`,
      name: 'payments-quarterly',
      subscriptionId: PAYMENTS,
      amount: 2500,
      timeGrain: 'Quarterly',
      startDate: expect.stringMatching(/^\d{4}-\d{2}-01$/),
      endDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      currentSpend: { amount: expect.any(Number), unit: 'USD' },
      forecastSpend: { amount: expect.any(Number), unit: 'USD' },
      // The disabled notification alerts nobody, so it is not shown.
      notifications: [
        { operator: 'GreaterThan', threshold: 90, thresholdType: 'Actual' },
      ],
      readAt: expect.any(String),
    });
    const platform = await store.listAzureBudgets([PLATFORM]);
    expect(platform.map(b => b.name)).toEqual(['platform-monthly']);
    expect(platform[0].notifications).toEqual([
      {
        operator: 'GreaterThanOrEqualTo',
        threshold: 80,
        thresholdType: 'Actual',
      },
      { operator: 'GreaterThan', threshold: 100, thresholdType: 'Forecasted' },
    ]);

    // A budget deleted in Azure is gone after the next read.
    emulator.control.deleteBudget(PAYMENTS, 'payments-quarterly');
    await service.syncSubscription(PAYMENTS);
    expect(
      (await store.listAzureBudgets([PAYMENTS])).map(b => b.name),
    ).not.toContain('payments-quarterly');
  });

  it('keeps the last good data of a subscription whose Reader role was removed, and says why', async () => {
    await service.syncAll();
    const platformBefore = await storedIds(PLATFORM);
    const budgetsBefore = await store.listAzureBudgets([PLATFORM]);
    expect(platformBefore.length).toBeGreaterThan(0);
    expect(budgetsBefore.length).toBeGreaterThan(0);
    const [firstRead] = await store.listSyncStates([PLATFORM]);

    emulator.control.removeRoleAssignments({
      principalId,
      scope: `/subscriptions/${PLATFORM}`,
    });
    const results = await service.syncAll();

    const platform = results.find(r => r.subscriptionId === PLATFORM)!;
    expect(platform.status).toBe('failed');
    expect(platform.error).toMatch(/no longer has the Reader role/);
    // The others are read as before.
    expect(
      results.filter(r => r.subscriptionId !== PLATFORM).map(r => r.status),
    ).toEqual(['succeeded', 'succeeded']);
    expect(await storedIds(PLATFORM)).toEqual(platformBefore);
    expect(await store.listAzureBudgets([PLATFORM])).toEqual(budgetsBefore);
    expect(await store.listSyncStates([PLATFORM])).toEqual([
      {
        subscriptionId: PLATFORM,
        lastReadAt: firstRead.lastReadAt,
        lastAttemptAt: expect.any(String),
        lastStatus: 'failed',
        lastError: expect.stringMatching(/Reader role/),
      },
    ]);
    // Logged at warn, as a sentence: no token and no raw error.
    const warning = logger.warn.mock.calls.find(([message]) =>
      String(message).includes(PLATFORM),
    );
    expect(warning?.[0]).toMatch(/are kept: .*Reader role/);
    expect(JSON.stringify(warning)).not.toMatch(/Bearer|eyJ[\w-]+\./);
  });

  it('reads only budgets for a subscription in sync mode none, and drops its recommendations', async () => {
    await service.syncSubscription(PAYMENTS);
    expect((await storedIds(PAYMENTS)).length).toBeGreaterThan(0);
    await tenants.setSyncMode(PAYMENTS, 'none', new Date());
    emulator.control.addBudget(PAYMENTS, { name: 'payments-cap', amount: 900 });
    emulator.control.clearRequests();

    const result = await service.syncSubscription(PAYMENTS);
    expect(result).toMatchObject({ status: 'succeeded', recommendations: 0 });
    expect(await storedIds(PAYMENTS)).toEqual([]);
    const requests = emulator.control.requests();
    expect(requests.some(r => GRAPH_PATH.test(r.path))).toBe(false);
    expect(requests.some(r => BUDGETS_PATH.test(r.path))).toBe(true);
    expect(
      (await store.listAzureBudgets([PAYMENTS])).map(b => b.name),
    ).toContain('payments-cap');
  });
});
