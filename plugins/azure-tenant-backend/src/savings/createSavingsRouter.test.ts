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
  AzureEmulator,
  DEMO_SUBSCRIPTIONS,
} from '@azure-tenant/azure-emulator';
import {
  azureResourceEntityRef,
  azureSubscriptionEntityRef,
  SavingsReport,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { AzureConnection } from '../azure/azureConnection';
import { createAzureBudgetReader } from '../budgets/azure/azureBudgetReader';
import { AzureBudgetOperations } from '../budgets/azure/AzureBudgetOperations';
import { createAzureBudgetsRouter } from '../budgets/azure/createAzureBudgetsRouter';
import { DatabaseSpendStore } from '../spend/DatabaseSpendStore';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import {
  createSyncFixture,
  grantPortalAccess,
} from '../__testUtils__/syncFixture';
import { startTestEmulator } from '../__testUtils__/testEmulator';
import { ConfigReader } from '@backstage/config';
import { emulatorConnectionConfig } from '@azure-tenant/test-support';
import { readAzureTenantConfig } from '../config/AzureTenantConfig';
import { createAdvisorReader } from './advisorReader';
import { createSavingsRouter } from './createSavingsRouter';
import { DatabaseSavingsStore } from './DatabaseSavingsStore';
import { SavingsOperations } from './SavingsOperations';
import { SavingsSyncService } from './SavingsSyncService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const {
  platform: PLATFORM,
  payments: PAYMENTS,
  dataEurope: DATA_EUROPE,
} = DEMO_SUBSCRIPTIONS;
const SPEND_READ = 'azure-tenant.spend.read';

type RecommendationRow = {
  id: string;
  subscription_id: string;
  resource_id: string;
  monthly_savings: number | string | null;
  currency: string | null;
};

/** Sums amounts per currency in whole cents, apart from the code under test. */
function expectedTotals(rows: RecommendationRow[]) {
  const cents = new Map<string, number>();
  for (const row of rows) {
    if (row.monthly_savings === null || !row.currency) continue;
    const amount = Math.round(Number(row.monthly_savings) * 100);
    cents.set(row.currency, (cents.get(row.currency) ?? 0) + amount);
  }
  return [...cents.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, total]) => ({ currency, monthlySavings: total / 100 }));
}

let emulator: AzureEmulator;
let connection: AzureConnection;

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

