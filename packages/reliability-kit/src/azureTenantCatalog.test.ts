/*
 * The whole chain on each database: the emulator, the backend plugin's sync, the catalog module and the catalog.
 */
import fs from 'node:fs';
import { TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { AzureOwnerDirectory } from '@azure-tenant/plugin-catalog-backend-module-azure-tenant';
import { DEMO_APP } from '@azure-tenant/azure-emulator';
import request from 'supertest';
import {
  asService,
  asUser,
  azureConnectionConfig,
  demoCatalogConfig,
  demoTenantConfig,
  DEMO_SUBSCRIPTION_IDS,
  dropTestDatabases,
  eventually,
  grantPortalAccess,
  ORG_FILE,
  requestSync,
  startKitBackend,
  startTestEmulator,
  subscriptionOf,
  SUBSCRIPTIONS,
  syncAndWait,
  TestEmulator,
  waitForSucceededSyncs,
  testDatabaseConfig,
} from '.';

jest.setTimeout(420_000);

/** How long a sync-mode switch may take to reach every entity of a subscription. */
const MODE_SWITCH_WAIT_MS = 120_000;

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const PLATFORM = SUBSCRIPTIONS.platform;
const PAYMENTS = SUBSCRIPTIONS.payments;
const DEFAULT_OWNER = 'group:default/azure-admins';
/** The groups and users of the demo organization (examples/org.yaml). */
const ORG_ENTITY_COUNT = (
  fs.readFileSync(ORG_FILE, 'utf8').match(/^kind:\s*(Group|User)\s*$/gm) ?? []
).length;
/** The scheduler task of the backend plugin's resource sync. */

let emulator: TestEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator?.stop();
  await dropTestDatabases();
}, 60_000);

function config(database: JsonObject): JsonObject {
  return {
    app: { baseUrl: 'http://localhost:3000' },
    backend: { database },
    catalog: demoCatalogConfig(),
    azureTenant: {
      ...azureConnectionConfig(emulator),
      onboarding: { redirectUri: DEMO_APP.redirectUris[0] },
      tenants: [demoTenantConfig(DEMO_SUBSCRIPTION_IDS)],
      sync: { pageSize: 25 },
    },
  };
}

async function startPortal(database: JsonObject) {
  const { server } = await startKitBackend(config(database), 'catalog');
  return server;
}

async function azureEntities(server: any): Promise<any[]> {
  const response = await request(server)
    .get('/api/catalog/entities/by-query?filter=kind=resource&limit=1000')
    .set('authorization', asUser);
  expect(response.status).toBe(200);
  return response.body.items;
}

/** Resource ids (and subscription ids) that the plugin has but the catalog does not show as entities. */
async function missingFromCatalog(
  server: any,
  entities: any[],
): Promise<string[]> {
  const shown = new Set(
    entities.map(e =>
      (
        e.metadata.annotations['management.azure.com/resourceId'] ?? ''
      ).toLowerCase(),
    ),
  );
  const expected: string[] = DEMO_SUBSCRIPTION_IDS.map(
    id => `/subscriptions/${id}`,
  );
  let cursor: string | undefined;
  do {
    const response = await request(server)
      .get(
        `/api/azure-tenant/catalog/resources?limit=500${
          cursor ? `&cursor=${cursor}` : ''
        }`,
      )
      .set('authorization', asService);
    expect(response.status).toBe(200);
    expected.push(...response.body.items.map((r: any) => r.resourceId));
    cursor = response.body.nextCursor;
  } while (cursor);
  return expected.filter(id => !shown.has(id.toLowerCase()));
}

/** The groups and users of the catalog, once it holds the whole demo organization. */
async function organization(server: any): Promise<Entity[]> {
  const response = await request(server)
    .get(
      '/api/catalog/entities/by-query?filter=kind=group&filter=kind=user&limit=1000',
    )
    .set('authorization', asUser);
  expect(response.status).toBe(200);
  expect(response.body.items.length).toBeGreaterThanOrEqual(ORG_ENTITY_COUNT);
  return response.body.items;
}

const resourcesOf = (entities: any[], subscriptionId: string) =>
  entities.filter(
    e =>
      e.metadata.annotations['management.azure.com/subscriptionId'] ===
        subscriptionId &&
      e.spec.type !== 'azure-subscription' &&
      e.spec.type !== 'azure-resource-group',
  );

/** The resource group entities, by entity ref. */
const groupsOf = (entities: any[]) =>
  new Map<string, any>(
    entities
      .filter(e => e.spec.type === 'azure-resource-group')
      .map(e => [`resource:default/${e.metadata.name}`, e]),
  );

