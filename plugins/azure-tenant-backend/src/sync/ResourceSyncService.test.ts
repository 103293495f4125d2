import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { AzureEmulator } from '@azure-tenant/azure-emulator';
import { AzureResourceRecord } from '@azure-tenant/plugin-azure-tenant-common';
import {
  createSyncFixture,
  DEMO_SUBSCRIPTIONS,
  grantPortalAccess,
} from '../__testUtils__/syncFixture';
import { startTestEmulator } from '../__testUtils__/testEmulator';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const { platform, payments, dataEurope } = DEMO_SUBSCRIPTIONS;

let emulator: AzureEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator?.stop();
});

async function allResources(
  fixture: Awaited<ReturnType<typeof createSyncFixture>>,
) {
  const items: AzureResourceRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await fixture.resources.listResources({ cursor, limit: 37 });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

const resourceListCalls = (subscriptionId: string) =>
  emulator.control
    .requests()
    .filter(
      r =>
        r.method === 'GET' &&
        r.path === `/subscriptions/${subscriptionId}/resources`,
    );

describe.each(databases.eachSupportedId())(
  'the resource sync, on %s',
  databaseId => {
    let fixture: Awaited<ReturnType<typeof createSyncFixture>>;
    let knex: Knex;

    beforeEach(async () => {
      emulator.control.reset();
      grantPortalAccess(emulator);
      knex = await databases.init(databaseId);
      fixture = await createSyncFixture(knex, emulator, {
        pageSize: 25,
      });
    });

    it('reads every resource of every subscription, with its tags, page by page', async () => {
      const reports = await fixture.service.syncDue();

      expect(
        reports.map(r => [r.subscriptionId, r.status, r.resourceCount]).sort(),
      ).toEqual(
        [
          [platform, 'succeeded', 80],
          [payments, 'succeeded', 70],
          [dataEurope, 'succeeded', 50],
        ].sort(),
      );
      // 80 resources at 25 a page: four pages.
      expect(resourceListCalls(platform)).toHaveLength(4);
      const items = await allResources(fixture);
      expect(items).toHaveLength(200);
      expect(
        items.filter(i => i.tags && Object.keys(i.tags).length > 0).length,
      ).toBeGreaterThan(100);
      expect(new Set(items.map(i => i.revision)).size).toBe(200);

      const subscription = await fixture.store.getSubscription(platform);
      expect(subscription?.lastSync?.status).toBe('succeeded');
      expect(subscription?.syncRequestedAt).toBeUndefined();
      // Registered under its id (as a subscription declared in config without a name is): the sync keeps Azure's.
      expect(subscription?.displayName).toBe('Contoso Platform Production');
      expect(fixture.events.published.map(e => e.eventPayload)).toContainEqual(
        expect.objectContaining({
          type: 'resources-changed',
          subscriptionId: platform,
        }),
      );
    });

    it('writes nothing when nothing changed in Azure', async () => {
      await fixture.service.syncDue();
      const { revision } = await fixture.resources.listResources({ limit: 1 });
      fixture.events.published.length = 0;
      await fixture.store.requestSync(platform, new Date());

      const [report] = await fixture.service.syncDue();

      expect(report).toMatchObject({
        subscriptionId: platform,
        status: 'succeeded',
        changed: 0,
      });
      expect(
        (await fixture.resources.listChanges({ after: revision, limit: 100 }))
          .changed,
      ).toEqual([]);
      expect(
        fixture.events.published.map(e => (e.eventPayload as any).type),
      ).toEqual(['subscription-changed']);
    });

    it('picks up a tag edited in Azure, and a resource deleted there', async () => {
      await fixture.service.syncDue();
      const { revision } = await fixture.resources.listResources({ limit: 1 });
      const [edited, deleted] = (await allResources(fixture)).filter(
        r => r.subscriptionId === platform,
      );
      emulator.control.editTags({
        resourceId: edited.resourceId,
        set: { 'cost-center': '4711' },
      });
      emulator.control.deleteResource(deleted.resourceId);
      await fixture.store.requestSync(platform, new Date());

      await fixture.service.syncDue();

      const changes = await fixture.resources.listChanges({
        after: revision,
        limit: 100,
      });
      expect(changes.changed.map(c => c.resourceId)).toEqual([
        edited.resourceId,
      ]);
      expect(changes.changed[0].tags?.['cost-center']).toBe('4711');
      expect(changes.removed.map(r => r.resourceId)).toEqual([
        deleted.resourceId,
      ]);
      expect(changes.revision).toBeGreaterThan(revision);
      expect(
        await fixture.resources.getResource(deleted.resourceId),
      ).toBeUndefined();
    });

    it('keeps the last good state when a page in the middle of paging fails, and goes on with the others', async () => {
      await fixture.service.syncDue();
      const before = await allResources(fixture);
      const { revision } = await fixture.resources.listResources({ limit: 1 });
      emulator.control.editTags({
        resourceId: before.find(r => r.subscriptionId === platform)!.resourceId,
        set: { changed: 'yes' },
      });
      // The third page of the platform subscription's listing fails.
      emulator.control.injectFault({
        match: {
          method: 'GET',
          pathPattern: `^/subscriptions/${platform}/resources$`,
        },
        status: 400,
        code: 'InvalidSkipToken',
        skip: 2,
      });
      await fixture.store.requestSync(platform, new Date());
      await fixture.store.requestSync(payments, new Date());

      const reports = await fixture.service.syncDue();

      expect(reports.find(r => r.subscriptionId === platform)).toMatchObject({
        status: 'failed',
      });
      expect(reports.find(r => r.subscriptionId === payments)).toMatchObject({
        status: 'succeeded',
      });
      expect(
        await fixture.resources.listChanges({ after: revision, limit: 100 }),
      ).toMatchObject({
        changed: [],
        removed: [],
      });
      expect(await allResources(fixture)).toEqual(before);
      const subscription = await fixture.store.getSubscription(platform);
      expect(subscription?.lastSync).toMatchObject({ status: 'failed' });
      expect(subscription?.lastSync?.error).toContain('InvalidSkipToken');

      // The next run recovers, and brings the change.
      await fixture.store.requestSync(platform, new Date());
      await fixture.service.syncDue();
      const changes = await fixture.resources.listChanges({
        after: revision,
        limit: 100,
      });
      expect(changes.changed).toHaveLength(1);
      expect(
        (await fixture.store.getSubscription(platform))?.lastSync?.status,
      ).toBe('succeeded');
    });

    it('applies each sync mode, and switching between them', async () => {
      await fixture.service.syncDue();
      const platformCount = () =>
        allResources(fixture).then(items =>
          items.filter(i => i.subscriptionId === platform),
        );

      // No Tags: resources stay, no tag value is kept (portal-only tags included).
      const someone = (await platformCount())[0];
      await knex('resources')
        .where({ resource_key: someone.resourceId.toLowerCase() })
        .update({
          portal_tags: JSON.stringify({ note: 'kept in the portal' }),
        });
      expect(
        (await fixture.resources.getResource(someone.resourceId))?.portalTags,
      ).toEqual({
        note: 'kept in the portal',
      });
      await fixture.store.setSyncMode(platform, 'no-tags', new Date());
      await fixture.store.requestSync(platform, new Date());
      await fixture.service.syncDue();
      let items = await platformCount();
      expect(items).toHaveLength(80);
      expect(
        items.every(i => i.tags === undefined && i.portalTags === undefined),
      ).toBe(true);
      expect(items.map(i => i.resourceId)).toContain(someone.resourceId);

      // No Resources: nothing is read from Azure, and what was stored is removed.
      const { revision } = await fixture.resources.listResources({ limit: 1 });
      emulator.control.clearRequests();
      await fixture.store.setSyncMode(platform, 'none', new Date());
      await fixture.store.requestSync(platform, new Date());
      await fixture.service.syncDue();
      expect(await platformCount()).toEqual([]);
      expect(resourceListCalls(platform)).toEqual([]);
      const removed = await fixture.resources.listChanges({
        after: revision,
        limit: 1000,
      });
      expect(removed.removed).toHaveLength(80);

      // Read Tags Only: back again, with their tags.
      await fixture.store.setSyncMode(platform, 'read-tags', new Date());
      await fixture.store.requestSync(platform, new Date());
      await fixture.service.syncDue();
      items = await platformCount();
      expect(items).toHaveLength(80);
      expect(items.some(i => i.tags && Object.keys(i.tags).length > 0)).toBe(
        true,
      );
    });

    it('syncs only what is due: a requested subscription, not the fresh ones', async () => {
      await fixture.service.syncDue();
      emulator.control.clearRequests();
      await fixture.store.requestSync(payments, new Date());

      const reports = await fixture.service.syncDue();

      expect(reports.map(r => r.subscriptionId)).toEqual([payments]);
      expect(resourceListCalls(platform)).toEqual([]);
    });
  },
);
