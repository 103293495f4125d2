import { TestDatabases } from '@backstage/backend-test-utils';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import { AzureEmulator, DEMO_TENANT } from '@azure-tenant/azure-emulator';
import { AzureResourceRecord } from '@azure-tenant/plugin-azure-tenant-common';
import { emulatorConnectionConfig } from '@azure-tenant/test-support';
import { AzureConnection } from '../../azure/azureConnection';
import { readAzureTenantConfig } from '../../config/AzureTenantConfig';
import {
  createSyncFixture,
  DEMO_SUBSCRIPTIONS,
  grantPortalAccess,
} from '../../__testUtils__/syncFixture';
import { releaseTestDatabase } from '../../__testUtils__/releaseTestDatabase';
import { startTestEmulator } from '../../__testUtils__/testEmulator';
import { SubscriptionSyncReport } from '../ResourceSyncer';
import { readSyncConfig } from '../SyncConfig';
import { ChangeFeedSyncer } from './ChangeFeedSyncer';
import { createResourceChangeReader } from './resourceChangeQueries';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const { platform, payments, dataEurope } = DEMO_SUBSCRIPTIONS;
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

let emulator: AzureEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator?.stop();
});

type Fixture = Awaited<ReturnType<typeof createSyncFixture>> & {
  changeFeed: ChangeFeedSyncer;
  connection: AzureConnection;
  /**
   * Moves the emulator's clock and starts a new syncer: its Resource Graph client keeps its token until that nears
   * expiry by the backend's clock, which the test does not move.
   */
  advanceClock(ms: number): void;
};

/** The sync's parts on a database, with the change-feed syncer over them. */
async function createChangeFeedFixture(
  knex: Knex,
  sync: JsonObject = {},
): Promise<Fixture> {
  const fixture = await createSyncFixture(knex, emulator, sync);
  const root = new ConfigReader({
    app: { baseUrl: 'http://localhost:3000' },
    backend: { baseUrl: 'http://localhost:7007' },
    azureTenant: { ...emulatorConnectionConfig(emulator), sync },
  });
  const connection = new AzureConnection(readAzureTenantConfig(root)!);
  const newSyncer = () =>
    new ChangeFeedSyncer({
      syncer: fixture.syncer,
      store: fixture.resources,
      reader: createResourceChangeReader({ connection }),
      config: readSyncConfig(root),
      logger: mockServices.logger.mock(),
    });
  const changeFeedFixture: Fixture = {
    ...fixture,
    changeFeed: newSyncer(),
    connection,
    advanceClock: ms => {
      emulator.control.advanceClock(ms);
      changeFeedFixture.changeFeed = newSyncer();
    },
  };
  return changeFeedFixture;
}

/**
 * One run over the tenant's subscriptions, recording each outcome as the sync service does. The service asks for a
 * new token first; here that also keeps tokens valid when a test moves the emulator's clock.
 */
async function run(fixture: Fixture): Promise<SubscriptionSyncReport[]> {
  await fixture.syncer.checkTenant(DEMO_TENANT.id, { renewToken: true });
  fixture.connection.renewAppCredential(DEMO_TENANT.id);
  const subscriptions = await fixture.store.listSubscriptions({
    tenantId: DEMO_TENANT.id,
  });
  const reports = await fixture.changeFeed.syncTenantBatch(subscriptions);
  for (const report of reports) {
    await fixture.store.recordSyncOutcome(
      report.status === 'succeeded'
        ? {
            subscriptionId: report.subscriptionId,
            startedAt: report.startedAt,
            finishedAt: report.finishedAt,
            status: 'succeeded',
            resourceCount: report.resourceCount,
            displayName: report.displayName,
            tags: report.tags,
          }
        : {
            subscriptionId: report.subscriptionId,
            startedAt: report.startedAt,
            finishedAt: report.finishedAt,
            status: 'failed',
            error: report.error ?? 'failed',
          },
    );
  }
  return reports;
}

const kinds = (reports: SubscriptionSyncReport[]) =>
  Object.fromEntries(
    reports.map(r => [r.subscriptionId, `${r.status} ${r.kind}`]),
  );

