import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  azureSubscriptionEntityRef,
  azureTenantSpendReadPermission,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureEmulator, DEMO_TENANT } from '@azure-tenant/azure-emulator';
import {
  emulatorConnectionConfig,
  eventually,
} from '@azure-tenant/test-support';
import { Knex } from 'knex';
import request from 'supertest';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import {
  DEMO_SUBSCRIPTIONS,
  grantPortalAccess,
} from '../__testUtils__/syncFixture';
import { startTestEmulator } from '../__testUtils__/testEmulator';
import { callerRef } from '../service/caller';
import { azureTenantPlugin } from '../plugin';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const { platform: PLATFORM, payments: PAYMENTS } = DEMO_SUBSCRIPTIONS;
const ALICE = 'user:default/alice';
const ACTIONS = '/api/azure-tenant/.backstage/actions/v1/actions';

let emulator: AzureEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator?.stop();
});

describe.each(databases.eachSupportedId())(
  'the savings actions, in the plugin (%s)',
  databaseId => {
    let knex: Knex;
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    /** The subscription entities whose spend Alice may not read. */
    const denied = new Set<string>();

    beforeAll(async () => {
      emulator.control.reset();
      grantPortalAccess(emulator, 'Reader');
      knex = await databases.init(databaseId);
      backend = await startTestBackend({
        features: [
          azureTenantPlugin,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://localhost:3000' },
              backend: { baseUrl: 'http://localhost:7007' },
              azureTenant: {
                ...emulatorConnectionConfig(emulator),
                tenants: [
                  {
                    tenantId: DEMO_TENANT.id,
                    subscriptions: Object.values(DEMO_SUBSCRIPTIONS).map(
                      subscriptionId => ({ subscriptionId }),
                    ),
                  },
                ],
              },
            },
          }),
          mockServices.permissions.mock({
            authorize: async (requests, options) =>
              requests.map(r => ({
                result:
                  r.permission.name === azureTenantSpendReadPermission.name &&
                  callerRef(options.credentials as BackstageCredentials) ===
                    ALICE &&
                  denied.has((r as { resourceRef?: string }).resourceRef ?? '')
                    ? AuthorizeResult.DENY
                    : AuthorizeResult.ALLOW,
              })),
          }).factory,
        ],
      });
    });

    afterAll(async () => {
      await backend?.stop();
      await releaseTestDatabase(knex);
    });

    beforeEach(() => denied.clear());

    const invoke = (name: string, input: object) =>
      request(backend.server)
        .post(`${ACTIONS}/azure-tenant:${name}/invoke`)
        .set('authorization', mockCredentials.user.header(ALICE))
        .send(input);
    const api = (path: string) =>
      request(backend.server)
        .get(`/api/azure-tenant${path}`)
        .set('authorization', mockCredentials.user.header(ALICE));

    it('reads savings at start, and get-savings answers what GET /savings answers', async () => {
      // The savings sync runs at start, with no delay.
      await eventually(async () => {
        const states = await knex('savings_sync_state').select();
        expect(states.map(s => s.last_status)).toEqual([
          'succeeded',
          'succeeded',
          'succeeded',
        ]);
      });
      const action = await invoke('get-savings', { subscriptionId: PLATFORM });
      expect(action.status).toBe(200);
      const rest = await api(`/savings?subscriptionId=${PLATFORM}`);
      expect(rest.status).toBe(200);
      expect(action.body.output).toEqual(rest.body);
      expect(rest.body.recommendations.length).toBeGreaterThan(0);
      expect(rest.body.totals).toEqual([
        { currency: 'USD', monthlySavings: expect.any(Number) },
      ]);

      const twoTargets = await invoke('get-savings', {
        subscriptionId: PLATFORM,
        entityRef: 'group:default/platform',
      });
      expect(twoTargets.status).toBe(400);
      expect(twoTargets.body.error.message).toContain('exactly one');
    });

    it('list-azure-budgets answers what GET /azure-budgets answers, without what the caller may not read', async () => {
      await eventually(async () => {
        expect(
          await knex('azure_budgets').where('subscription_id', PLATFORM),
        ).toHaveLength(1);
      });
      const action = await invoke('list-azure-budgets', {});
      expect(action.status).toBe(200);
      expect(action.body.output).toEqual((await api('/azure-budgets')).body);
      expect(action.body.output.items.map((b: any) => b.name)).toContain(
        'platform-monthly',
      );

      denied.add(azureSubscriptionEntityRef(PLATFORM));
      const filtered = await invoke('list-azure-budgets', {});
      expect(
        filtered.body.output.items.map((b: any) => b.subscriptionId),
      ).not.toContain(PLATFORM);
      const refused = await invoke('list-azure-budgets', {
        subscriptionId: PLATFORM,
      });
      const rest = await api(`/azure-budgets?subscriptionId=${PLATFORM}`);
      expect(refused.status).toBe(403);
      expect(rest.status).toBe(403);
      expect(refused.body.error.message).toBe(rest.body.error.message);
      const savings = await invoke('get-savings', { subscriptionId: PLATFORM });
      expect(savings.status).toBe(403);
      expect(
        (await invoke('get-savings', { subscriptionId: PAYMENTS })).status,
      ).toBe(200);
    });
  },
);
