/*
 * Faults during onboarding: the code redemption and the app-only token at Entra ID, listing and creating role
 * assignments with the consenting user's token, and Partner Admin Link. Each onboarding runs the real flow (start, the
 * emulator's sign-in and consent, the callback, the background job). Every role the onboarding reports must match
 * what Azure holds, no registered subscription may be lost, retries are counted in the emulator's log, and an
 * onboarding after the faults are cleared completes the work.
 */
import request from 'supertest';
import {
  AzureEmulator,
  DEMO_APP,
  DEMO_TENANT,
  DEMO_USER,
  FaultSpec,
  TAG_CONTRIBUTOR_ROLE_ID,
  READER_ROLE_ID,
} from '@azure-tenant/azure-emulator';
import {
  asUser,
  backendConfig,
  testDatabaseConfig,
  eventually,
  logMark,
  KitBackend,
  report,
  requestsSince,
  SDK_MAX_TRIES,
  signInAtEmulator,
  startKitBackend,
  startTestEmulator,
  SUBSCRIPTIONS,
} from '.';

jest.setTimeout(120_000);

const PARTNER_ID = '1234567';
const ROLE_GUIDS: Record<string, string> = {
  Reader: READER_ROLE_ID,
  'Tag Contributor': TAG_CONTRIBUTOR_ROLE_ID,
};

let emulator: AzureEmulator;
let backend: KitBackend;

const redeemPath = /^\/organizations\/oauth2\/v2\.0\/token$/;
const appTokenPath = new RegExp(`^/${DEMO_TENANT.id}/oauth2/v2\\.0/token$`);
const assignmentPut = (subscriptionId: string) =>
  `^/subscriptions/${subscriptionId}/providers/Microsoft\\.Authorization/roleAssignments/[^/]+$`;
const assignmentList = (subscriptionId: string) =>
  `^/subscriptions/${subscriptionId}/providers/Microsoft\\.Authorization/roleAssignments$`;
const partnerPath = `^/providers/Microsoft\\.ManagementPartner/partners/${PARTNER_ID}$`;

function servicePrincipalId(): string | undefined {
  return emulator.control.servicePrincipal(DEMO_TENANT.id, DEMO_APP.clientId)
    ?.objectId;
}

/** The roles Azure holds for the portal's service principal, as `subscriptionId/roleName`. */
function rolesInAzure(): Set<string> {
  const principalId = servicePrincipalId();
  if (!principalId) return new Set();
  const names = Object.fromEntries(
    Object.entries(ROLE_GUIDS).map(([name, guid]) => [guid, name]),
  );
  return new Set(
    emulator.control
      .listRoleAssignments({ principalId })
      .map(a => `${a.scope.split('/')[2]}/${names[a.roleDefinitionGuid]}`),
  );
}

async function registered(): Promise<Record<string, any>> {
  const { body } = await request(backend.server)
    .get('/api/azure-tenant/subscriptions')
    .set('authorization', asUser);
  return Object.fromEntries(
    body.items.map((s: any) => [
      s.subscriptionId,
      { roleStatus: s.roleStatus, grantedRoles: [...s.grantedRoles].sort() },
    ]),
  );
}

/** Runs one onboarding through the portal and Entra ID; returns the callback's answer and the onboarding's end. */
async function onboard(faults: FaultSpec[] = []) {
  const start = await request(backend.server)
    .post('/api/azure-tenant/onboarding/start')
    .set('authorization', asUser)
    .send({ kind: 'add-subscriptions' });
  expect(start.status).toBe(200);
  const redirect = await signInAtEmulator(
    start.body.authorizeUrl,
    emulator.caCert,
    DEMO_USER.userPrincipalName,
  );
  for (const fault of faults) emulator.control.injectFault(fault);
  const mark = logMark(emulator);
  // Entra ID's page posts its form back (response_mode=form_post).
  const callback = await request(backend.server)
    .post('/api/azure-tenant/onboarding/callback')
    .type('form')
    .send(redirect.toString());
  const onboarding = await eventually(
    async () => {
      const { body } = await request(backend.server)
        .get(`/api/azure-tenant/onboardings/${start.body.onboardingId}`)
        .set('authorization', asUser);
      expect(['succeeded', 'failed']).toContain(body.status);
      return body;
    },
    { timeoutMs: 90_000 },
  );
  emulator.control.clearFaults();
  return { callback, onboarding, mark };
}