async function allResources(fixture: Fixture) {
  const items: AzureResourceRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await fixture.resources.listResources({ cursor, limit: 500 });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** What a user sees of the stored state: resources (as the catalog feed lists them), groups, subscription tags. */
async function storedState(fixture: Fixture) {
  const resources = (await allResources(fixture))
    .map(({ revision, ...record }) => record)
    .sort((a, b) => a.resourceId.localeCompare(b.resourceId));
  const groups: Record<string, unknown> = {};
  const subscriptionTags: Record<string, unknown> = {};
  for (const id of [platform, payments, dataEurope]) {
    groups[id] = await fixture.resources.listResourceGroups(id);
    subscriptionTags[id] = (await fixture.store.getSubscription(id))?.tags;
  }
  return { resources, groups, subscriptionTags };
}

const armListings = (since: number) =>
  emulator.control
    .requests(since)
    .filter(r => r.method === 'GET' && /\/resources$/.test(r.path));
const graphQueries = (since: number) =>
  emulator.control
    .requests(since)
    .filter(
      r =>
        r.method === 'POST' &&
        /^\/providers\/Microsoft\.ResourceGraph\/resources$/i.test(r.path),
    );
const lastSeq = () => emulator.control.requests().at(-1)?.seq ?? 0;

describe.each(databases.eachSupportedId())(
  'the change-feed sync, on %s',
  databaseId => {
    const opened: Knex[] = [];
    async function database() {
      const knex = await databases.init(databaseId);
      opened.push(knex);
      return knex;
    }

    beforeEach(() => {
      emulator.control.reset();
      grantPortalAccess(emulator);
    });

    afterEach(async () => {
      for (const knex of opened.splice(0)) await releaseTestDatabase(knex);
    });

    it('brings a tenant up to date from the feed, equal to a full listing of a fresh database', async () => {
      const fixture = await createChangeFeedFixture(await database());
      expect(kinds(await run(fixture))).toEqual({
        [platform]: 'succeeded full',
        [payments]: 'succeeded full',
        [dataEurope]: 'succeeded full',
      });
      const before = await allResources(fixture);
      const inPlatform = before.filter(r => r.subscriptionId === platform);
      const inPayments = before.filter(r => r.subscriptionId === payments);

      // About 1% of the tenant changes in Azure: a resource created, one retagged, one deleted, a resource group
      // and a subscription retagged.
      const created = emulator.control.addResource({
        subscriptionId: payments,
        resourceGroup: inPayments[0].resourceGroup,
        type: 'Microsoft.Storage/storageAccounts',
        name: 'stchangefeed01',
        tags: { env: 'prod', owner: 'team-payments' },
      });
      emulator.control.editTags({
        resourceId: inPlatform[1].resourceId,
        set: { 'cost-center': '4711' },
      });
      emulator.control.deleteResource(inPlatform[2].resourceId);
      emulator.control.editTags({
        resourceId: `/subscriptions/${platform}/resourceGroups/${inPlatform[3].resourceGroup}`,
        set: { department: 'finance' },
      });
      emulator.control.editTags({
        resourceId: `/subscriptions/${dataEurope}`,
        set: { budget: 'eu-2027' },
      });
      const since = lastSeq();

      const reports = await run(fixture);

      expect(kinds(reports)).toEqual({
        [platform]: 'succeeded incremental',
        [payments]: 'succeeded incremental',
        [dataEurope]: 'succeeded incremental',
      });
      // No resource listing: two Resource Graph queries for the whole tenant.
      expect(armListings(since)).toEqual([]);
      expect(graphQueries(since)).toHaveLength(2);
      expect(reports.find(r => r.subscriptionId === platform)).toMatchObject({
        changed: 2,
        resourceCount: 79,
      });
      expect(reports.find(r => r.subscriptionId === payments)).toMatchObject({
        changed: 1,
        resourceCount: 71,
      });
      expect((await fixture.resources.getResource(created.id))?.tags).toEqual({
        env: 'prod',
        owner: 'team-payments',
      });

      const fresh = await createChangeFeedFixture(await database());
      expect(kinds(await run(fresh))).toEqual({
        [platform]: 'succeeded full',
        [payments]: 'succeeded full',
        [dataEurope]: 'succeeded full',
      });
      const incremental = await storedState(fixture);
      expect(incremental).toEqual(await storedState(fresh));
      expect(incremental.subscriptionTags[dataEurope]).toMatchObject({
        budget: 'eu-2027',
      });

      // Nothing changed since: the next run reads the feed and writes nothing.
      const { revision } = await fixture.resources.listResources({ limit: 1 });
      const again = await run(fixture);
      expect(again.map(r => [r.kind, r.changed])).toEqual([
        ['incremental', 0],
        ['incremental', 0],
        ['incremental', 0],
      ]);
      expect(
        (await fixture.resources.listResources({ limit: 1 })).revision,
      ).toBe(revision);
    });

    it('misses what the feed never recorded until the reconcile lists in full', async () => {
      const fixture = await createChangeFeedFixture(await database(), {
        reconcileInterval: '2h',
      });
      await run(fixture);
      const inPlatform = (await allResources(fixture)).filter(
        r => r.subscriptionId === platform,
      );
      const unseen = emulator.control.addResource({
        subscriptionId: platform,
        resourceGroup: inPlatform[0].resourceGroup,
        type: 'Microsoft.Web/sites',
        name: 'app-missed-by-the-feed',
        omitFromChangeFeed: true,
      });
      emulator.control.deleteResource(inPlatform[1].resourceId, {
        omitFromChangeFeed: true,
      });
      emulator.control.editTags({
        resourceId: inPlatform[2].resourceId,
        set: { seen: 'yes' },
      });

      const incremental = await run(fixture);

      expect(kinds(incremental)[platform]).toBe('succeeded incremental');
      expect(
        (await fixture.resources.getResource(inPlatform[2].resourceId))?.tags,
      ).toMatchObject({ seen: 'yes' });
      // Neither added nor removed: only a Delete change removes a resource from the feed.
      expect(await fixture.resources.getResource(unseen.id)).toBeUndefined();
      expect(
        await fixture.resources.getResource(inPlatform[1].resourceId),
      ).toBeDefined();

      fixture.advanceClock(2 * HOUR + 60_000);
      const since = lastSeq();
      const reconcile = await run(fixture);

      expect(kinds(reconcile)).toEqual({
        [platform]: 'succeeded full',
        [payments]: 'succeeded full',
        [dataEurope]: 'succeeded full',
      });
      expect(armListings(since).length).toBeGreaterThanOrEqual(3);
      expect(await fixture.resources.getResource(unseen.id)).toBeDefined();
      expect(
        await fixture.resources.getResource(inPlatform[1].resourceId),
      ).toBeUndefined();
    });

    it('lists in full once the cursor is older than Azure keeps changes', async () => {
      const fixture = await createChangeFeedFixture(await database(), {
        reconcileInterval: '30d',
      });
      await run(fixture);
      fixture.advanceClock(12 * DAY);
      expect(kinds(await run(fixture))[platform]).toBe('succeeded incremental');

      // 13 days after that run's cursor (its Azure time minus the overlap).
      fixture.advanceClock(13 * DAY);
      const since = lastSeq();
      const reports = await run(fixture);

      expect(kinds(reports)).toEqual({
        [platform]: 'succeeded full',
        [payments]: 'succeeded full',
        [dataEurope]: 'succeeded full',
      });
      expect(armListings(since).length).toBeGreaterThanOrEqual(3);
    });

    it('writes nothing and keeps the cursors when a change query fails', async () => {
      const fixture = await createChangeFeedFixture(await database());
      await run(fixture);
      const before = await allResources(fixture);
      const cursors = await fixture.resources.loadChangeCursors([
        platform,
        payments,
        dataEurope,
      ]);
      const retagged = before.find(r => r.subscriptionId === platform)!;
      emulator.control.editTags({
        resourceId: retagged.resourceId,
        set: { 'cost-center': '0815' },
      });
      emulator.control.injectFault({
        match: {
          method: 'POST',
          pathPattern: '^/providers/Microsoft\\.ResourceGraph/resources$',
        },
        status: 400,
        code: 'BadRequest',
        times: 0,
      });

      const failed = await run(fixture);

      expect(kinds(failed)).toEqual({
        [platform]: 'failed incremental',
        [payments]: 'failed incremental',
        [dataEurope]: 'failed incremental',
      });
      expect(await allResources(fixture)).toEqual(before);
      expect(
        await fixture.resources.loadChangeCursors([
          platform,
          payments,
          dataEurope,
        ]),
      ).toEqual(cursors);
      expect(
        (await fixture.store.getSubscription(platform))?.lastSync?.status,
      ).toBe('failed');

      // Once Resource Graph answers again, the next run brings the change.
      emulator.control.clearFaults();
      expect(kinds(await run(fixture))[platform]).toBe('succeeded incremental');
      expect(
        (await fixture.resources.getResource(retagged.resourceId))?.tags,
      ).toMatchObject({ 'cost-center': '0815' });
    });
  },
);
