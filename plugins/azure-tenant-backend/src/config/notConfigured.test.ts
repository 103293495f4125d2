import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import request from 'supertest';
import { capturingRootLogger } from '../__testUtils__/capturingLogger';
import { azureTenantPlugin } from '../plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'the azureTenant section on %p',
  databaseId => {
    async function start(config: JsonObject) {
      const knex = await databases.init(databaseId);
      const logs = capturingRootLogger();
      const backend = await startTestBackend({
        features: [
          azureTenantPlugin,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: { app: { baseUrl: 'http://localhost:3000' }, ...config },
          }),
          logs.factory,
        ],
      });
      return { server: backend.server, logs: logs.lines };
    }

    const warnings = (logs: string[]) =>
      logs
        .map(line => JSON.parse(line))
        .filter(line => line.level === 'warn')
        .map(line => String(line.message));

    it('when absent, starts the plugin not configured, saying so on GET /health and in the log', async () => {
      const { server, logs } = await start({});

      const health = await request(server).get('/api/azure-tenant/health');
      expect(health.status).toBe(200);
      expect(health.body).toEqual({
        status: 'ok',
        configured: false,
        reason: 'azureTenant is not set',
      });
      expect(warnings(logs)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /Azure tenant plugin is not configured.*azureTenant is not set/,
          ),
        ]),
      );
    });

    it('with only sync and spend settings, starts not configured and names the missing clientId', async () => {
      const { server, logs } = await start({
        azureTenant: {
          sync: { frequency: '2h', timeout: 'PT20M' },
          spend: { schedule: { frequency: { hours: 12 }, timeout: '30m' } },
        },
      });

      const health = await request(server).get('/api/azure-tenant/health');
      expect(health.body).toMatchObject({
        status: 'ok',
        configured: false,
        reason: expect.stringMatching(/azureTenant.clientId is not set/),
      });
      expect(warnings(logs)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/azureTenant.clientId is not set/),
        ]),
      );
      // Connecting a tenant is refused with a 503 rather than failing later.
      const onboarding = await request(server)
        .post('/api/azure-tenant/onboarding/start')
        .set('authorization', mockCredentials.user.header())
        .send({ kind: 'connect' });
      expect(onboarding.status).toBe(503);
    });

    it.each([
      [
        { sync: { frequency: 'every hour' } },
        /azureTenant.sync.frequency must be a duration/,
      ],
      [
        { spend: { schedule: { frequency: '6h' } } },
        /azureTenant.spend.schedule is not a valid schedule/,
      ],
      [
        { onboarding: { principalNotFoundRetryDelay: 'soon' } },
        /azureTenant.onboarding.principalNotFoundRetryDelay must be a duration/,
      ],
    ])(
      'with a wrong setting %j, fails at startup naming the key, even without the app registration',
      async (azureTenant, message) => {
        await expect(start({ azureTenant })).rejects.toThrow(message);
      },
    );
  },
);
