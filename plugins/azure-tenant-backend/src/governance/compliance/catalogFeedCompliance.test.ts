import express from 'express';
import request from 'supertest';
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AzureSubscription } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../../__testUtils__/releaseTestDatabase';
import { AzureTenantStore } from '../../database/AzureTenantStore';
import { DatabaseResourceStore } from '../../database/DatabaseResourceStore';
import { storeResources } from '../../resources/__testUtils__/storedResources';
import { createRouter } from '../../service/router';
import { tagPolicy } from '../__testUtils__/tagPolicyRulesFixture';
import { DatabaseComplianceStore } from './DatabaseComplianceStore';
import { TagComplianceEvaluator } from './TagComplianceEvaluator';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const SUBSCRIPTION = '0b0e7f4c-1a2b-4c3d-8e9f-00000000000a';

describe.each(databases.eachSupportedId())(
  'GET /catalog/resources and /catalog/changes with compliance (%s)',
  databaseId => {
    let knex: Knex;
    let resources: DatabaseResourceStore;
    let server: express.Express;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      resources = await storeResources(knex, [
        {
          subscriptionId: SUBSCRIPTION,
          resourceGroup: 'rg-web',
          type: 'Microsoft.Web/sites',
          name: 'shop',
          tags: { owner: 'platform', env: 'prod' },
        },
        {
          subscriptionId: SUBSCRIPTION,
          resourceGroup: 'rg-web',
          type: 'Microsoft.Web/sites',
          name: 'blog',
          tags: { Env: 'prod' },
        },
      ]);
      const compliance = new DatabaseComplianceStore(knex);
      const router = await createRouter({
        store: {} as AzureTenantStore,
        resources,
        compliance,
        events: mockServices.events.mock(),
        portalUrl: 'http://localhost:3000/azure-tenants',
        httpAuth: mockServices.httpAuth({
          defaultCredentials: mockCredentials.service(),
        }),
        permissions: mockServices.permissions.mock(),
        auditor: mockServices.auditor.mock(),
      });
      server = express().use(router).use(mockErrorHandler());
    });
    afterEach(() => releaseTestDatabase(knex));

    const evaluate = () =>
      new TagComplianceEvaluator({
        store: new DatabaseComplianceStore(knex),
        resources,
        subscriptions: {
          listSubscriptions: async () => [
            {
              subscriptionId: SUBSCRIPTION,
              syncMode: 'read-write-tags',
            } as AzureSubscription,
          ],
        },
        policies: {
          listPolicies: async () => [
            tagPolicy({ key: 'owner', required: true }),
            tagPolicy({ key: 'env' }),
          ],
        },
        loadOwners: async () => AzureOwnerDirectory.empty(),
      }).evaluate();

    it('carries no compliance before an evaluation, and each record’s after it, as a change', async () => {
      const before = await request(server).get('/catalog/resources');
      expect(before.status).toBe(200);
      expect(
        before.body.items.map((r: { compliance?: unknown }) => r.compliance),
      ).toEqual([undefined, undefined]);

      await evaluate();

      const changes = await request(server).get(
        `/catalog/changes?after=${before.body.revision}`,
      );
      expect(changes.status).toBe(200);
      const byName = Object.fromEntries(
        changes.body.changed.map((r: { name: string; compliance: unknown }) => [
          r.name,
          r.compliance,
        ]),
      );
      expect(byName).toEqual({
        blog: {
          status: 'non-compliant',
          violations: [
            { policyId: 'policy-owner', key: 'owner', code: 'missing' },
            { policyId: 'policy-env', key: 'env', code: 'non-canonical-key' },
          ],
        },
        shop: { status: 'compliant', violations: [] },
      });
      const page = await request(server).get('/catalog/resources');
      expect(
        page.body.items.map((r: { compliance: { status: string } }) => [
          r.compliance.status,
        ]),
      ).toEqual([['non-compliant'], ['compliant']]);
    });
  },
);
