/*
 * Lost access, through a whole backend (the plugin, the catalog with the Azure tenant module, the demo's permission
 * policy) against the emulator: each state is driven through the emulator's control API as an administrator or
 * Azure would (see packages/azure-emulator/src/control/lostAccess.test.ts for the Learn pages each follows), then
 * the tenants page's data, the subscription entity, the API answers, the back-off and the recovery are checked.
 */
import {
  ANNOTATION_AZURE_ACCESS_PROBLEM,
  ANNOTATION_AZURE_ACCESS_SINCE,
} from '@azure-tenant/plugin-azure-tenant-common';
import { DEMO_APP } from '@azure-tenant/azure-emulator';
import {
  ApiClient,
  eventually,
  grantPortalAccess,
  KitBackend,
  reliabilityFixture,
  startReliabilityBackend,
  startTestEmulator,
  SUBSCRIPTIONS,
  syncAndWait,
  TENANT_ID,
  TestEmulator,
  waitForSucceededSyncs,
} from '.';

jest.setTimeout(240_000);

const RESOURCE_SYNC_TASK = 'azure-tenant-resource-sync';
const { platform, payments } = SUBSCRIPTIONS;

let emulator: TestEmulator;
let backend: KitBackend;
let api: ApiClient;
let principalId: string;
let resourceId: string;

beforeAll(async () => {
  emulator = await startTestEmulator({ fixture: reliabilityFixture() });
  principalId = grantPortalAccess(emulator);
  backend = await startReliabilityBackend({
    databaseId: 'SQLITE_3',
    emulator,
    tenants: 'config',
  });
  api = new ApiClient(backend.baseUrl);
  await waitForSucceededSyncs(backend.server, Object.values(SUBSCRIPTIONS));
  const feed = await api.json(
    'GET',
    '/api/azure-tenant/catalog/resources?limit=1000',
    'service',
  );
  resourceId = feed.body.items.find(
    (r: { subscriptionId: string }) => r.subscriptionId === platform,
  ).resourceId;
});

afterAll(async () => {
  await backend?.stop();
  await emulator?.stop();
});

const subscription = async (id: string) =>
  (
    await api.json('GET', '/api/azure-tenant/subscriptions', 'admin')
  ).body.items.find((s: { subscriptionId: string }) => s.subscriptionId === id);
const tenant = async () =>
  (await api.json('GET', '/api/azure-tenant/tenants', 'admin')).body.items.find(
    (t: { tenantId: string }) => t.tenantId === TENANT_ID,
  );
const patchTags = (set: Record<string, string>) =>
  api.json('PATCH', '/api/azure-tenant/tags', 'admin', {
    resourceId,
    set,
    remove: [],
    expected: {},
  });
const subscriptionEntity = async () =>
  (
    await api.json(
      'GET',
      `/api/catalog/entities/by-query?filter=kind=resource,spec.type=azure-subscription,metadata.annotations.management.azure.com/subscriptionId=${platform}`,
      'admin',
    )
  ).body?.items?.[0];
const requestsTo = (mark: number, pattern: RegExp) =>
  emulator.control.requests(mark).filter(r => pattern.test(r.path)).length;

/** Drives `Sync now` and waits until the subscription shows `problem` (or no problem). */
async function syncUntil(problem: string | undefined) {
  await syncAndWait(backend.server, [platform]);
  return eventually(async () => {
    const found = await subscription(platform);
    expect(found.access?.problem).toBe(problem);
    return found;
  });
}

