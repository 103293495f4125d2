import fs from 'node:fs';
import { ConfigReader } from '@backstage/config';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import {
  AzureEmulator,
  DEMO_APP,
  DEMO_FIXTURE_PATH,
  DEMO_TENANT,
  EmulatorFixture,
} from '@azure-tenant/azure-emulator';
import { emulatorConnection } from '../azure/__testUtils__/emulatorConnection';
import { startTestEmulator } from '../__testUtils__/testEmulator';
import {
  createSyncFixture,
  DEMO_SUBSCRIPTIONS,
  grantPortalAccess,
} from '../__testUtils__/syncFixture';
import { createAzureTagsClient } from '../tags/azureTagsClient';
import { TagService } from '../tags/TagService';
import { ResourceSyncService } from './ResourceSyncService';
import { readSyncConfig } from './SyncConfig';

jest.setTimeout(120_000);

// Each state is driven through the emulator's control API (packages/azure-emulator/src/control/lostAccess.test.ts
// cites the Microsoft Learn page each scenario follows), then the portal's answers, its back-off and the recovery.
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const { platform, payments, dataEurope } = DEMO_SUBSCRIPTIONS;
const FABRIKAM = {
  id: '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d',
  displayName: 'Fabrikam',
};
const HOUR = 3_600_000;

let emulator: AzureEmulator;
beforeAll(async () => {
  const fixture: EmulatorFixture = JSON.parse(
    fs.readFileSync(DEMO_FIXTURE_PATH, 'utf8'),
  );
  // A second tenant, to move a subscription to.
  fixture.tenants.push({
    ...FABRIKAM,
    users: [
      {
        oid: '1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a',
        userPrincipalName: 'admin@fabrikam.example',
      },
    ],
  });
  emulator = await startTestEmulator({ fixture });
});

afterAll(async () => {
  await emulator?.stop();
});

async function setup() {
  emulator.control.reset();
  const principalId = grantPortalAccess(emulator, 'Reader');
  grantPortalAccess(emulator, 'Tag Contributor');
  const knex: Knex = await databases.init('SQLITE_3');
  const fixture = await createSyncFixture(knex, emulator);
  let clock = new Date();
  const service = new ResourceSyncService({
    store: fixture.store,
    syncer: fixture.syncer,
    scheduler: mockServices.scheduler.mock(),
    events: fixture.events,
    config: readSyncConfig(
      new ConfigReader({ azureTenant: { sync: { frequency: '1h' } } }),
    ),
    logger: mockServices.logger.mock(),
    now: () => clock,
  });
  await service.syncDue();
  const tags = new TagService({
    store: fixture.store,
    tags: fixture.resources,
    azure: createAzureTagsClient({ connection: emulatorConnection(emulator) }),
    events: fixture.events,
    logger: mockServices.logger.mock(),
    access: fixture.store,
  });
  const resourceIds = async (subscriptionId: string) =>
    (await fixture.resources.listResources({ limit: 5000 })).items
      .filter(r => r.subscriptionId === subscriptionId)
      .map(r => r.resourceId);
  return {
    ...fixture,
    knex,
    principalId,
    service,
    tags,
    resourceIds,
    advance: (ms: number) => {
      clock = new Date(clock.getTime() + ms);
    },
    /** Runs of the scheduled task every 10 minutes for `hours`; returns how many requests matched meanwhile. */
    runFor: async (hours: number, matches: (p: string) => boolean) => {
      const since = emulator.control.requests().at(-1)?.seq ?? 0;
      for (let minutes = 10; minutes <= hours * 60; minutes += 10) {
        clock = new Date(clock.getTime() + 10 * 60_000);
        await service.syncDue();
      }
      return emulator.control.requests(since).filter(r => matches(r.path))
        .length;
    },
  };
}

const tokenPath = (p: string) =>
  p.toLowerCase() === `/${DEMO_TENANT.id}/oauth2/v2.0/token`.toLowerCase();
const subscriptionPath = (subscriptionId: string) => (p: string) =>
  p.toLowerCase() === `/subscriptions/${subscriptionId}`;

