import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  azureTenantSubscriptionManagePermission,
  azureTenantTagsUpdatePermission,
  SyncMode,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureEmulator, DEMO_TENANT } from '@azure-tenant/azure-emulator';
import { Knex } from 'knex';
import request from 'supertest';
import { azureWrites } from '../__testUtils__/azureWrites';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import {
  DEMO_SUBSCRIPTIONS,
  grantPortalAccess,
} from '../__testUtils__/syncFixture';
import { startTestEmulator } from '../__testUtils__/testEmulator';
import { DatabaseAzureTenantStore } from '../database/DatabaseAzureTenantStore';
import { DatabaseResourceStore } from '../database/DatabaseResourceStore';
import { callerRef } from '../service/caller';
import { dayOf, addDays } from '../spend/spendDays';
import { recordingAuditor } from '../tags/__testUtils__/tagsFixture';
import { azureTenantPlugin } from '../plugin';
import { emulatorConnectionConfig } from '@azure-tenant/test-support';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const { platform: PLATFORM, dataEurope: DATA_EUROPE } = DEMO_SUBSCRIPTIONS;
const ALICE = 'user:default/alice';
const ADMIN = 'user:default/admin';
const AGREED_ACTIONS = [
  'list-tenants',
  'list-subscriptions',
  'find-resources',
  'get-resource-tags',
  'update-resource-tags',
  'get-spend',
  'set-subscription-sync-mode',
  'request-subscription-sync',
];
const ACTIONS = '/api/azure-tenant/.backstage/actions/v1/actions';

let emulator: AzureEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator?.stop();
});

