import express from 'express';
import request from 'supertest';
import {
  TestDatabases,
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { AzureEmulator } from '@azure-tenant/azure-emulator';
import {
  createSyncFixture,
  DEMO_SUBSCRIPTIONS,
  grantPortalAccess,
} from '../__testUtils__/syncFixture';
import { startTestEmulator } from '../__testUtils__/testEmulator';
import { createRouter } from '../service/router';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const { platform, dataEurope } = DEMO_SUBSCRIPTIONS;

let emulator: AzureEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator?.stop();
});

describe.each(databases.eachSupportedId())(
  "a subscription's own tags, on %s",
  databaseId => {
    let fixture: Awaited<ReturnType<typeof createSyncFixture>>;

    beforeEach(async () => {
      emulator.control.reset();
      grantPortalAccess(emulator);
      fixture = await createSyncFixture(
        await databases.init(databaseId),
        emulator,
      );
    });

    /** `GET /subscriptions` as a user who may read the tenants. */
    async function listedSubscriptions() {
      const router = await createRouter({
        store: fixture.store,
        resources: fixture.resources,
        events: mockServices.events.mock(),
        portalUrl: 'http://localhost:3000/azure-tenants',
        httpAuth: mockServices.httpAuth({
          defaultCredentials: mockCredentials.user(),
        }),
        permissions: mockServices.permissions.mock({
          authorize: async requests =>
            requests.map(() => ({ result: AuthorizeResult.ALLOW })),
        }),
        auditor: mockServices.auditor.mock(),
      });
      const response = await request(
        express().use(router).use(mockErrorHandler()),
      ).get('/subscriptions');
      expect(response.body.error?.message).toBeUndefined();
      expect(response.status).toBe(200);
      return new Map<string, any>(
        response.body.items.map((s: any) => [s.subscriptionId, s]),
      );
    }

    it('are read with the subscription at each sync and shown by GET /subscriptions', async () => {
      await fixture.service.syncDue();

      let listed = await listedSubscriptions();
      expect(listed.get(platform).tags).toEqual({
        env: 'prod',
        owner: 'team-platform',
      });
      // No tags in Azure: known to have none.
      expect(listed.get(dataEurope).tags).toEqual({});

      // Someone changes them in the Azure portal; the next sync picks that up.
      emulator.control.editTags({
        resourceId: `/subscriptions/${platform}`,
        set: { costCenter: 'CC-1001' },
        remove: ['env'],
      });
      await fixture.store.requestSync(platform, new Date());
      await fixture.service.syncDue();

      listed = await listedSubscriptions();
      expect(listed.get(platform).tags).toEqual({
        costCenter: 'CC-1001',
        owner: 'team-platform',
      });
    });

    it('keep the last good ones while the subscription cannot be read', async () => {
      await fixture.service.syncDue();
      emulator.control.editTags({
        resourceId: `/subscriptions/${platform}`,
        set: { env: 'staging' },
      });
      // A 400 the SDK does not retry, on the read of the subscription itself.
      emulator.control.injectFault({
        match: { method: 'GET', pathPattern: `^/subscriptions/${platform}$` },
        status: 400,
        code: 'BadRequest',
        times: 0,
      });
      await fixture.store.requestSync(platform, new Date());

      const [report] = await fixture.service.syncDue();

      expect(report).toMatchObject({
        subscriptionId: platform,
        status: 'failed',
      });
      expect((await fixture.store.getSubscription(platform))?.tags).toEqual({
        env: 'prod',
        owner: 'team-platform',
      });
    });

    it('are not kept under no-tags, nor under none', async () => {
      await fixture.service.syncDue();

      for (const syncMode of ['no-tags', 'none'] as const) {
        await fixture.store.setSyncMode(platform, syncMode, new Date());
        await fixture.store.requestSync(platform, new Date());
        const [report] = await fixture.service.syncDue();
        expect(report.status).toBe('succeeded');
        expect((await listedSubscriptions()).get(platform)).not.toHaveProperty(
          'tags',
        );
        expect(
          await fixture.store.getSubscription(platform),
        ).not.toHaveProperty('tags');
      }
    });
  },
);