describe('lost access, through a whole backend', () => {
  // Each test starts with access: a test that failed midway leaves no state to the next.
  afterEach(async () => {
    if (!emulator.control.servicePrincipal(TENANT_ID, DEMO_APP.clientId)) {
      emulator.control.restoreServicePrincipal(TENANT_ID, DEMO_APP.clientId);
    }
    emulator.control.setSubscriptionState(platform, 'Enabled');
    grantPortalAccess(emulator);
    if ((await subscription(platform)).access) await syncUntil(undefined);
  });

  it('consent revoked: the tenant and subscription say so, the catalog keeps the entity with the annotation, the APIs answer 503 or stale data, syncs back off, and a restored consent clears it', async () => {
    const lastGood = (await subscription(platform)).lastSuccessfulSyncAt;
    emulator.control.deleteServicePrincipal(TENANT_ID, DEMO_APP.clientId);

    const lost = await syncUntil('consent-revoked');
    expect(lost.access).toMatchObject({
      action: 'reconnect',
      message: expect.stringContaining('reconnect the tenant'),
      nextAttemptAt: expect.any(String),
    });
    expect(lost.lastSuccessfulSyncAt).toBe(lastGood);
    expect((await tenant()).access?.problem).toBe('consent-revoked');

    // The API: stale data with the reason, or a 503 with a sentence; never a 500, never the raw error.
    const tags = await api.json(
      'GET',
      `/api/azure-tenant/tags?resourceId=${encodeURIComponent(resourceId)}`,
      'admin',
    );
    expect(tags.status).toBe(200);
    expect(tags.body.staleness.access.problem).toBe('consent-revoked');
    const live = await api.json(
      'GET',
      `/api/azure-tenant/tags?resourceId=${encodeURIComponent(
        resourceId,
      )}&live=true`,
      'admin',
    );
    const patched = await patchTags({ lost: 'access' });
    const bulk = await api.json(
      'POST',
      '/api/azure-tenant/tags/bulk',
      'admin',
      {
        resourceIds: [resourceId],
        set: { lost: 'access' },
      },
    );
    for (const answer of [live, patched]) {
      expect(answer.status).toBe(503);
      expect(answer.body.error.message).toMatch(/reconnect the tenant/);
      expect(answer.text).not.toMatch(
        /AuthenticationRequiredError|scopes|tracing/i,
      );
    }
    expect(bulk.body.results[0]).toMatchObject({ status: 503 });
    const spend = await api.json(
      'GET',
      `/api/azure-tenant/spend?subscriptionId=${platform}&from=${new Date(
        Date.now() - 7 * 86_400_000,
      )
        .toISOString()
        .slice(0, 10)}&to=${new Date().toISOString().slice(0, 10)}`,
      'admin',
    );
    expect(spend.status).toBe(200);
    expect(spend.body.staleness.access.problem).toBe('consent-revoked');

    // The catalog keeps the subscription entity, with the access annotation.
    const entity = await eventually(
      async () => {
        const found = await subscriptionEntity();
        expect(
          found?.metadata.annotations[ANNOTATION_AZURE_ACCESS_PROBLEM],
        ).toBe('consent-revoked');
        return found;
      },
      { timeoutMs: 90_000 },
    );
    expect(entity.metadata.annotations[ANNOTATION_AZURE_ACCESS_SINCE]).toBe(
      lost.access.since,
    );

    // Back-off: scheduled runs before nextAttemptAt do not ask Azure; Sync now does, at once.
    const mark = emulator.control.requests().at(-1)?.seq ?? 0;
    for (let run = 0; run < 3; run++) {
      await backend.scheduler.triggerTask(RESOURCE_SYNC_TASK);
    }
    await syncAndWait(backend.server, [payments]);
    expect(requestsTo(mark, /oauth2\/v2\.0\/token$/)).toBe(1);

    emulator.control.restoreServicePrincipal(TENANT_ID, DEMO_APP.clientId);
    const back = await syncUntil(undefined);
    expect(back.lastSync.status).toBe('succeeded');
    expect((await tenant()).access).toBeUndefined();
    expect((await patchTags({ lost: 'found' })).status).toBe(200);
  });

  it('Tag Contributor removed: PATCH /tags answers 403 with the sentence, and works again once the role is back', async () => {
    emulator.control.removeRoleAssignments({
      principalId,
      scope: `/subscriptions/${platform}`,
      role: 'Tag Contributor',
    });
    const refused = await patchTags({ role: 'gone' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(
      `The portal's service principal no longer has the Tag Contributor role on subscription ${platform} (Azure answered AuthorizationFailed); an administrator can reconnect the tenant on the Azure tenants page.`,
    );
    expect((await subscription(platform)).access?.problem).toBe(
      'tag-write-denied',
    );
    emulator.control.assignRole({
      scope: `/subscriptions/${platform}`,
      principalId,
      role: 'Tag Contributor',
    });
    expect((await patchTags({ role: 'back' })).status).toBe(200);
    expect((await subscription(platform)).access).toBeUndefined();
  });

  it('a disabled subscription: subscription-disabled, stale spend and tags, the entity kept; enabled again, it clears', async () => {
    emulator.control.setSubscriptionState(platform, 'Disabled');
    const disabled = await syncUntil('subscription-disabled');
    expect(disabled.access.action).toBe('enable-subscription');
    const patched = await patchTags({ disabled: 'yes' });
    expect(patched.status).toBe(503);
    expect(await subscriptionEntity()).toBeDefined();

    emulator.control.setSubscriptionState(platform, 'Enabled');
    await syncUntil(undefined);
  });
});