/** Every role reported assigned or already present is in Azure, and every failed one is not. */
function expectResultsMatchAzure(onboarding: any) {
  const azure = rolesInAzure();
  for (const result of onboarding.results) {
    const key = `${result.subscriptionId}/${result.roleName}`;
    if (['assigned', 'already-present'].includes(result.outcome)) {
      expect({ key, inAzure: azure.has(key) }).toEqual({ key, inAzure: true });
    } else if (result.outcome === 'failed') {
      expect({ key, inAzure: azure.has(key) }).toEqual({
        key,
        inAzure: false,
      });
      expect(result.reason).toBeTruthy();
    }
  }
}

const outcomes = (onboarding: any) =>
  Object.fromEntries(
    onboarding.results.map((r: any) => [
      `${r.subscriptionId}/${r.roleName}`,
      r.outcome,
    ]),
  );

beforeAll(async () => {
  emulator = await startTestEmulator();
  backend = await startKitBackend(
    backendConfig(emulator, testDatabaseConfig('SQLITE_3', 'rel_onboarding'), {
      azureTenant: { tenants: [], partnerId: PARTNER_ID },
    }),
  );
});

afterAll(async () => {
  await backend?.stop();
  await emulator?.stop();
});

describe('onboarding under faults', () => {
  it('an app-only token that Entra ID keeps failing fails the onboarding, registers nothing, and a new onboarding recovers', async () => {
    const { onboarding, mark } = await onboard([
      {
        match: { method: 'POST', pathPattern: appTokenPath.source },
        status: 500,
        times: 0,
      },
    ]);
    const tokens = requestsSince(emulator, mark, { path: appTokenPath });
    expect(onboarding.status).toBe('failed');
    expect(onboarding.error).toMatch(
      /^Onboarding tenant .* failed: Microsoft Entra ID did not issue the portal's app-only token in tenant /,
    );
    expect(await registered()).toEqual({});
    expect(rolesInAzure().size).toBe(0);
    expect(tokens.length).toBeGreaterThanOrEqual(1);
    expect(tokens.length).toBeLessThanOrEqual(SDK_MAX_TRIES);
    report({
      area: 'onboarding',
      fault: 'app-only token: 500 until cleared',
      requests: tokens.length,
      retries: tokens.length - 1,
      outcome:
        'onboarding failed with the reason; nothing registered, no role assigned',
      recovery: 'next onboarding succeeded (below)',
    });
  });

  it('throttled, reset, malformed and failing role assignments and PAL are each reported as Azure holds them, and the next onboarding completes them', async () => {
    const { callback, onboarding, mark } = await onboard([
      // The code redemption is throttled once.
      {
        match: { method: 'POST', pathPattern: redeemPath.source },
        status: 503,
        retryAfterSeconds: 1,
      },
      // Platform: the first role's PUT is throttled through all of the SDK's tries; the second goes through.
      {
        match: {
          method: 'PUT',
          pathPattern: assignmentPut(SUBSCRIPTIONS.platform),
        },
        status: 429,
        retryAfterSeconds: 1,
        times: SDK_MAX_TRIES,
      },
      // Payments: the first role's PUT loses its connection every time.
      {
        match: {
          method: 'PUT',
          pathPattern: assignmentPut(SUBSCRIPTIONS.payments),
        },
        reset: true,
        times: SDK_MAX_TRIES,
      },
      // Partner Admin Link cannot be written.
      {
        match: { method: 'PUT', pathPattern: partnerPath },
        status: 503,
        retryAfterSeconds: 1,
        times: 0,
      },
    ]);
    expect(callback.status).toBe(303);
    expect({ status: onboarding.status, error: onboarding.error }).toEqual({
      status: 'succeeded',
      error: undefined,
    });
    expect(outcomes(onboarding)).toEqual({
      [`${SUBSCRIPTIONS.platform}/Reader`]: 'failed',
      [`${SUBSCRIPTIONS.platform}/Tag Contributor`]: 'assigned',
      [`${SUBSCRIPTIONS.payments}/Reader`]: 'failed',
      [`${SUBSCRIPTIONS.payments}/Tag Contributor`]: 'assigned',
      [`${SUBSCRIPTIONS.dataEurope}/Reader`]: 'skipped-not-owner',
      [`${SUBSCRIPTIONS.dataEurope}/Tag Contributor`]: 'skipped-not-owner',
    });
    expectResultsMatchAzure(onboarding);
    expect(onboarding.partnerAdminLink).toBe('failed');
    expect(await registered()).toEqual({
      [SUBSCRIPTIONS.platform]: {
        roleStatus: 'partial',
        grantedRoles: ['Tag Contributor'],
      },
      [SUBSCRIPTIONS.payments]: {
        roleStatus: 'partial',
        grantedRoles: ['Tag Contributor'],
      },
    });
    const redeems = requestsSince(emulator, mark, { path: redeemPath });
    const platformPuts = requestsSince(emulator, mark, {
      method: 'PUT',
      path: new RegExp(assignmentPut(SUBSCRIPTIONS.platform), 'i'),
    });
    const paymentsPuts = requestsSince(emulator, mark, {
      method: 'PUT',
      path: new RegExp(assignmentPut(SUBSCRIPTIONS.payments), 'i'),
    });
    const palPuts = requestsSince(emulator, mark, {
      method: 'PUT',
      path: new RegExp(partnerPath, 'i'),
    });
    expect(redeems).toHaveLength(2);
    expect(platformPuts).toHaveLength(SDK_MAX_TRIES + 1);
    expect(paymentsPuts).toHaveLength(SDK_MAX_TRIES + 1);
    expect(palPuts).toHaveLength(SDK_MAX_TRIES);

    // Recovery: the next onboarding assigns what failed and keeps what is there.
    const again = await onboard();
    expect(again.onboarding.status).toBe('succeeded');
    expect(outcomes(again.onboarding)).toMatchObject({
      [`${SUBSCRIPTIONS.platform}/Reader`]: 'assigned',
      [`${SUBSCRIPTIONS.platform}/Tag Contributor`]: 'already-present',
      [`${SUBSCRIPTIONS.payments}/Reader`]: 'assigned',
      [`${SUBSCRIPTIONS.payments}/Tag Contributor`]: 'already-present',
    });
    expectResultsMatchAzure(again.onboarding);
    expect(again.onboarding.partnerAdminLink).toBe('associated');
    expect(await registered()).toEqual({
      [SUBSCRIPTIONS.platform]: {
        roleStatus: 'granted',
        grantedRoles: ['Reader', 'Tag Contributor'],
      },
      [SUBSCRIPTIONS.payments]: {
        roleStatus: 'granted',
        grantedRoles: ['Reader', 'Tag Contributor'],
      },
    });
    for (const [fault, requests, outcome] of [
      [
        'code redemption: 503 Retry-After once',
        redeems.length,
        'retried, onboarding went on',
      ],
      [
        'role assignment PUT: 429 Retry-After through all SDK tries (Platform, Reader)',
        platformPuts.length - 1,
        "Reader 'failed' with the reason, Tag Contributor assigned; subscription registered as partial; Azure holds exactly what was reported",
      ],
      [
        'role assignment PUT: connection reset through all SDK tries (Payments, Reader)',
        paymentsPuts.length - 1,
        'as above',
      ],
      [
        'Partner Admin Link PUT: 503 until cleared',
        palPuts.length,
        "partnerAdminLink 'failed'; onboarding succeeded",
      ],
    ] as const) {
      report({
        area: 'onboarding',
        fault,
        requests,
        retries: Math.max(0, requests - 1),
        outcome,
        recovery:
          'next onboarding: missing roles assigned, others already-present, PAL associated, both subscriptions granted',
      });
    }
  });

  it('a code redemption that keeps failing registers nothing new and loses nothing registered', async () => {
    const before = await registered();
    const rolesBefore = rolesInAzure();
    const { callback, onboarding, mark } = await onboard([
      {
        match: { method: 'POST', pathPattern: redeemPath.source },
        status: 500,
        times: 0,
      },
    ]);
    expect(callback.status).toBe(502);
    expect(callback.text).toMatch(/Nothing was registered/);
    expect(onboarding.status).toBe('failed');
    const redeems = requestsSince(emulator, mark, { path: redeemPath });
    expect(redeems).toHaveLength(SDK_MAX_TRIES);
    expect(await registered()).toEqual(before);
    expect(rolesInAzure()).toEqual(rolesBefore);
    report({
      area: 'onboarding',
      fault: 'code redemption: 500 until cleared',
      requests: redeems.length,
      retries: redeems.length - 1,
      outcome:
        'callback 502 "Nothing was registered"; onboarding failed; registrations and roles unchanged',
      recovery: 'next onboarding succeeded',
    });
  });

  it('a malformed role-assignment answer, a failing role listing and a 10 s stall are reported, and nothing registered is lost', async () => {
    // The roles are revoked in Azure, so that the onboarding has to assign them again.
    emulator.control.removeRoleAssignments({
      principalId: servicePrincipalId()!,
    });
    const before = await registered();
    const t0 = Date.now();
    const { onboarding, mark } = await onboard([
      // Platform: the role listing stalls 10 s (within the client timeout), then the first PUT is malformed.
      {
        match: {
          method: 'GET',
          pathPattern: assignmentList(SUBSCRIPTIONS.platform),
        },
        delayMs: 10_000,
      },
      {
        match: {
          method: 'PUT',
          pathPattern: assignmentPut(SUBSCRIPTIONS.platform),
        },
        malformed: true,
      },
      // Payments: the role listing fails until cleared.
      {
        match: {
          method: 'GET',
          pathPattern: assignmentList(SUBSCRIPTIONS.payments),
        },
        status: 500,
        times: 0,
      },
    ]);
    const ms = Date.now() - t0;
    expect({ status: onboarding.status, error: onboarding.error }).toEqual({
      status: 'succeeded',
      error: undefined,
    });
    expect(ms).toBeGreaterThanOrEqual(10_000);
    expect(outcomes(onboarding)).toMatchObject({
      [`${SUBSCRIPTIONS.platform}/Reader`]: 'failed',
      [`${SUBSCRIPTIONS.platform}/Tag Contributor`]: 'assigned',
      [`${SUBSCRIPTIONS.payments}/Reader`]: 'failed',
      [`${SUBSCRIPTIONS.payments}/Tag Contributor`]: 'failed',
    });
    expect(
      onboarding.results.find(
        (r: any) =>
          r.subscriptionId === SUBSCRIPTIONS.payments &&
          r.roleName === 'Reader',
      ).reason,
    ).toMatch(/Could not read the role assignments/);
    expectResultsMatchAzure(onboarding);
    const platformPuts = requestsSince(emulator, mark, {
      method: 'PUT',
      path: new RegExp(assignmentPut(SUBSCRIPTIONS.platform), 'i'),
    });
    const paymentsLists = requestsSince(emulator, mark, {
      method: 'GET',
      path: new RegExp(assignmentList(SUBSCRIPTIONS.payments), 'i'),
    });
    expect(platformPuts).toHaveLength(2);
    expect(paymentsLists).toHaveLength(SDK_MAX_TRIES);
    // Payments stays registered, as it was: the failed listing changes nothing there.
    const after = await registered();
    expect(after[SUBSCRIPTIONS.payments]).toEqual(
      before[SUBSCRIPTIONS.payments],
    );
    expect(after[SUBSCRIPTIONS.platform]).toEqual({
      roleStatus: 'partial',
      grantedRoles: ['Tag Contributor'],
    });
    report({
      area: 'onboarding',
      fault: 'role assignment PUT: malformed answer (Platform, Reader)',
      requests: platformPuts.length,
      retries: 0,
      outcome: "Reader 'failed', not in Azure; Tag Contributor assigned",
      recovery: 'next onboarding assigned Reader',
    });
    report({
      area: 'onboarding',
      fault: 'role assignment listing: 500 until cleared (Payments)',
      requests: paymentsLists.length,
      retries: paymentsLists.length - 1,
      outcome:
        "both roles 'failed: Could not read the role assignments…'; registration kept",
      recovery: 'next onboarding assigned both',
    });
    report({
      area: 'onboarding',
      fault:
        'role assignment listing: 10 s stall (Platform, default 60 s per-try timeout)',
      requests: 1,
      retries: 0,
      outcome: `waited, onboarding took ${ms} ms`,
      recovery: 'same onboarding',
    });

    const again = await onboard();
    expect(again.onboarding.status).toBe('succeeded');
    expectResultsMatchAzure(again.onboarding);
    expect(await registered()).toEqual({
      [SUBSCRIPTIONS.platform]: {
        roleStatus: 'granted',
        grantedRoles: ['Reader', 'Tag Contributor'],
      },
      [SUBSCRIPTIONS.payments]: {
        roleStatus: 'granted',
        grantedRoles: ['Reader', 'Tag Contributor'],
      },
    });
  });
});
