// The demo portal's plugins in one backend (moved from packages/backend, which cannot depend on this kit: the kit
// depends on it for the demo's permission policy).
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import azureTenantPlugin from '@azure-tenant/plugin-azure-tenant-backend';
import catalogModuleAzureTenant from '@azure-tenant/plugin-catalog-backend-module-azure-tenant';
import request from 'supertest';
import { eventually, ORG_FILE } from '.';

jest.setTimeout(60_000);

// The demo portal's catalog on each supported database: SQLite always, PostgreSQL 15 when
// BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING points at a server.
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe('the demo backend', () => {
  if (!databases.supports('POSTGRES_15')) {
    // A visible marker in the test report, rather than a silent gap.
    it.skip('on POSTGRES_15: skipped, PostgreSQL is not reachable (set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING)', () => {});
  }

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    it('ingests the demo organization into the catalog and serves the Azure tenant plugin', async () => {
      const knex = await databases.init(databaseId);
      const { server } = await startTestBackend({
        features: [
          catalogPlugin,
          azureTenantPlugin,
          catalogModuleAzureTenant,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              catalog: {
                processingInterval: { seconds: 1 },
                rules: [{ allow: ['User', 'Group'] }],
                locations: [{ type: 'file', target: ORG_FILE }],
              },
            },
          }),
        ],
      });

      const health = await request(server).get('/api/azure-tenant/health');
      expect(health.status).toBe(200);

      await eventually(async () => {
        const response = await request(server)
          .get('/api/catalog/entities/by-query?filter=kind=group')
          .set('authorization', mockCredentials.user.header());
        expect(response.status).toBe(200);
        const names = response.body.items.map((e: any) => e.metadata.name);
        // The organization's groups, and the group the catalog module adds for resources without an owner (no
        // default owner is configured).
        expect([...names].sort()).toEqual([
          'azure-admins',
          'azure-tenant-unowned',
          'data',
          'payments',
          'platform',
        ]);
      });
    });
  });
});