describe.each(databases.eachSupportedId())(
  'Azure resources in the catalog, on %s',
  databaseId => {
    beforeEach(() => {
      emulator.control.reset();
      grantPortalAccess(emulator, ['Reader']);
    });

    it('syncs, owns, updates, removes and switches modes, writing only what changed', async () => {
      const server = await startPortal(
        // Backstage's own database manager, as in production: each plugin gets its own database.
        testDatabaseConfig(databaseId, 'azure_chain'),
      );

      // The first sync of the declared subscriptions brings 200 resources and 3 subscription entities.
      // Owners come from the owner tag, whatever its case, resolved to catalog groups and users; the rest go to the
      // default. While the catalog is still ingesting the organization, an owner tag may not resolve yet: the provider
      // loads the groups again 30 seconds later and rebuilds the entities. So the entities have settled only when
      // every owner is what the whole organization resolves it to (before, a later rebuild changes some of them).
      const ownerTag = (e: any) =>
        Object.entries(e.spec.azure.tags ?? {}).find(
          ([k]) => k.toLowerCase() === 'owner',
        )?.[1] as string | undefined;
      const entities = await eventually(
        async () => {
          const found = await azureEntities(server);
          // Names what is missing, if anything: the resources the plugin serves to the catalog module, and the
          // subscriptions.
          expect(await missingFromCatalog(server, found)).toEqual([]);
          const groups = groupsOf(found);
          expect(found).toHaveLength(203 + groups.size);
          // Every resource's group is in the catalog too.
          expect(
            DEMO_SUBSCRIPTION_IDS.flatMap(id => resourcesOf(found, id))
              .flatMap(e => e.spec.dependencyOf)
              .filter(ref => !groups.has(ref)),
          ).toEqual([]);
          const owners = AzureOwnerDirectory.fromEntities(
            await organization(server),
          );
          const unsettled = found
            .filter(e => e.spec.type !== 'azure-subscription')
            .filter(
              e =>
                e.spec.owner !==
                (owners.resolve(ownerTag(e) ?? '') ?? DEFAULT_OWNER),
            )
            .map(e => `${e.metadata.name} (${ownerTag(e)}): ${e.spec.owner}`);
          expect(unsettled).toEqual([]);
          return found;
        },
        { timeoutMs: 150_000 },
      );
      const platformOwned = entities.filter(e =>
        /^(team-)?platform$/i.test(ownerTag(e) ?? ''),
      );
      expect(platformOwned.length).toBeGreaterThan(0);
      expect(
        platformOwned.every(e => e.spec.owner === 'group:default/platform'),
      ).toBe(true);
      const subscriptionEntity = entities.find(
        e => e.metadata.name === `azure-subscription-${PLATFORM}`,
      );
      expect(subscriptionEntity.spec.type).toBe('azure-subscription');
      expect(
        subscriptionEntity.metadata.annotations[
          'azure-tenant.io/last-sync-status'
        ],
      ).toBe('succeeded');

      const untagged = entities.filter(
        e => e.spec.type !== 'azure-subscription' && !ownerTag(e),
      );
      expect(untagged.length).toBeGreaterThan(0);
      expect(
        untagged.every(e => e.spec.owner === 'group:default/azure-admins'),
      ).toBe(true);
      // Each resource is linked to its resource group, and each group to its subscription.
      const groups = groupsOf(entities);
      expect(
        resourcesOf(entities, PLATFORM).every(e =>
          e.spec.dependencyOf.every((ref: string) =>
            groups
              .get(ref)
              ?.spec.dependencyOf.includes(
                `resource:default/azure-subscription-${PLATFORM}`,
              ),
          ),
        ),
      ).toBe(true);

      // A second sync with no change in Azure leaves every entity as it was.
      const etags = new Map(
        entities.map(e => [e.metadata.name, e.metadata.etag]),
      );
      await syncAndWait(server, [PLATFORM]);
      // Whatever that sync changed would reach the catalog no later than a change made after it: a tag edited in
      // another subscription, synced next. The catalog module applies the plugin's changes in order, and the catalog
      // processes entities in the order they were changed. Once the marker shows, so would any change of Platform's.
      const [marker] = resourcesOf(entities, SUBSCRIPTIONS.dataEurope);
      emulator.control.editTags({
        resourceId:
          marker.metadata.annotations['management.azure.com/resourceId'],
        set: { 'chain-marker': 'after-the-no-change-sync' },
      });
      await syncAndWait(server, [SUBSCRIPTIONS.dataEurope]);
      await eventually(async () => {
        const now = await azureEntities(server);
        expect(
          now.find(e => e.metadata.name === marker.metadata.name).spec.azure
            .tags['chain-marker'],
        ).toBe('after-the-no-change-sync');
      });
      const unchanged = resourcesOf(await azureEntities(server), PLATFORM);
      expect(
        unchanged.every(e => etags.get(e.metadata.name) === e.metadata.etag),
      ).toBe(true);

      // A tag edited in Azure shows after the next sync; a resource deleted there disappears.
      const [edited, deleted] = resourcesOf(entities, PLATFORM);
      const editedId =
        edited.metadata.annotations['management.azure.com/resourceId'];
      emulator.control.editTags({
        resourceId: editedId,
        set: { 'cost-center': '4711' },
      });
      emulator.control.deleteResource(
        deleted.metadata.annotations['management.azure.com/resourceId'],
      );
      await syncAndWait(server, [PLATFORM]);
      await eventually(async () => {
        const now = await azureEntities(server);
        const names = now.map(e => e.metadata.name);
        expect(names).not.toContain(deleted.metadata.name);
        expect(
          now.find(e => e.metadata.name === edited.metadata.name).spec.azure
            .tags['cost-center'],
        ).toBe('4711');
      });

      // A page that fails in the middle of paging changes nothing, and the failure shows on the subscription.
      emulator.control.editTags({
        resourceId: editedId,
        set: { 'cost-center': '9999' },
      });
      emulator.control.injectFault({
        match: {
          method: 'GET',
          pathPattern: `^/subscriptions/${PLATFORM}/resources$`,
        },
        status: 400,
        code: 'InvalidSkipToken',
        skip: 1,
      });
      await requestSync(server, PLATFORM);
      await eventually(async () => {
        const subscription = await subscriptionOf(server, PLATFORM);
        expect(subscription.lastSync.status).toBe('failed');
        const now = await azureEntities(server);
        const platform = now.find(
          e => e.metadata.name === `azure-subscription-${PLATFORM}`,
        );
        expect(
          platform.metadata.annotations['azure-tenant.io/last-sync-status'],
        ).toBe('failed');
        expect(
          platform.metadata.annotations['azure-tenant.io/last-sync-error'],
        ).toContain('InvalidSkipToken');
        expect(
          now.find(e => e.metadata.name === edited.metadata.name).spec.azure
            .tags['cost-center'],
        ).toBe('4711');
        expect(resourcesOf(now, PLATFORM)).toHaveLength(79);
      });

      // No Tags: tags leave the entities at once (the processor), and the sync purges them.
      const setMode = (syncMode: string) =>
        request(server)
          .put(`/api/azure-tenant/subscriptions/${PAYMENTS}/sync-mode`)
          .set('authorization', asUser)
          .send({ syncMode });
      expect((await setMode('no-tags')).status).toBe(200);
      // Each switch has the catalog process 70 entities again, which takes long on a loaded machine (a CI run saw 54
      // of 70 after 60 s), hence the longer waits.
      await eventually(
        async () => {
          const payments = resourcesOf(await azureEntities(server), PAYMENTS);
          expect(payments).toHaveLength(70);
          expect(payments.every(e => e.spec.azure.tags === undefined)).toBe(
            true,
          );
        },
        { timeoutMs: MODE_SWITCH_WAIT_MS },
      );

      // No Resources: its resource entities go away; back to Read and Write Tags, they return with their tags.
      expect((await setMode('none')).status).toBe(200);
      await eventually(
        async () =>
          expect(resourcesOf(await azureEntities(server), PAYMENTS)).toEqual(
            [],
          ),
        { timeoutMs: MODE_SWITCH_WAIT_MS },
      );
      expect((await setMode('read-write-tags')).status).toBe(200);
      await eventually(
        async () => {
          const payments = resourcesOf(await azureEntities(server), PAYMENTS);
          expect(payments).toHaveLength(70);
          expect(
            payments.some(
              e =>
                e.spec.azure.tags && Object.keys(e.spec.azure.tags).length > 0,
            ),
          ).toBe(true);
        },
        { timeoutMs: MODE_SWITCH_WAIT_MS },
      );
    });
  },
);