describe.each(databases.eachSupportedId())(
  'the azure-tenant actions (%s)',
  databaseId => {
    let knex: Knex;
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    const auditor = recordingAuditor();
    /** Who is denied what: by default everyone may do everything, and only the admin may change a sync mode. */
    let denies: (permission: string, caller: string) => boolean;

    beforeAll(async () => {
      emulator.control.reset();
      grantPortalAccess(emulator, 'Reader');
      grantPortalAccess(emulator, 'Tag Contributor');
      knex = await databases.init(databaseId);
      backend = await startTestBackend({
        features: [
          azureTenantPlugin,
          mockServices.database.factory({ knex }),
          // The resource and spend syncs run once, before the backend has started.
          mockServices.scheduler.factory({
            includeInitialDelayedTasksOnStartup: true,
          }),
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
                result: denies(
                  r.permission.name,
                  callerRef(options.credentials as BackstageCredentials),
                )
                  ? AuthorizeResult.DENY
                  : AuthorizeResult.ALLOW,
              })),
          }).factory,
          createServiceFactory({
            service: coreServices.auditor,
            deps: {},
            factory: () => auditor,
          }),
        ],
      });
    });

    beforeEach(() => {
      denies = (permission, caller) =>
        permission === azureTenantSubscriptionManagePermission.name &&
        caller !== ADMIN;
      auditor.events.length = 0;
    });

    afterAll(async () => {
      await backend?.stop();
      await releaseTestDatabase(knex);
    });

    const invoke = (name: string, input: object, as = ALICE) =>
      request(backend.server)
        .post(`${ACTIONS}/azure-tenant:${name}/invoke`)
        .set('authorization', mockCredentials.user.header(as))
        .send(input);
    const api = (path: string, as = ALICE) =>
      request(backend.server)
        .get(`/api/azure-tenant${path}`)
        .set('authorization', mockCredentials.user.header(as));

    /** Synced resources of a subscription, in a stable order. */
    async function resourcesOf(subscriptionId: string) {
      const page = await new DatabaseResourceStore(knex).listResources({
        limit: 5000,
      });
      return page.items
        .filter(r => r.subscriptionId === subscriptionId)
        .map(r => r.resourceId);
    }

    /** Runs `test` with platform in `mode`, set in the database (no sync), and puts the default back after. */
    async function inMode(mode: SyncMode, test: () => Promise<void>) {
      const store = new DatabaseAzureTenantStore(knex);
      await store.setSyncMode(PLATFORM, mode, new Date());
      try {
        await test();
      } finally {
        await store.setSyncMode(PLATFORM, 'read-write-tags', new Date());
      }
    }

    const lastLogSeq = () => emulator.control.requests().at(-1)?.seq ?? 0;

    it('lists every agreed action with its input and output schemas and attributes', async () => {
      const response = await request(backend.server)
        .get(ACTIONS)
        .set('authorization', mockCredentials.user.header(ALICE));
      expect(response.status).toBe(200);
      const ours = response.body.actions.filter(
        (a: any) => a.pluginId === 'azure-tenant',
      );
      const byName = new Map<string, any>(ours.map((a: any) => [a.name, a]));
      for (const name of AGREED_ACTIONS) {
        const action = byName.get(name);
        expect(action).toBeDefined();
        expect(action.id).toBe(`azure-tenant:${name}`);
        expect(action.description.length).toBeGreaterThan(80);
        expect(action.schema.input.type).toBe('object');
        expect(action.schema.output.type).toBe('object');
      }
      const attributes = (name: string) => byName.get(name).attributes;
      for (const read of [
        'list-tenants',
        'list-subscriptions',
        'find-resources',
        'get-resource-tags',
        'get-spend',
      ]) {
        expect(attributes(read)).toMatchObject({
          readOnly: true,
          destructive: false,
        });
      }
      expect(attributes('update-resource-tags')).toEqual({
        readOnly: false,
        destructive: true,
        idempotent: false,
      });
      expect(attributes('set-subscription-sync-mode')).toMatchObject({
        readOnly: false,
        destructive: true,
      });
      expect(attributes('request-subscription-sync')).toMatchObject({
        readOnly: false,
        destructive: false,
      });
      // Writes say so, and an agent learns the sync modes' effect on tag writes.
      for (const write of [
        'update-resource-tags',
        'set-subscription-sync-mode',
        'request-subscription-sync',
      ]) {
        expect(byName.get(write).description).toMatch(/^Writes /);
      }
      expect(byName.get('update-resource-tags').description).toMatch(
        /read-tags keeps it in the portal only.*no-tags and none refuse with a 409/,
      );
      expect(
        byName.get('set-subscription-sync-mode').schema.input.properties
          .syncMode.enum,
      ).toEqual(['none', 'no-tags', 'read-tags', 'read-write-tags']);
    });

    it('list-tenants and list-subscriptions answer what GET /tenants and GET /subscriptions answer', async () => {
      const tenants = await invoke('list-tenants', {});
      expect(tenants.status).toBe(200);
      const restTenants = await api('/tenants');
      expect(tenants.body.output.tenants).toEqual(restTenants.body.items);
      expect(tenants.body.output.tenants[0].tenantId).toBe(DEMO_TENANT.id);

      const subscriptions = await invoke('list-subscriptions', {
        tenantId: DEMO_TENANT.id.toUpperCase(),
      });
      expect(subscriptions.status).toBe(200);
      const restSubscriptions = await api('/subscriptions');
      expect(subscriptions.body.output.subscriptions).toEqual(
        restSubscriptions.body.items,
      );
      expect(
        subscriptions.body.output.subscriptions.map(
          (s: any) => s.subscriptionId,
        ),
      ).toEqual(expect.arrayContaining(Object.values(DEMO_SUBSCRIPTIONS)));
    });

    it('get-resource-tags answers what GET /tags answers', async () => {
      const [resourceId] = await resourcesOf(PLATFORM);
      const action = await invoke('get-resource-tags', {
        resourceId,
        live: true,
      });
      expect(action.status).toBe(200);
      const rest = await api(
        `/tags?resourceId=${encodeURIComponent(resourceId)}&live=true`,
      );
      expect(rest.status).toBe(200);
      expect(action.body.output).toEqual(rest.body);
      expect(action.body.output).toMatchObject({
        resourceId,
        syncMode: 'read-write-tags',
        canEdit: true,
      });
    });

    it('update-resource-tags writes to Azure in read-write-tags, audited as the caller', async () => {
      const [, resourceId] = await resourcesOf(PLATFORM);
      const since = lastLogSeq();
      const response = await invoke('update-resource-tags', {
        resourceId,
        set: { 'cost-center': 'cc-action' },
        expected: { 'cost-center': null },
      });
      expect(response.status).toBe(200);
      expect(response.body.output).toMatchObject({
        resourceId,
        syncMode: 'read-write-tags',
        outcome: 'written',
      });
      expect(response.body.output.tags['cost-center']).toBe('cc-action');
      expect(azureWrites(emulator.control.requests(since))).toEqual([
        expect.stringMatching(
          /^PATCH \/subscriptions\/.+\/providers\/Microsoft\.Resources\/tags\/default$/i,
        ),
      ]);
      expect(
        emulator.control.editTags({ resourceId, set: {}, remove: [] })[
          'cost-center'
        ],
      ).toBe('cc-action');
      expect(auditor.events).toEqual([
        expect.objectContaining({
          eventId: 'tags-update',
          outcome: 'success',
          meta: expect.objectContaining({
            resourceId,
            actor: ALICE,
            via: 'actions-registry',
          }),
          resultMeta: expect.objectContaining({ outcome: 'written' }),
        }),
      ]);
    });

    it('update-resource-tags keeps the change portal-only in read-tags, sending nothing to Azure', async () => {
      const [, , resourceId] = await resourcesOf(PLATFORM);
      await inMode('read-tags', async () => {
        const since = lastLogSeq();
        const response = await invoke('update-resource-tags', {
          resourceId,
          set: { reviewed: 'yes' },
        });
        expect(response.status).toBe(200);
        expect(response.body.output).toMatchObject({
          outcome: 'portal-only',
          syncMode: 'read-tags',
          portalTags: { reviewed: 'yes' },
        });
        expect(azureWrites(emulator.control.requests(since))).toEqual([]);
        expect(
          emulator.control.editTags({ resourceId, set: {}, remove: [] })
            .reviewed,
        ).toBeUndefined();
      });
    });

    it('update-resource-tags is refused with the API’s 409 in no-tags, and nothing is written', async () => {
      const [, , , resourceId] = await resourcesOf(PLATFORM);
      await inMode('no-tags', async () => {
        const since = lastLogSeq();
        const change = { resourceId, set: { reviewed: 'yes' } };
        const action = await invoke('update-resource-tags', change);
        const rest = await request(backend.server)
          .patch('/api/azure-tenant/tags')
          .set('authorization', mockCredentials.user.header(ALICE))
          .send(change);
        expect(action.status).toBe(409);
        expect(rest.status).toBe(409);
        expect(action.body.error).toEqual({
          name: 'ConflictError',
          message: rest.body.error.message,
        });
        expect(action.body.error.message).toMatch(/no-tags|No Tags/);
        expect(azureWrites(emulator.control.requests(since))).toEqual([]);
      });
    });

    it('a denied tag edit is a 403 with the API’s text, audited as failed for the caller', async () => {
      const [, , , , resourceId] = await resourcesOf(PLATFORM);
      denies = permission =>
        permission === azureTenantTagsUpdatePermission.name;
      const since = lastLogSeq();
      const change = { resourceId, set: { reviewed: 'yes' } };
      const action = await invoke('update-resource-tags', change);
      const rest = await request(backend.server)
        .patch('/api/azure-tenant/tags')
        .set('authorization', mockCredentials.user.header(ALICE))
        .send(change);
      expect(action.status).toBe(403);
      expect(action.body.error.message).toBe(rest.body.error.message);
      expect(action.body.error.message).toMatch(
        /^You may not edit the tags of/,
      );
      expect(azureWrites(emulator.control.requests(since))).toEqual([]);
      expect(auditor.events[0]).toMatchObject({
        eventId: 'tags-update',
        outcome: 'fail',
        meta: { actor: ALICE, via: 'actions-registry' },
      });
    });

    it('tags are for users only: a service gets the API’s refusal', async () => {
      const [resourceId] = await resourcesOf(PLATFORM);
      const asService = mockCredentials.service.header();
      const action = await request(backend.server)
        .post(`${ACTIONS}/azure-tenant:get-resource-tags/invoke`)
        .set('authorization', asService)
        .send({ resourceId });
      const rest = await request(backend.server)
        .get(
          `/api/azure-tenant/tags?resourceId=${encodeURIComponent(resourceId)}`,
        )
        .set('authorization', asService);
      expect(action.status).toBe(403);
      expect(rest.status).toBe(403);
      expect(action.body.error.message).toBe(rest.body.error.message);
    });

    it('a resource id that is not one is a 400 with the API’s message', async () => {
      const resourceId = `/subscriptions/${PLATFORM}/resourceGroups/rg`;
      const action = await invoke('update-resource-tags', {
        resourceId,
        set: { a: 'b' },
      });
      expect(action.status).toBe(400);
      expect(action.body.error.message).toBe(
        `'${resourceId}' is not the id of an Azure resource: tags are edited on resources, /subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name}`,
      );
      const emptyChange = await invoke('update-resource-tags', {
        resourceId: (await resourcesOf(PLATFORM))[0],
      });
      expect(emptyChange.status).toBe(400);
      expect(emptyChange.body.error.message).toBe(
        'The change sets and removes no tag',
      );
    });

    it('set-subscription-sync-mode is refused to an ordinary user and done for an admin, audited as each', async () => {
      const denied = await invoke('set-subscription-sync-mode', {
        subscriptionId: DATA_EUROPE,
        syncMode: 'read-tags',
      });
      expect(denied.status).toBe(403);
      expect(denied.body.error.message).toBe(
        'You may not change the sync mode of this subscription',
      );
      const store = new DatabaseAzureTenantStore(knex);
      expect((await store.getSubscription(DATA_EUROPE))!.syncMode).toBe(
        'read-write-tags',
      );

      const allowed = await invoke(
        'set-subscription-sync-mode',
        { subscriptionId: DATA_EUROPE, syncMode: 'read-tags' },
        ADMIN,
      );
      expect(allowed.status).toBe(200);
      expect(allowed.body.output).toMatchObject({
        subscriptionId: DATA_EUROPE,
        syncMode: 'read-tags',
      });
      expect((await store.getSubscription(DATA_EUROPE))!.syncMode).toBe(
        'read-tags',
      );
      expect(
        auditor.events
          .filter(e => e.eventId === 'subscription-sync-mode')
          .map(e => [e.meta?.actor, e.outcome]),
      ).toEqual([
        [ALICE, 'fail'],
        [ADMIN, 'success'],
      ]);
      await store.setSyncMode(DATA_EUROPE, 'read-write-tags', new Date());
    });

    it('request-subscription-sync records the request and says when', async () => {
      const before = Date.now();
      const response = await invoke('request-subscription-sync', {
        subscriptionId: PLATFORM.toUpperCase(),
      });
      expect(response.status).toBe(200);
      expect(response.body.output.subscriptionId).toBe(PLATFORM);
      expect(
        Date.parse(response.body.output.syncRequestedAt),
      ).toBeGreaterThanOrEqual(before - 1000);
      expect(auditor.events).toEqual([
        expect.objectContaining({
          eventId: 'subscription-sync-request',
          outcome: 'success',
          meta: expect.objectContaining({ actor: ALICE }),
        }),
      ]);
    });

    it('get-spend answers what GET /spend answers, and the last 30 days by default', async () => {
      const to = dayOf(new Date());
      const from = addDays(to, -29);
      const action = await invoke('get-spend', {
        subscriptionId: PLATFORM,
        from,
        to,
        groupBy: 'resourceGroup',
      });
      expect(action.status).toBe(200);
      const rest = await api(
        `/spend?subscriptionId=${PLATFORM}&from=${from}&to=${to}&groupBy=resourceGroup`,
      );
      expect(rest.status).toBe(200);
      expect(action.body.output).toEqual(rest.body);

      const byDefault = await invoke('get-spend', { subscriptionId: PLATFORM });
      expect(byDefault.status).toBe(200);
      expect(byDefault.body.output.query).toMatchObject({
        from,
        to,
        granularity: 'day',
        groupBy: 'service',
      });

      const twoTargets = await invoke('get-spend', {
        subscriptionId: PLATFORM,
        entityRef: 'group:default/platform',
      });
      expect(twoTargets.status).toBe(400);
      expect(twoTargets.body.error.message).toBe(
        'Give exactly one of the query parameters subscriptionId, resourceId and entityRef',
      );
    });

    it('a denied spend read is a 403 with the API’s text', async () => {
      denies = () => true;
      const action = await invoke('get-spend', {
        subscriptionId: PLATFORM,
        from: '2026-01-01',
        to: '2026-01-31',
      });
      const rest = await api(
        `/spend?subscriptionId=${PLATFORM}&from=2026-01-01&to=2026-01-31`,
      );
      expect(action.status).toBe(403);
      expect(rest.status).toBe(403);
      expect(action.body.error.message).toBe(rest.body.error.message);
      expect(action.body.error.message).toMatch(
        /^You may not see the spend of /,
      );
    });
  },
);
