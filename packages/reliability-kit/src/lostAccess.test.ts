/*
 * Lost access, through a whole backend (the plugin, the catalog with the Azure tenant module, the demo's permission
 * policy) against the emulator: each state is driven through the emulator's control API as an administrator or
 * Azure would (packages/azure-emulator/src/control/lostAccess.test.ts cites the Microsoft Learn page each follows),
 * then the tenants page's data, the subscription entity, the API answers, the back-off and the recovery are checked.
 *
 * The backend syncs on the shortest schedule it allows (every minute, lost access backing off up to 3 minutes), so
 * that the back-off can be watched on the real scheduler and the recovery happens by itself. A second tenant (the kit's Fabrikam) is
 * connected too: its syncs show that the others go on while one tenant backs off. Only two of the demo tenant's
 * subscriptions are declared: the third is one the service principal can read that is not registered.
 */
import {
  ANNOTATION_AZURE_ACCESS_PROBLEM,
  ANNOTATION_AZURE_ACCESS_SINCE,
  AzureAccessAction,
  AzureAccessProblem,
} from '@azure-tenant/plugin-azure-tenant-common';
import { DEMO_APP, DEMO_USER } from '@azure-tenant/azure-emulator';
import {
  ApiClient,
  ApiResponse,
  demoTenantConfig,
  eventually,
  FOREIGN,
  grantPortalAccess,
  KitBackend,
  logMark,
  reliabilityFixture,
  requestsSince,
  RESOURCES_PER_SUBSCRIPTION,
  signInAtEmulator,
  startReliabilityBackend,
  startTestEmulator,
  SUBSCRIPTIONS,
  syncAndWait,
  TENANT_ID,
  TestEmulator,
  waitForOrganization,
  waitForSucceededSyncs,
} from '.';

jest.setTimeout(420_000);