describe.each(databases.eachSupportedId())(
  'GET /savings and GET /azure-budgets (%s)',
  databaseId => {
    let knex: Knex;
    let sync: SavingsSyncService;
    let rows: RecommendationRow[];
    /** The entity refs whose spend the caller may not read. */
    let denied: Set<string>;
    let app: express.Express;
    let principalId: string;

    /** A team that owns one resource of Platform (USD) and one of Data Europe (EUR), and a team that owns Payments. */
    function fakeCatalog(
      platformResource: string,
      europeResource: string,
    ): CatalogService {
      const annotated = (resourceId: string) => ({
        metadata: {
          annotations: { 'management.azure.com/resourceId': resourceId },
        },
      });
      const entities: Record<string, any> = {
        'group:default/finops': {
          kind: 'Group',
          metadata: { name: 'finops', annotations: {} },
        },
        'group:default/payments': {
          kind: 'Group',
          metadata: { name: 'payments', annotations: {} },
        },
      };
      const owned: Record<string, any[]> = {
        'group:default/finops': [
          annotated(platformResource),
          annotated(europeResource),
        ],
        'group:default/payments': [annotated(`/subscriptions/${PAYMENTS}`)],
      };
      return {
        getEntityByRef: async (ref: string) => entities[ref],
        getEntities: async (req: any) => ({
          items: owned[req.filter['relations.ownedBy']] ?? [],
        }),
      } as unknown as CatalogService;
    }

    afterEach(() => releaseTestDatabase(knex));

    beforeEach(async () => {
      emulator.control.reset();
      emulator.control.configureThrottling({ enabled: false });
      principalId = grantPortalAccess(emulator);
      knex = await databases.init(databaseId);
      // Resources synced as the resource sync does, so that a resource is known to the portal.
      const fixture = await createSyncFixture(knex, emulator);
      for (const subscriptionId of Object.values(DEMO_SUBSCRIPTIONS)) {
        const subscription = await fixture.store.getSubscription(
          subscriptionId,
        );
        const synced = await fixture.syncer.sync(subscription!);
        if (synced.status !== 'succeeded') {
          throw new Error(`Resource sync failed: ${synced.error}`);
        }
      }
      const store = new DatabaseSavingsStore(knex);
      sync = new SavingsSyncService({
        store,
        subscriptions: fixture.store,
        advisor: createAdvisorReader({ connection }),
        azureBudgets: createAzureBudgetReader({
          connection,
          minRemainingReads: 0,
        }),
        logger: mockServices.logger.mock(),
      });
      await sync.syncAll();
      rows = await knex('advisor_recommendations').select();

      const withSavings = (subscriptionId: string) =>
        rows
          .filter(
            r => r.subscription_id === subscriptionId && r.monthly_savings,
          )
          .sort((a, b) => a.id.localeCompare(b.id));
      const [platformRow] = withSavings(PLATFORM);
      const [europeRow] = withSavings(DATA_EUROPE);
      denied = new Set();
      const permissions = {
        authorize: jest.fn(async (requests: any[]) =>
          requests.map(r => ({
            result:
              r.permission.name === SPEND_READ && denied.has(r.resourceRef)
                ? AuthorizeResult.DENY
                : AuthorizeResult.ALLOW,
          })),
        ),
      } as any;
      const httpAuth = mockServices.httpAuth({
        defaultCredentials: mockCredentials.user(),
      });
      app = express()
        .use(
          await createSavingsRouter({
            savings: new SavingsOperations({
              store,
              spendStore: new DatabaseSpendStore(knex),
              permissions,
              catalog: fakeCatalog(
                platformRow.resource_id,
                europeRow.resource_id,
              ),
              auth: mockServices.auth(),
            }),
            httpAuth,
          }),
        )
        .use(
          await createAzureBudgetsRouter({
            azureBudgets: new AzureBudgetOperations({
              store,
              subscriptions: fixture.store,
              permissions,
            }),
            httpAuth,
          }),
        )
        .use(mockErrorHandler());
    });

    const savings = async (query: string): Promise<SavingsReport> => {
      const response = await request(app).get(`/savings?${query}`);
      expect(response.status).toBe(200);
      return response.body;
    };
    const rowsOf = (subscriptionId: string) =>
      rows.filter(r => r.subscription_id === subscriptionId);

    it("sums a subscription's recommendations in its currency", async () => {
      const report = await savings(`subscriptionId=${PLATFORM}`);
      const expected = rowsOf(PLATFORM);
      expect(expected.length).toBeGreaterThan(1);
      expect(report.recommendations.map(r => r.id).sort()).toEqual(
        expected.map(r => r.id).sort(),
      );
      expect(report.totals).toEqual(expectedTotals(expected));
      expect(report.totals.map(t => t.currency)).toEqual(['USD']);
      // The biggest saving first.
      const amounts = report.recommendations.map(r => r.monthlySavings ?? -1);
      expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
      expect(report.readAt).toEqual(expect.any(String));
      expect(report.notes).toEqual([]);

      const europe = await savings(`subscriptionId=${DATA_EUROPE}`);
      expect(europe.totals).toEqual(expectedTotals(rowsOf(DATA_EUROPE)));
      expect(europe.totals.map(t => t.currency)).toEqual(['EUR']);
    });

    it("shows a resource's own recommendation, whatever the case of its id", async () => {
      const [row] = rowsOf(PLATFORM).filter(r => r.monthly_savings);
      const report = await savings(
        `resourceId=${encodeURIComponent(row.resource_id.toUpperCase())}`,
      );
      expect(report.recommendations).toEqual([
        expect.objectContaining({
          id: row.id,
          resourceId: row.resource_id,
          subscriptionId: PLATFORM,
          monthlySavings: Number(row.monthly_savings),
          currency: 'USD',
        }),
      ]);
      expect(report.totals).toEqual([
        { currency: 'USD', monthlySavings: Number(row.monthly_savings) },
      ]);
    });

    it('sums what a team owns per currency, never mixing them', async () => {
      const report = await savings('entityRef=group%3Adefault%2Ffinops');
      expect(report.recommendations).toHaveLength(2);
      expect(report.totals.map(t => t.currency)).toEqual(['EUR', 'USD']);
      const owned = rows.filter(r =>
        report.recommendations.some(o => o.id === r.id),
      );
      expect(report.totals).toEqual(expectedTotals(owned));

      // A team that owns a whole subscription gets all of its recommendations.
      const payments = await savings('entityRef=group%3Adefault%2Fpayments');
      expect(payments.recommendations.map(r => r.id).sort()).toEqual(
        rowsOf(PAYMENTS)
          .map(r => r.id)
          .sort(),
      );
      expect(payments.totals).toEqual(expectedTotals(rowsOf(PAYMENTS)));
    });

    it('refuses a caller who may not read the spend of the target', async () => {
      denied.add(azureSubscriptionEntityRef(PLATFORM));
      const response = await request(app).get(
        `/savings?subscriptionId=${PLATFORM}`,
      );
      expect(response.status).toBe(403);
      expect(response.body.error.message).toContain('may not see the spend');

      const [row] = rowsOf(PAYMENTS);
      denied.add(azureResourceEntityRef(row.resource_id));
      const resource = await request(app).get(
        `/savings?resourceId=${encodeURIComponent(row.resource_id)}`,
      );
      expect(resource.status).toBe(403);

      denied.add('group:default/finops');
      expect(
        (await request(app).get('/savings?entityRef=group%3Adefault%2Ffinops'))
          .status,
      ).toBe(403);
    });

    it('answers a bad or unknown target with a 4xx that says why', async () => {
      const both = await request(app).get(
        `/savings?subscriptionId=${PLATFORM}&entityRef=group%3Adefault%2Ffinops`,
      );
      expect(both.status).toBe(400);
      expect(both.body.error.message).toContain('exactly one');
      const unknown = await request(app).get(
        '/savings?subscriptionId=00000000-1111-4222-8333-444444444444',
      );
      expect(unknown.status).toBe(404);
      expect(
        (await request(app).get('/savings?entityRef=group%3Adefault%2Fnobody'))
          .status,
      ).toBe(404);
    });

    it("keeps showing a subscription's last good recommendations when Azure refuses, with a note", async () => {
      const before = await savings(`subscriptionId=${PLATFORM}`);
      emulator.control.removeRoleAssignments({
        principalId,
        scope: `/subscriptions/${PLATFORM}`,
      });
      await sync.syncAll();

      const after = await savings(`subscriptionId=${PLATFORM}`);
      expect(after.recommendations).toEqual(before.recommendations);
      expect(after.totals).toEqual(before.totals);
      expect(after.readAt).toBe(before.readAt);
      expect(after.notes).toEqual([
        expect.stringMatching(
          new RegExp(
            `last read of subscription ${PLATFORM} from Azure failed .*Reader role.*read at ${before.readAt}`,
          ),
        ),
      ]);
    });

    it("lists Azure's budgets of the subscriptions whose spend the caller may read", async () => {
      const all = await request(app).get('/azure-budgets');
      expect(all.status).toBe(200);
      const inAzure = (
        await knex('azure_budgets').select('name', 'subscription_id')
      ).map(b => `${b.subscription_id}/${b.name}`);
      expect(inAzure).toContain(`${PLATFORM}/platform-monthly`);
      expect(
        all.body.items.map((b: any) => `${b.subscriptionId}/${b.name}`).sort(),
      ).toEqual(inAzure.sort());

      const one = await request(app).get(
        `/azure-budgets?subscriptionId=${PLATFORM.toUpperCase()}`,
      );
      expect(one.status).toBe(200);
      expect(one.body.items).toEqual([
        expect.objectContaining({
          name: 'platform-monthly',
          subscriptionId: PLATFORM,
          amount: 10000,
          timeGrain: 'Monthly',
          currentSpend: { amount: expect.any(Number), unit: 'USD' },
        }),
      ]);

      denied.add(azureSubscriptionEntityRef(PLATFORM));
      const filtered = await request(app).get('/azure-budgets');
      expect(filtered.status).toBe(200);
      expect(
        filtered.body.items.filter((b: any) => b.subscriptionId === PLATFORM),
      ).toEqual([]);
      expect(filtered.body.items.length).toBe(inAzure.length - 1);
      const refused = await request(app).get(
        `/azure-budgets?subscriptionId=${PLATFORM}`,
      );
      expect(refused.status).toBe(403);

      const unknown = await request(app).get(
        '/azure-budgets?subscriptionId=00000000-1111-4222-8333-444444444444',
      );
      expect(unknown.status).toBe(404);
      const notGuid = await request(app).get(
        '/azure-budgets?subscriptionId=platform',
      );
      expect(notGuid.status).toBe(400);
    });
  },
);