describe('lost access, detected by the sync and kept as a state', () => {
  it('consent revoked (service principal deleted): the tenant and its subscriptions say so, the sync backs off, keeps everything, and resumes once consent is back', async () => {
    const f = await setup();
    const before = await f.resourceIds(platform);
    const lastGood = (await f.store.getSubscription(platform))!
      .lastSuccessfulSyncAt;
    expect(lastGood).toBeDefined();

    emulator.control.deleteServicePrincipal(DEMO_TENANT.id, DEMO_APP.clientId);
    f.advance(HOUR);
    await f.service.syncDue();

    const [tenant] = await f.store.listTenants();
    expect(tenant.access).toMatchObject({
      problem: 'consent-revoked',
      action: 'reconnect',
      message: expect.stringMatching(/AADSTS7000229.*reconnect the tenant/),
    });
    const since = tenant.access!.since;
    for (const sub of await f.store.listSubscriptions()) {
      expect(sub.access?.problem).toBe('consent-revoked');
      expect(sub.lastSuccessfulSyncAt).toBeDefined();
    }
    // The catalog keeps the last good state.
    expect(await f.resourceIds(platform)).toEqual(before);
    expect(
      (await f.store.getSubscription(platform))!.lastSuccessfulSyncAt,
    ).toBe(lastGood);

    // Ten hours of runs every 10 minutes: tries after 1 h, 2 h more and 4 h more, not 60 times.
    const tries = await f.runFor(10, tokenPath);
    expect(tries).toBe(3);
    const after = (await f.store.listTenants())[0].access!;
    expect(after.since).toBe(since);
    expect(Date.parse(after.nextAttemptAt!) - Date.parse(after.checkedAt)).toBe(
      8 * HOUR,
    );

    // Sync now tries at once.
    await f.store.requestSync(platform, new Date());
    expect(await f.runFor(0, tokenPath)).toBe(0);
    await f.service.syncDue();
    expect((await f.store.getSubscription(platform))!.syncRequestedAt).toBe(
      undefined,
    );

    emulator.control.restoreServicePrincipal(DEMO_TENANT.id, DEMO_APP.clientId);
    await f.store.requestSync(platform, new Date());
    await f.service.syncDue();
    expect((await f.store.listTenants())[0].access).toBeUndefined();
    const recovered = (await f.store.getSubscription(platform))!;
    expect(recovered.access).toBeUndefined();
    expect(recovered.lastSync?.status).toBe('succeeded');
  });

  it('roles removed: read-denied on that subscription only; the others sync on; back after the roles are given back', async () => {
    const f = await setup();
    // Tag Contributor alone still reads resources (its actions include */read of resources), so both go.
    emulator.control.removeRoleAssignments({
      principalId: f.principalId,
      scope: `/subscriptions/${platform}`,
    });
    f.advance(HOUR);
    await f.service.syncDue();
    const denied = (await f.store.getSubscription(platform))!;
    expect(denied.access).toMatchObject({
      problem: 'read-denied',
      action: 'reconnect',
      message: expect.stringContaining(
        `no longer has the Reader role on subscription ${platform}`,
      ),
    });
    expect(denied.lastSync?.error).toBe(denied.access!.message);
    expect((await f.store.getSubscription(payments))!.access).toBeUndefined();
    expect((await f.store.listTenants())[0].access).toBeUndefined();

    expect(await f.runFor(10, subscriptionPath(platform))).toBe(3);

    // GET /tags says why the tags shown are stale; a live read is a 403 with the sentence, never a 500.
    const [resourceId] = await f.resourceIds(platform);
    const stale = await f.tags.getTags(resourceId, { permissionAllowed: true });
    expect(stale.staleness?.access.problem).toBe('read-denied');
    expect(stale.staleness?.lastSuccessfulSyncAt).toBe(
      denied.lastSuccessfulSyncAt,
    );
    await expect(
      f.tags.getTags(resourceId, { live: true, permissionAllowed: true }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('Reader role'),
    });

    for (const role of ['Reader', 'Tag Contributor']) {
      emulator.control.assignRole({
        scope: `/subscriptions/${platform}`,
        principalId: f.principalId,
        role,
      });
    }
    await f.store.requestSync(platform, new Date());
    await f.service.syncDue();
    expect((await f.store.getSubscription(platform))!.access).toBeUndefined();
  });

  it('Reader removed alone: the read-denied that Cost Management found is kept by resource syncs (Tag Contributor still lists resources) until the Reader role is back', async () => {
    const f = await setup();
    emulator.control.removeRoleAssignments({
      principalId: f.principalId,
      scope: `/subscriptions/${platform}`,
      role: 'Reader',
    });
    // The spend sync's Cost Management query met 403 AuthorizationFailed and kept read-denied.
    await f.store.recordAccessProblem(
      { subscriptionId: platform },
      {
        problem: 'read-denied',
        message: 'no Reader role',
        at: new Date(),
        retryDelayMs: () => 0,
      },
    );
    f.advance(HOUR);
    await f.store.requestSync(platform, new Date());
    await f.service.syncDue();
    const kept = (await f.store.getSubscription(platform))!;
    expect(kept.lastSync?.status).toBe('succeeded');
    expect(kept.access?.problem).toBe('read-denied');

    emulator.control.assignRole({
      scope: `/subscriptions/${platform}`,
      principalId: f.principalId,
      role: 'Reader',
    });
    await f.store.requestSync(platform, new Date());
    await f.service.syncDue();
    expect((await f.store.getSubscription(platform))!.access).toBeUndefined();
  });

  it('Tag Contributor removed: a tag write answers 403 with the sentence and keeps tag-write-denied, syncs go on; a write that works clears it', async () => {
    const f = await setup();
    emulator.control.removeRoleAssignments({
      principalId: f.principalId,
      scope: `/subscriptions/${platform}`,
      role: 'Tag Contributor',
    });
    const [resourceId] = await f.resourceIds(platform);
    const change = { set: { team: 'x' }, remove: [], expected: {} };
    await expect(f.tags.update(resourceId, change)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringMatching(
        new RegExp(
          `^The portal's service principal no longer has the Tag Contributor role on subscription ${platform}.*an administrator can reconnect the tenant on the Azure tenants page\\.$`,
        ),
      ),
    });
    const denied = (await f.store.getSubscription(platform))!.access;
    expect(denied).toMatchObject({ problem: 'tag-write-denied' });
    expect(denied!.nextAttemptAt).toBeUndefined();
    expect(emulator.control.getTags(resourceId).team).not.toBe('x');

    // Reads work: the sync runs on its schedule, and a removed write role is not cleared by a read.
    expect(await f.runFor(2, subscriptionPath(platform))).toBe(2);
    expect((await f.store.getSubscription(platform))!.access?.problem).toBe(
      'tag-write-denied',
    );
    const tags = await f.tags.getTags(resourceId, { permissionAllowed: true });
    expect(tags.staleness).toBeUndefined();

    emulator.control.assignRole({
      scope: `/subscriptions/${platform}`,
      principalId: f.principalId,
      role: 'Tag Contributor',
    });
    const written = await f.tags.update(resourceId, change);
    expect(written.outcome).toBe('written');
    expect((await f.store.getSubscription(platform))!.access).toBeUndefined();
  });

  it.each([
    ['Disabled', 'subscription-disabled', 'enable-subscription', true],
    ['Deleted', 'subscription-deleted', 'none', true],
    ['Warned', 'subscription-warned', 'enable-subscription', false],
  ] as const)(
    'a subscription %s in Azure is %s, and comes back when it is enabled',
    async (state, problem, action, backsOff) => {
      const f = await setup();
      const before = await f.resourceIds(platform);
      emulator.control.setSubscriptionState(platform, state);
      f.advance(HOUR);
      await f.service.syncDue();
      const sub = (await f.store.getSubscription(platform))!;
      expect(sub.access).toMatchObject({ problem, action });
      expect(sub.lastSync?.status).toBe(backsOff ? 'failed' : 'succeeded');
      expect(!!sub.access!.nextAttemptAt).toBe(backsOff);
      expect(await f.resourceIds(platform)).toEqual(before);
      expect(await f.runFor(10, subscriptionPath(platform))).toBe(
        backsOff ? 3 : 10,
      );

      emulator.control.setSubscriptionState(platform, 'Enabled');
      await f.store.requestSync(platform, new Date());
      await f.service.syncDue();
      expect((await f.store.getSubscription(platform))!.access).toBeUndefined();
    },
  );

  it('a subscription moved to another tenant is subscription-moved; the catalog keeps it', async () => {
    const f = await setup();
    const before = await f.resourceIds(platform);
    emulator.control.moveSubscription(platform, FABRIKAM.id);
    f.advance(HOUR);
    await f.service.syncDue();
    const sub = (await f.store.getSubscription(platform))!;
    expect(sub.access).toMatchObject({
      problem: 'subscription-moved',
      action: 'none',
      message: expect.stringContaining(
        'moved to another Microsoft Entra tenant',
      ),
    });
    expect(await f.resourceIds(platform)).toEqual(before);
    // The tag path answers 503 with the sentence.
    await expect(
      f.tags.update(before[0], { set: { a: 'b' }, remove: [], expected: {} }),
    ).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
  });

  it('lists subscriptions the service principal can read that are not registered', async () => {
    const f = await setup();
    await f
      .knex('subscriptions')
      .where({ subscription_id: dataEurope })
      .delete();
    f.advance(HOUR);
    await f.service.syncDue();
    const [tenant] = await f.store.listTenants();
    expect(tenant.unregisteredSubscriptions).toEqual([
      { subscriptionId: dataEurope, displayName: expect.any(String) },
    ]);
  });
});