const A = '/api/azure-tenant';
const { platform, payments, dataEurope } = SUBSCRIPTIONS;
/** The scheduled resource sync's frequency in this file (its minimum): also the first back-off step. */
const FREQUENCY_MS = 60_000;
/** `azureTenant.sync.lostAccessMaxInterval` in this file: the back-off doubles twice, then stops at it. */
const MAX_INTERVAL_MS = 180_000;
const RESOURCE_SYNC_TASK = 'azure-tenant-resource-sync';
/** What an answer of the API never holds: the SDKs' error objects and their fields, a stack, a 500's words. */
const RAW_ERROR =
  /AuthenticationRequiredError|RestError|scopes|tracingOptions|getToken|\bat \S+ \(|Internal (server )?error/i;

let emulator: TestEmulator;
let backend: KitBackend;
let api: ApiClient;
let principalId: string;
/** A resource of `platform` whose tags the tests read and write. */
let resourceId: string;
/** The Resource entities the catalog holds for `platform`'s resources before any access is lost. */
let resourceEntities: string[];

/** Consents the portal in the second tenant and gives it Reader and Tag Contributor on its subscription. */
function grantForeignAccess() {
  const principal = emulator.control.consent(
    FOREIGN.tenantId,
    DEMO_APP.clientId,
  );
  for (const role of ['Reader', 'Tag Contributor']) {
    emulator.control.assignRole({
      scope: `/subscriptions/${FOREIGN.subscriptionId}`,
      principalId: principal.objectId,
      role,
    });
  }
}

beforeAll(async () => {
  emulator = await startTestEmulator({ fixture: reliabilityFixture() });
  principalId = grantPortalAccess(emulator);
  grantForeignAccess();
  backend = await startReliabilityBackend({
    databaseId: 'SQLITE_3',
    emulator,
    tenants: 'config',
    azureTenant: {
      tenants: [
        demoTenantConfig([platform, payments]),
        {
          tenantId: FOREIGN.tenantId,
          displayName: 'Fabrikam',
          subscriptions: [{ subscriptionId: FOREIGN.subscriptionId }],
        },
      ],
      sync: {
        frequency: { milliseconds: FREQUENCY_MS },
        lostAccessMaxInterval: { milliseconds: MAX_INTERVAL_MS },
        // Every scheduled sync is a full listing, whose `GET /subscriptions/{id}` in the emulator's log is how these
        // tests see which subscriptions a run synced (a change-feed run is one Resource Graph query for a batch). The
        // back-off is the same either way: it decides which subscriptions are due, before the listing or the feed.
        changeFeed: { enabled: false },
      },
    },
  });
  api = new ApiClient(backend.baseUrl);
  await waitForOrganization(api);
  await waitForSucceededSyncs(backend.server, [
    platform,
    payments,
    FOREIGN.subscriptionId,
  ]);
  resourceEntities = await eventually(
    async () => {
      const refs = await resourceEntityRefs(platform);
      if (refs.length < RESOURCES_PER_SUBSCRIPTION) {
        throw new Error(`the catalog holds ${refs.length} resource entities`);
      }
      return refs;
    },
    { timeoutMs: 120_000 },
  );
  resourceId = (
    await api.json('GET', `${A}/catalog/resources?limit=1000`, 'service')
  ).body.items.find(
    (r: { subscriptionId: string }) => r.subscriptionId === platform,
  ).resourceId;
});

afterAll(async () => {
  await backend?.stop();
  await emulator?.stop();
});

const subscription = async (id: string) =>
  (await api.json('GET', `${A}/subscriptions`, 'admin')).body.items.find(
    (s: { subscriptionId: string }) => s.subscriptionId === id,
  );
const tenant = async (id = TENANT_ID) =>
  (await api.json('GET', `${A}/tenants`, 'admin')).body.items.find(
    (t: { tenantId: string }) => t.tenantId === id,
  );
const entities = async (filter: string) =>
  (
    await api.json(
      'GET',
      `/api/catalog/entities/by-query?limit=500&filter=${filter}`,
      'admin',
    )
  ).body?.items ?? [];
const subscriptionEntity = async (id = platform) =>
  (
    await entities(
      `kind=resource,spec.type=azure-subscription,metadata.annotations.management.azure.com/subscriptionId=${id}`,
    )
  )[0];
async function resourceEntityRefs(id: string): Promise<string[]> {
  return (
    (
      await entities(
        `kind=resource,metadata.annotations.management.azure.com/subscriptionId=${id}`,
      )
    )
      // Resources only: the subscription's own entity and its resource groups' carry the same annotation.
      .filter(
        (e: any) =>
          e.spec?.type !== 'azure-subscription' &&
          e.spec?.type !== 'azure-resource-group',
      )
      .map((e: any) => `${e.metadata.namespace}/${e.metadata.name}`)
      .sort()
  );
}
const tagsPath = (live: boolean) =>
  `${A}/tags?resourceId=${encodeURIComponent(resourceId)}${
    live ? '&live=true' : ''
  }`;
const patchTags = (set: Record<string, string>) =>
  api.json('PATCH', `${A}/tags`, 'admin', {
    resourceId,
    set,
    remove: [],
    expected: {},
  });
const bulkTags = (set: Record<string, string>) =>
  api.json('POST', `${A}/tags/bulk`, 'admin', {
    resourceIds: [resourceId],
    set,
  });
const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const spend = (id = platform) =>
  api.json(
    'GET',
    `${A}/spend?subscriptionId=${id}&from=${day(-7)}&to=${day(0)}`,
    'admin',
  );
/** Requests for a subscription's own ARM routes (a sync reads `GET /subscriptions/{id}` first). */
const subscriptionReads = (since: number, id: string) =>
  requestsSince(emulator, since, {
    method: 'GET',
    path: new RegExp(`^/subscriptions/${id}$`, 'i'),
  });
const tokenRequests = (since: number, tenantId: string) =>
  requestsSince(emulator, since, {
    method: 'POST',
    path: new RegExp(`^/${tenantId}/oauth2/v2\\.0/token$`, 'i'),
  });

/** Drives *Sync now* on `platform` and waits until it shows `problem` (or none). */
async function syncUntil(problem: AzureAccessProblem | undefined) {
  await syncAndWait(backend.server, [platform], 90_000);
  return eventually(async () => {
    const found = await subscription(platform);
    expect(found.access?.problem).toBe(problem);
    return found;
  });
}

/** An answer with `status`, nothing raw in it, and when it is a refusal, an error carrying `sentence`. */
function expectAnswer(
  answer: ApiResponse,
  status: number,
  sentence: RegExp,
  label: string,
) {
  expect({ label, status: answer.status }).toEqual({ label, status });
  expect(answer.text).not.toMatch(RAW_ERROR);
  if (status >= 400) expect(answer.body?.error?.message).toMatch(sentence);
}

/** A tag write that meets the problem (a removed Tag Contributor role is seen by nothing else), then a sync. */
async function writeThenSync(tag: string) {
  await patchTags({ [tag]: 'refused' });
  return (await syncAndWait(backend.server, [platform], 90_000))[platform];
}

/** The subscription entity's access annotations, once the catalog shows them (`undefined`: none). */
function waitForEntityAccess(problem: AzureAccessProblem | undefined) {
  return eventually(
    async () => {
      const entity = await subscriptionEntity();
      expect(entity).toBeDefined();
      expect(entity.metadata.annotations[ANNOTATION_AZURE_ACCESS_PROBLEM]).toBe(
        problem,
      );
      return entity;
    },
    { timeoutMs: 120_000 },
  );
}

/**
 * A move to another tenant deletes every role assignment of the subscription, its owner's too (Learn, "Transfer an
 * Azure subscription to a different Microsoft Entra directory"); moved back, the admin is made its Owner again, as
 * the demo fixture has it, so that a later *Reconnect* may assign the portal's roles there.
 */
function restoreOwner() {
  const scope = `/subscriptions/${platform}`;
  const owners = emulator.control
    .listRoleAssignments({ principalId: DEMO_USER.oid, scope })
    .filter(assignment => assignment.scope.toLowerCase() === scope);
  if (owners.length === 0) {
    emulator.control.assignRole({
      scope,
      principalId: DEMO_USER.oid,
      role: 'Owner',
    });
  }
}

/** Connects the demo tenant again as its admin would (*Reconnect* or *Add subscriptions*); returns the onboarding. */
async function onboardAgain(kind: 'connect' | 'add-subscriptions') {
  const started = await api.json('POST', `${A}/onboarding/start`, 'admin', {
    kind,
    tenantId: TENANT_ID,
  });
  expect(started.status).toBe(200);
  expect(
    new URL(started.body.authorizeUrl).pathname.split('/')[1].toLowerCase(),
  ).toBe(TENANT_ID.toLowerCase());
  const form = await signInAtEmulator(
    started.body.authorizeUrl,
    emulator.caCert,
    DEMO_USER.userPrincipalName,
  );
  expect(
    (await api.form(`${A}/onboarding/callback`, 'unauthenticated', form))
      .status,
  ).toBe(303);
  return eventually(
    async () => {
      const found = await api.json(
        'GET',
        `${A}/onboardings/${started.body.onboardingId}`,
        'admin',
      );
      expect(found.body.status).toBe('succeeded');
      return found.body;
    },
    { timeoutMs: 120_000 },
  );
}

/** One way of losing access, what the portal must show and answer, and how an administrator undoes it. */
interface LostAccessCase {
  name: string;
  problem: AzureAccessProblem;
  /** Whether the whole tenant is lost (consent), or one subscription. */
  tenantWide: boolean;
  action: AzureAccessAction;
  /** The sentence of the state, also in the API's refusals. */
  sentence: RegExp;
  /** Whether syncs back off (and the data shown is stale). */
  backsOff: boolean;
  /** What first meets the problem: a sync, or a tag write. */
  detectedBy?: 'tag-write';
  /** The status of `GET /tags?live=true`, `PATCH /tags` and each item of `POST /tags/bulk`. */
  live: number;
  write: number;
  lose(): unknown;
  /** May be async; what it returns is not used. */
  restore(): unknown;
}

const subscriptionScope = `/subscriptions/${platform}`;
const CASES: LostAccessCase[] = [
  {
    name: 'consent revoked: the service principal deleted (AADSTS7000229)',
    problem: 'consent-revoked',
    tenantWide: true,
    action: 'reconnect',
    sentence: /AADSTS7000229.*reconnect the tenant/,
    backsOff: true,
    live: 503,
    write: 503,
    lose: () =>
      emulator.control.deleteServicePrincipal(TENANT_ID, DEMO_APP.clientId),
    restore: () =>
      emulator.control.restoreServicePrincipal(TENANT_ID, DEMO_APP.clientId),
  },
  {
    name: 'the service principal disabled (AADSTS7000112, unauthorized_client)',
    problem: 'consent-revoked',
    tenantWide: true,
    action: 'reconnect',
    sentence: /AADSTS7000112.*reconnect the tenant/,
    backsOff: true,
    live: 503,
    write: 503,
    lose: () =>
      emulator.control.setServicePrincipalEnabled(
        TENANT_ID,
        DEMO_APP.clientId,
        false,
      ),
    restore: () =>
      emulator.control.setServicePrincipalEnabled(
        TENANT_ID,
        DEMO_APP.clientId,
        true,
      ),
  },
  {
    // Tag Contributor alone still reads resources (Microsoft.Resources/subscriptions/resources/read), so both go.
    name: 'Reader removed (with Tag Contributor)',
    problem: 'read-denied',
    tenantWide: false,
    action: 'reconnect',
    sentence: new RegExp(
      `no longer has the Reader role on subscription ${platform}.*reconnect the tenant`,
    ),
    backsOff: true,
    live: 403,
    write: 403,
    lose: () =>
      emulator.control.removeRoleAssignments({
        principalId,
        scope: subscriptionScope,
      }),
    restore: () => {
      principalId = grantPortalAccess(emulator, undefined, [platform]);
    },
  },
  {
    name: 'Tag Contributor removed',
    problem: 'tag-write-denied',
    tenantWide: false,
    action: 'reconnect',
    sentence: new RegExp(
      `no longer has the Tag Contributor role on subscription ${platform}.*reconnect the tenant`,
    ),
    backsOff: false,
    detectedBy: 'tag-write',
    live: 200,
    write: 403,
    lose: () =>
      emulator.control.removeRoleAssignments({
        principalId,
        scope: subscriptionScope,
        role: 'Tag Contributor',
      }),
    // A tag write that works clears it (a sync cannot tell).
    restore: async () => {
      emulator.control.assignRole({
        scope: subscriptionScope,
        principalId,
        role: 'Tag Contributor',
      });
      expect((await patchTags({ lost3: 'back' })).status).toBe(200);
    },
  },
  {
    name: 'subscription Disabled',
    problem: 'subscription-disabled',
    tenantWide: false,
    action: 'enable-subscription',
    sentence: new RegExp(`Azure has disabled subscription ${platform}`),
    backsOff: true,
    // Azure still answers reads of a disabled subscription; it refuses writes (409 ReadOnlyDisabledSubscription).
    live: 200,
    write: 503,
    lose: () => emulator.control.setSubscriptionState(platform, 'Disabled'),
    restore: () => emulator.control.setSubscriptionState(platform, 'Enabled'),
  },
  {
    name: 'subscription Warned (still syncs, shown as a warning)',
    problem: 'subscription-warned',
    tenantWide: false,
    action: 'enable-subscription',
    sentence: /in the Warned state/,
    backsOff: false,
    live: 200,
    write: 200,
    lose: () => emulator.control.setSubscriptionState(platform, 'Warned'),
    restore: () => emulator.control.setSubscriptionState(platform, 'Enabled'),
  },
  {
    name: 'subscription Deleted',
    problem: 'subscription-deleted',
    tenantWide: false,
    action: 'none',
    sentence: new RegExp(`Azure has deleted subscription ${platform}`),
    backsOff: true,
    live: 503,
    write: 503,
    lose: () => emulator.control.setSubscriptionState(platform, 'Deleted'),
    restore: () => emulator.control.setSubscriptionState(platform, 'Enabled'),
  },
  {
    name: 'moved to another tenant',
    problem: 'subscription-moved',
    tenantWide: false,
    action: 'none',
    sentence: /moved to another Microsoft Entra tenant/,
    backsOff: true,
    live: 503,
    write: 503,
    lose: () => emulator.control.moveSubscription(platform, FOREIGN.tenantId),
    // Moved back, its role assignments must be given again (a move deletes them).
    restore: () => {
      emulator.control.moveSubscription(platform, TENANT_ID);
      restoreOwner();
      principalId = grantPortalAccess(emulator, undefined, [platform]);
    },
  },
];

describe('lost access, through a whole backend', () => {
  // Each test starts with access: a test that failed midway leaves no state to the next.
  afterEach(async () => {
    if (!emulator.control.servicePrincipal(TENANT_ID, DEMO_APP.clientId)) {
      emulator.control.restoreServicePrincipal(TENANT_ID, DEMO_APP.clientId);
    }
    emulator.control.setServicePrincipalEnabled(
      TENANT_ID,
      DEMO_APP.clientId,
      true,
    );
    const owner = (
      emulator.control.summary().subscriptions as Array<{
        subscriptionId: string;
        tenantId: string;
      }>
    ).find(s => s.subscriptionId === platform)?.tenantId;
    if (owner !== TENANT_ID) {
      emulator.control.moveSubscription(platform, TENANT_ID);
    }
    restoreOwner();
    emulator.control.setSubscriptionState(platform, 'Enabled');
    principalId = grantPortalAccess(emulator);
    if ((await subscription(platform)).access) {
      // tag-write-denied is cleared by a write that works, not by a sync.
      await patchTags({ cleanup: 'yes' });
      await syncUntil(undefined);
    }
  });

  it.each(CASES.map(c => [c.name, c] as const))(
    '%s: the tenants page, the entity, the API and the recovery',
    async (_name, c) => {
      const before = await subscription(platform);
      expect(before.access).toBeUndefined();
      // A tag of this case's own, so that no other case's edits are mistaken for its writes.
      const tag = `lost${CASES.indexOf(c)}`;

      c.lose();
      const lost =
        c.detectedBy === 'tag-write'
          ? await writeThenSync(tag)
          : await syncUntil(c.problem);
      expect(lost.access?.problem).toBe(c.problem);

      // The tenants page's data: the state with its sentence and what to do, the last good sync kept.
      expect(lost.access).toMatchObject({
        problem: c.problem,
        action: c.action,
        message: expect.stringMatching(c.sentence),
        since: expect.any(String),
      });
      expect(!!lost.access.nextAttemptAt).toBe(c.backsOff);
      expect(lost.lastSuccessfulSyncAt).toBeDefined();
      // A sync that backs off keeps the time of the last one that worked.
      expect(lost.lastSuccessfulSyncAt).toBe(
        c.backsOff ? before.lastSuccessfulSyncAt : lost.lastSuccessfulSyncAt,
      );
      // Consent is the whole tenant's: its page and every subscription show it; the other tenant is untouched.
      const lostTenant = await tenant();
      expect(lostTenant.access?.problem).toBe(
        c.tenantWide ? c.problem : undefined,
      );
      expect(lostTenant.access?.action).toBe(
        c.tenantWide ? 'reconnect' : undefined,
      );
      expect((await subscription(payments)).access?.problem).toBe(
        c.tenantWide ? c.problem : undefined,
      );
      expect((await tenant(FOREIGN.tenantId)).access).toBeUndefined();

      // The subscription entity carries the state; the catalog keeps every resource entity.
      const entity = await waitForEntityAccess(c.problem);
      expect(entity.metadata.annotations[ANNOTATION_AZURE_ACCESS_SINCE]).toBe(
        lost.access.since,
      );
      expect(await resourceEntityRefs(platform)).toEqual(resourceEntities);

      // The API: the stored tags and spend say why they are stale; live reads and writes answer with the sentence.
      const stored = await api.json('GET', tagsPath(false), 'admin');
      expect(stored.status).toBe(200);
      expect(stored.body.staleness?.access.problem).toBe(
        c.backsOff ? c.problem : undefined,
      );
      const live = await api.json('GET', tagsPath(true), 'admin');
      expectAnswer(live, c.live, c.sentence, 'GET /tags?live=true');
      expect(live.body.liveTags).toEqual(
        c.live === 200 ? emulator.control.getTags(resourceId) : undefined,
      );
      const patched = await patchTags({ [tag]: 'patch' });
      expectAnswer(patched, c.write, c.sentence, 'PATCH /tags');
      const bulk = await bulkTags({ [tag]: 'bulk' });
      expectAnswer(bulk, 200, c.sentence, 'POST /tags/bulk');
      expect(bulk.body.results[0].status).toBe(c.write);
      expect(bulk.body.results[0].error?.message ?? '').toMatch(
        c.write === 200 ? /^$/ : c.sentence,
      );
      // Nothing was written when refused.
      expect(emulator.control.getTags(resourceId)[tag]).toBe(
        c.write === 200 ? 'bulk' : undefined,
      );
      const spent = await spend();
      expect(spent.status).toBe(200);
      expect(spent.body.staleness?.access.problem).toBe(
        c.backsOff ? c.problem : undefined,
      );

      // Recovery: undone in Azure, the next sync (or tag write) clears the state and data flows again.
      await c.restore();
      const back = await syncUntil(undefined);
      expect(back.lastSync.status).toBe('succeeded');
      expect(Date.parse(back.lastSuccessfulSyncAt)).toBeGreaterThan(
        Date.parse(lost.lastSuccessfulSyncAt),
      );
      expect((await tenant()).access).toBeUndefined();
      await waitForEntityAccess(undefined);
      emulator.control.editTags({ resourceId, set: { [tag]: 'from-azure' } });
      await syncAndWait(backend.server, [platform], 90_000);
      const flowing = await api.json('GET', tagsPath(false), 'admin');
      expect(flowing.body.tags[tag]).toBe('from-azure');
      expect(flowing.body.staleness).toBeUndefined();
      expect((await spend()).body.staleness).toBeUndefined();
      expect(await resourceEntityRefs(platform)).toEqual(resourceEntities);
    },
  );

  it('a subscription the service principal can read that is not registered is offered to add, and added it syncs into the catalog', async () => {
    const offered = async (): Promise<Array<{ subscriptionId: string }>> =>
      (await tenant()).unregisteredSubscriptions ?? [];
    await eventually(async () =>
      expect(await offered()).toEqual([
        { subscriptionId: dataEurope, displayName: expect.any(String) },
      ]),
    );
    expect(await subscription(dataEurope)).toBeUndefined();
    expect(await subscriptionEntity(dataEurope)).toBeUndefined();

    // Without a role on it, the service principal cannot see it, and it is not offered; with one, it is again.
    emulator.control.removeRoleAssignments({
      principalId,
      scope: `/subscriptions/${dataEurope}`,
    });
    await syncUntil(undefined);
    await eventually(async () => expect(await offered()).toEqual([]));
    grantPortalAccess(emulator, ['Reader'], [dataEurope]);
    await syncUntil(undefined);
    await eventually(async () =>
      expect((await offered()).map(s => s.subscriptionId)).toEqual([
        dataEurope,
      ]),
    );

    // The admin is made its owner, and uses *Add subscriptions*: the portal's roles are assigned there, and the
    // subscription is registered and synced.
    emulator.control.assignRole({
      scope: `/subscriptions/${dataEurope}`,
      principalId: DEMO_USER.oid,
      role: 'Owner',
    });
    const onboarding = await onboardAgain('add-subscriptions');
    expect(
      onboarding.results.some(
        (r: { subscriptionId: string }) => r.subscriptionId === dataEurope,
      ),
    ).toBe(true);
    await waitForSucceededSyncs(backend.server, [dataEurope], 120_000);
    await syncUntil(undefined);
    await eventually(async () => expect(await offered()).toEqual([]));
    await eventually(
      async () =>
        expect(
          (
            await resourceEntityRefs(dataEurope)
          ).length,
        ).toBeGreaterThanOrEqual(RESOURCES_PER_SUBSCRIPTION),
      { timeoutMs: 120_000 },
    );
  });

  it('back-off: scheduled runs skip a subscription without access until nextAttemptAt while the others sync on, and the run at nextAttemptAt resumes it by itself once access is back', async () => {
    // Both roles gone: nothing of the subscription can be read (read-denied).
    emulator.control.removeRoleAssignments({
      principalId,
      scope: subscriptionScope,
    });
    // Three syncs in a row that meet the problem (Sync now tries at once): the wait doubles, up to the cap.
    const delays: number[] = [];
    let lost: any;
    for (let attempt = 0; attempt < 3; attempt++) {
      lost = await syncUntil('read-denied');
      delays.push(
        Date.parse(lost.access.nextAttemptAt) -
          Date.parse(lost.access.checkedAt),
      );
    }
    expect(delays).toEqual([
      FREQUENCY_MS,
      2 * FREQUENCY_MS,
      Math.min(4 * FREQUENCY_MS, MAX_INTERVAL_MS),
    ]);
    const nextAttemptAt = Date.parse(lost.access.nextAttemptAt);
    // From here on, the frequency alone would make it due again at every run.
    const dueByFrequency = Date.parse(lost.lastSync.finishedAt) + FREQUENCY_MS;
    const mark = logMark(emulator);
    // The resource sync's requests: a spend sync (Cost Management) started by the previous test's added subscription
    // may still query it, on its own schedule.
    const platformRequests = () =>
      requestsSince(emulator, mark, {
        path: new RegExp(`^/subscriptions/${platform}(/|$)`, 'i'),
      }).filter(r => !/\/providers\/Microsoft\.CostManagement\//i.test(r.path));
    const runsThatSkippedIt = (id: string) =>
      subscriptionReads(mark, id).filter(
        r =>
          Date.parse(r.time) >= dueByFrequency &&
          Date.parse(r.time) < nextAttemptAt,
      );

    // Scheduled runs (and a few more, triggered) sync the others and leave it alone.
    await eventually(
      async () => {
        await backend.scheduler.triggerTask(RESOURCE_SYNC_TASK).catch(() => {});
        expect(runsThatSkippedIt(payments).length).toBeGreaterThanOrEqual(1);
        expect(
          runsThatSkippedIt(FOREIGN.subscriptionId).length,
        ).toBeGreaterThanOrEqual(1);
      },
      { timeoutMs: nextAttemptAt - Date.now(), intervalMs: 5_000 },
    );
    expect(platformRequests()).toEqual([]);

    // Access back before nextAttemptAt: the scheduled run at nextAttemptAt tries it and it syncs, nobody asking.
    principalId = grantPortalAccess(emulator, undefined, [platform]);
    const back = await eventually(
      async () => {
        const found = await subscription(platform);
        expect(found.access).toBeUndefined();
        return found;
      },
      { timeoutMs: nextAttemptAt - Date.now() + 120_000, intervalMs: 1_000 },
    );
    expect(back.lastSync.status).toBe('succeeded');
    expect(back.syncRequestedAt).toBeUndefined();
    const [retry] = platformRequests();
    expect(Date.parse(retry.time)).toBeGreaterThanOrEqual(nextAttemptAt);
    await waitForEntityAccess(undefined);
    expect(await resourceEntityRefs(platform)).toEqual(resourceEntities);
  });

  it('back-off of a whole tenant: with consent revoked, no scheduled run asks Entra ID for a token before nextAttemptAt while the other tenant syncs on; Reconnect clears it at once', async () => {
    emulator.control.deleteServicePrincipal(TENANT_ID, DEMO_APP.clientId);
    let lost: any;
    for (let attempt = 0; attempt < 3; attempt++) {
      lost = await syncUntil('consent-revoked');
    }
    const lostTenant = (await tenant()).access;
    expect(lostTenant).toMatchObject({ problem: 'consent-revoked' });
    expect(lost.access.nextAttemptAt).toBe(lostTenant.nextAttemptAt);
    const nextAttemptAt = Date.parse(lostTenant.nextAttemptAt);
    expect(nextAttemptAt - Date.parse(lostTenant.checkedAt)).toBe(
      Math.min(4 * FREQUENCY_MS, MAX_INTERVAL_MS),
    );
    const dueByFrequency = Date.parse(lost.lastSync.finishedAt) + FREQUENCY_MS;
    const mark = logMark(emulator);

    // Runs after the tenant's subscriptions would be due by the frequency alone: the other tenant syncs.
    await eventually(
      async () => {
        await backend.scheduler.triggerTask(RESOURCE_SYNC_TASK).catch(() => {});
        expect(
          subscriptionReads(mark, FOREIGN.subscriptionId).filter(
            r => Date.parse(r.time) >= dueByFrequency,
          ).length,
        ).toBeGreaterThanOrEqual(1);
      },
      { timeoutMs: nextAttemptAt - Date.now(), intervalMs: 5_000 },
    );
    expect(Date.now()).toBeLessThan(nextAttemptAt);
    expect(tokenRequests(mark, FOREIGN.tenantId).length).toBeGreaterThan(0);
    // Nothing of the lost tenant was asked for: no token, no subscription.
    expect(tokenRequests(mark, TENANT_ID)).toEqual([]);
    expect(subscriptionReads(mark, platform)).toEqual([]);
    expect(subscriptionReads(mark, payments)).toEqual([]);

    // Reconnect: consent again in that tenant (a new service principal), its roles assigned again by the onboarding.
    const reconnected = await onboardAgain('connect');
    expect(
      reconnected.results
        .filter(
          (r: { subscriptionId: string }) => r.subscriptionId === platform,
        )
        .map((r: { outcome: string }) => r.outcome),
    ).toEqual(['assigned', 'assigned']);
    expect((await tenant()).access).toBeUndefined();
    for (const id of [platform, payments]) {
      expect((await subscription(id)).access).toBeUndefined();
    }
    principalId = emulator.control.servicePrincipal(
      TENANT_ID,
      DEMO_APP.clientId,
    )!.objectId;
    await waitForEntityAccess(undefined);
    expect(await resourceEntityRefs(platform)).toEqual(resourceEntities);
    // The roles were assigned to the new service principal: the next sync reads both subscriptions. (It met 403
    // while the onboarding took the principal's id from a token cached before the deletion, which names the old one
    // and found its orphaned role assignments "already present".)
    const synced = await syncAndWait(
      backend.server,
      [platform, payments],
      90_000,
    );
    for (const id of [platform, payments]) {
      expect({
        id,
        status: synced[id].lastSync.status,
        error: synced[id].lastSync.error,
        access: synced[id].access,
      }).toEqual({
        id,
        status: 'succeeded',
        error: undefined,
        access: undefined,
      });
    }
    const assigned = emulator.control
      .listRoleAssignments({ principalId })
      .map(a => a.scope.toLowerCase());
    expect(assigned).toEqual(
      expect.arrayContaining([
        `/subscriptions/${platform}`.toLowerCase(),
        `/subscriptions/${payments}`.toLowerCase(),
      ]),
    );
  });
});