describe('two backends sharing one PostgreSQL', () => {
  if (!databases.supports('POSTGRES_15')) {
    it.skip('skipped: PostgreSQL is not reachable (set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING)', () => {});
    return;
  }

  it("run each subscription's sync once", async () => {
    emulator.control.reset();
    grantPortalAccess(emulator, ['Reader']);
    const database = testDatabaseConfig('POSTGRES_15', 'azure_replicas');
    const start = () => startKitBackend(config(database));
    // Two replicas of one backend on the same databases (started one after the other, as a rollout would).
    const first = await start();
    const second = await start();

    // Both replicas run the sync task; a claim in PostgreSQL lets one of them sync each subscription.
    await waitForSucceededSyncs(first.server, DEMO_SUBSCRIPTION_IDS);
    // And both ask for Sync now at once.
    emulator.control.clearRequests();
    const before = Date.now();
    await Promise.all([
      requestSync(first.server, PLATFORM),
      requestSync(second.server, PLATFORM),
    ]);
    // Done when the request has been taken, its sync has finished, and neither replica holds a claim on a
    // subscription (the claims in the shared database): a later run finds nothing due, so the emulator's log is
    // complete.
    await eventually(async () => {
      const subscription = await subscriptionOf(second.server, PLATFORM);
      expect(subscription.syncRequestedAt).toBeUndefined();
      expect(
        Date.parse(subscription.lastSync?.finishedAt ?? '0'),
      ).toBeGreaterThanOrEqual(before);
      const held = await second.knex('sync_claims').whereNotNull('replica_id');
      expect(held).toEqual([]);
    });
    await Promise.all([first.stop(), second.stop()]);

    const listCalls = emulator.control
      .requests()
      .filter(
        r =>
          r.method === 'GET' &&
          r.path === `/subscriptions/${PLATFORM}/resources`,
      );
    // 80 resources at 25 a page: one sync reads four pages.
    expect(listCalls).toHaveLength(4);
  });
});
