import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  azureTenantBudgetUpdatePermission,
  AZURE_TENANT_BUDGET_RESOURCE_TYPE,
} from '@azure-tenant/plugin-azure-tenant-common';
import { budgetConditions } from '@azure-tenant/plugin-azure-tenant-node';
import { JsonObject } from '@backstage/types';
import request from 'supertest';
import { azureTenantPlugin } from '../plugin';

jest.setTimeout(60_000);

// The budgets as the plugin wires them: declared in app-config, read at startup, and the budget resource type with
// its rule, which the permission framework applies to a budget by its id.
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const SUBSCRIPTION = '3f1c2a4e-8b7d-4c6a-9e5f-1a2b3c4d5e6f';

const declared = (fields: JsonObject = {}): JsonObject => ({
  id: 'platform-monthly',
  name: 'Platform',
  scope: { kind: 'subscription', subscriptionId: SUBSCRIPTION },
  amount: 1000,
  currency: 'USD',
  period: { type: 'monthly' },
  owner: 'group:default/team-a',
  ...fields,
});

describe.each(databases.eachSupportedId())(
  'budgets in the plugin (%s)',
  databaseId => {
    const start = async (budgets: JsonObject[]) =>
      startTestBackend({
        features: [
          azureTenantPlugin,
          mockServices.database.factory({
            knex: await databases.init(databaseId),
          }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://localhost:3000' },
              azureTenant: { budgets: { declared: budgets } },
            },
          }),
        ],
      });

    it('serves the budgets declared in app-config, read-only, and decides the owner rule on them', async () => {
      const { server } = await start([declared()]);
      const listed = await request(server).get('/api/azure-tenant/budgets');
      expect(listed.status).toBe(200);
      expect(listed.body.items).toEqual([
        expect.objectContaining({
          budget: expect.objectContaining({
            id: 'platform-monthly',
            source: 'config',
            owner: 'group:default/team-a',
          }),
        }),
      ]);
      const replaced = await request(server)
        .put('/api/azure-tenant/budgets/platform-monthly')
        .send({ ...declared(), id: undefined, amount: 5 });
      expect(replaced.status).toBe(409);

      // What the permission backend asks of the plugin for a conditional decision on a budget.
      const decide = async (claims: string[]) => {
        const response = await request(server)
          .post(
            '/api/azure-tenant/.well-known/backstage/permissions/apply-conditions',
          )
          .set('Authorization', mockCredentials.service.header())
          .send({
            items: [
              {
                id: '1',
                resourceRef: 'platform-monthly',
                resourceType: AZURE_TENANT_BUDGET_RESOURCE_TYPE,
                conditions: budgetConditions.isBudgetOwner({ claims }),
              },
            ],
          });
        expect(response.status).toBe(200);
        return response.body.items[0].result;
      };
      expect(await decide(['user:default/alice', 'group:default/team-a'])).toBe(
        AuthorizeResult.ALLOW,
      );
      expect(await decide(['group:default/team-b'])).toBe(AuthorizeResult.DENY);

      const metadata = await request(server)
        .get('/api/azure-tenant/.well-known/backstage/permissions/metadata')
        .set('Authorization', mockCredentials.service.header());
      expect(
        metadata.body.rules.map((r: any) => [r.resourceType, r.name]),
      ).toContainEqual([AZURE_TENANT_BUDGET_RESOURCE_TYPE, 'IS_BUDGET_OWNER']);
      expect(metadata.body.permissions.map((p: any) => p.name)).toContain(
        azureTenantBudgetUpdatePermission.name,
      );
    });

    it('does not start with a wrong declared budget, and names it', async () => {
      await expect(
        start([declared(), declared({ id: 'second', amount: -1 })]),
      ).rejects.toThrow(
        /azureTenant\.budgets\.declared\[1\] \(second\) is not a valid budget: amount must be at least 0.01/,
      );
    });
  },
);
