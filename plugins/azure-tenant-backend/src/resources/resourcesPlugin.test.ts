import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import { azureTenantPlugin } from '../plugin';
import { resourceEntity } from './__testUtils__/searchFixture';
import { ESTATE, storeResources } from './__testUtils__/storedResources';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('the plugin serves GET /resources and the find-resources action', () => {
  it("lists the stored resources to a signed-in user, an owner's through the catalog, and pages the action", async () => {
    const knex = await databases.init('SQLITE_3');
    await storeResources(knex, ESTATE);
    const backend = await startTestBackend({
      features: [
        azureTenantPlugin,
        mockServices.database.factory({ knex }),
        // Not configured for Azure: nothing syncs, and what is stored is served.
        mockServices.rootConfig.factory({
          data: { app: { baseUrl: 'http://localhost:3000' } },
        }),
        catalogServiceMock.factory({
          entities: [resourceEntity(ESTATE[0], 'group:default/team-web')],
        }),
      ],
    });
    try {
      const all = await request(backend.server)
        .get('/api/azure-tenant/resources')
        .query({ type: 'Microsoft.Storage/storageAccounts' })
        .set('authorization', mockCredentials.user.header());
      expect(all.status).toBe(200);
      expect(all.body.items.map((r: { name: string }) => r.name)).toEqual([
        'data1',
        'data2',
      ]);
      const owned = await request(backend.server)
        .get('/api/azure-tenant/resources')
        .query({ owner: 'group:default/team-web' })
        .set('authorization', mockCredentials.user.header());
      expect(owned.body.items.map((r: { name: string }) => r.name)).toEqual([
        ESTATE[0].name,
      ]);
      // The find-resources action, through the actions registry's HTTP API as an MCP server calls it.
      const invoked = await request(backend.server)
        .post(
          '/api/azure-tenant/.backstage/actions/v1/actions/azure-tenant:find-resources/invoke',
        )
        .set('authorization', mockCredentials.user.header())
        .send({ type: 'microsoft.storage/storageaccounts', limit: 1 });
      expect(invoked.status).toBe(200);
      expect(invoked.body.output.resources.map((r: any) => r.name)).toEqual([
        'data1',
      ]);
      const next = await request(backend.server)
        .post(
          '/api/azure-tenant/.backstage/actions/v1/actions/azure-tenant:find-resources/invoke',
        )
        .set('authorization', mockCredentials.user.header())
        .send({
          type: 'microsoft.storage/storageaccounts',
          limit: 1,
          cursor: invoked.body.output.nextCursor,
        });
      expect(next.body.output.resources.map((r: any) => r.name)).toEqual([
        'data2',
      ]);
      expect(next.body.output.nextCursor).toBeUndefined();
      const refused = await request(backend.server)
        .post(
          '/api/azure-tenant/.backstage/actions/v1/actions/azure-tenant:find-resources/invoke',
        )
        .set('authorization', mockCredentials.user.header())
        .send({ subscriptionId: 'not-a-guid' });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(
        /subscriptionId must be a subscription id \(a GUID\)/,
      );
      const anonymous = await request(backend.server)
        .get('/api/azure-tenant/resources')
        .set('authorization', mockCredentials.none.header());
      expect(anonymous.status).toBe(401);
    } finally {
      await backend.stop();
      await releaseTestDatabase(knex);
    }
  });
});
