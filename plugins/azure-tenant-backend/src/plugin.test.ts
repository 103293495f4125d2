import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  AzureEmulator,
  DEMO_APP,
  DEMO_SUBSCRIPTIONS,
  DEMO_TENANT,
  DEMO_USER,
  startAzureEmulator,
} from '@azure-tenant/azure-emulator';
import { Onboarding } from '@azure-tenant/plugin-azure-tenant-common';
import { JsonObject } from '@backstage/types';
import request from 'supertest';
import { capturingRootLogger } from './__testUtils__/capturingLogger';
import { signInAtEmulator } from './__testUtils__/entraSignIn';
import { azureWrites } from './__testUtils__/azureWrites';
import { azureTenantPlugin } from './plugin';
import { emulatorConnectionConfig } from '@azure-tenant/test-support';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const {
  platform: PLATFORM,
  payments: PAYMENTS,
  dataEurope: DATA_EUROPE,
} = DEMO_SUBSCRIPTIONS;
const ADMIN = 'user:default/guest';
const REDIRECT_URI = DEMO_APP.redirectUris[0];

let emulator: AzureEmulator;
let stateDir: string;

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-tenant-backend-'));
  emulator = await startAzureEmulator({ port: 0, stateDir });
});

afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

function azureTenantConfig(extra: JsonObject = {}): JsonObject {
  return {
    app: { baseUrl: 'http://localhost:3000' },
    azureTenant: {
      ...emulatorConnectionConfig(emulator),
      onboarding: {
        redirectUri: REDIRECT_URI,
        principalNotFoundRetryDelayMs: 10,
      },
      ...extra,
    },
  };
}

async function startBackend(
  knex: any,
  options: {
    config?: JsonObject;
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  } = {},
) {
  const logs = capturingRootLogger();
  const backend = await startTestBackend({
    features: [
      azureTenantPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: options.config ?? azureTenantConfig(),
      }),
      mockServices.permissions.factory({
        result: options.permission ?? AuthorizeResult.ALLOW,
      }),
      logs.factory,
    ],
  });
  return { server: backend.server, logs: logs.lines };
}

const asAdmin = mockCredentials.user.header(ADMIN);

/** Starts an onboarding and signs in at the emulator: returns the redirect's query and the onboarding id. */
async function startAndSignIn(
  server: any,
  options: { decision?: 'accept' | 'deny'; loginHint?: string } = {},
) {
  const start = await request(server)
    .post('/api/azure-tenant/onboarding/start')
    .set('authorization', asAdmin)
    .send({ kind: 'connect' });
  expect(start.status).toBe(200);
  const redirect = await signInAtEmulator(start.body.authorizeUrl, {
    caCert: emulator.caCert,
    loginHint: options.loginHint ?? DEMO_USER.userPrincipalName,
    decision: options.decision,
  });
  return { onboardingId: start.body.onboardingId as string, redirect };
}

/** Entra ID's form (`response_mode=form_post`), as the browser posts it back. */
async function callback(server: any, form: URLSearchParams) {
  return request(server)
    .post('/api/azure-tenant/onboarding/callback')
    .type('form')
    .send(form.toString());
}

async function finishedOnboarding(
  server: any,
  id: string,
): Promise<Onboarding> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await request(server)
      .get(`/api/azure-tenant/onboardings/${id}`)
      .set('authorization', asAdmin);
    expect(response.status).toBe(200);
    if (!['pending', 'running'].includes(response.body.status))
      return response.body;
    if (Date.now() > deadline)
      throw new Error(`onboarding still ${response.body.status}`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

describe.each(databases.eachSupportedId())(
  'onboarding a tenant, on %s',
  databaseId => {
    beforeEach(() => {
      emulator.control.reset();
    });

    it('assigns Reader and Tag Contributor on the subscriptions the user owns, and skips the one they only read', async () => {
      const { server } = await startBackend(await databases.init(databaseId));
      const { onboardingId, redirect } = await startAndSignIn(server);

      const back = await callback(server, redirect);
      expect(back.status).toBe(303);
      // Nothing of the answer is kept by the browser's cache or sent on as a Referer.
      expect(back.headers['cache-control']).toBe('no-store');
      expect(back.headers['referrer-policy']).toBe('no-referrer');
      expect(back.headers.location).toBe(
        `http://localhost:3000/azure-tenants?onboarding=${onboardingId}`,
      );

      const onboarding = await finishedOnboarding(server, onboardingId);
      expect(onboarding.status).toBe('succeeded');
      expect(onboarding.startedBy).toBe(ADMIN);
      const outcomes = onboarding.results.map(
        r => `${r.subscriptionId} ${r.roleName} ${r.outcome}`,
      );
      expect(outcomes.sort()).toEqual(
        [
          `${PLATFORM} Reader assigned`,
          `${PLATFORM} Tag Contributor assigned`,
          `${PAYMENTS} Reader assigned`,
          `${PAYMENTS} Tag Contributor assigned`,
          `${DATA_EUROPE} Reader skipped-not-owner`,
          `${DATA_EUROPE} Tag Contributor skipped-not-owner`,
        ].sort(),
      );

      // Only the two owned subscriptions are registered, with the default sync mode and a first sync queued.
      const subscriptions = await request(server)
        .get('/api/azure-tenant/subscriptions')
        .set('authorization', asAdmin);
      expect(
        subscriptions.body.items.map((s: any) => s.subscriptionId).sort(),
      ).toEqual([PLATFORM, PAYMENTS].sort());
      for (const subscription of subscriptions.body.items) {
        expect(subscription).toMatchObject({
          syncMode: 'read-write-tags',
          roleStatus: 'granted',
          grantedRoles: ['Reader', 'Tag Contributor'],
          source: 'onboarding',
        });
      }
      // Registering them started their first sync, which reads them with the portal's own credential.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { body } = await request(server)
          .get('/api/azure-tenant/subscriptions')
          .set('authorization', asAdmin);
        if (body.items.every((s: any) => s.lastSync?.status === 'succeeded'))
          break;
        if (Date.now() > deadline)
          throw new Error('the first sync did not run');
        await new Promise(resolve => setTimeout(resolve, 200));
      }
      const tenants = await request(server)
        .get('/api/azure-tenant/tenants')
        .set('authorization', asAdmin);
      expect(tenants.body.items).toEqual([
        expect.objectContaining({
          tenantId: DEMO_TENANT.id,
          displayName: 'Contoso Demo',
          connectedBy: ADMIN,
          subscriptionCount: 2,
        }),
      ]);

      // The only writes to Azure are the four role assignments, made as the consenting user.
      const requests = emulator.control.requests();
      expect(azureWrites(requests)).toHaveLength(4);
      expect(
        azureWrites(requests).every(w =>
          /^PUT \/subscriptions\/.*\/providers\/Microsoft\.Authorization\/roleAssignments\//.test(
            w,
          ),
        ),
      ).toBe(true);
      const assignmentPrincipals = requests
        .filter(r => r.method === 'PUT')
        .map(r => r.principal);
      expect(new Set(assignmentPrincipals)).toEqual(new Set([DEMO_USER.oid]));
    });

    it('assigns nothing twice when the tenant is connected again', async () => {
      const { server } = await startBackend(await databases.init(databaseId));
      const first = await startAndSignIn(server);
      await callback(server, first.redirect);
      await finishedOnboarding(server, first.onboardingId);
      emulator.control.clearRequests();

      const second = await startAndSignIn(server);
      await callback(server, second.redirect);
      const onboarding = await finishedOnboarding(server, second.onboardingId);

      expect(onboarding.status).toBe('succeeded');
      expect(
        onboarding.results
          .filter(r => r.subscriptionId !== DATA_EUROPE)
          .every(r => r.outcome === 'already-present'),
      ).toBe(true);
      expect(azureWrites(emulator.control.requests())).toEqual([]);
    });

    it('keeps no token, code or secret in the database or the logs', async () => {
      const knex = await databases.init(databaseId);
      const { server, logs } = await startBackend(knex);
      const { onboardingId, redirect } = await startAndSignIn(server);
      const code = redirect.get('code')!;
      await callback(server, redirect);
      await finishedOnboarding(server, onboardingId);

      const tables = [
        'tenants',
        'subscriptions',
        'onboardings',
        'onboarding_results',
      ];
      const dump = JSON.stringify(
        await Promise.all(tables.map(table => knex(table).select())),
      );
      const logText = logs.join('\n');
      for (const haystack of [dump, logText]) {
        expect(haystack).not.toContain(DEMO_APP.clientSecret);
        expect(haystack).not.toContain(code);
        expect(haystack).not.toContain(redirect.get('state'));
        // Entra ID's tokens are JWTs, whose header always starts like this.
        expect(haystack).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
      }
      // The scan saw real data: the onboarding's rows and the plugin's own log lines.
      expect(dump).toContain(onboardingId);
      expect(logText).toContain(`Onboarded tenant ${DEMO_TENANT.id}`);
    });

    it('refuses a replayed callback, and registers nothing more', async () => {
      const { server } = await startBackend(await databases.init(databaseId));
      const { onboardingId, redirect } = await startAndSignIn(server);
      expect((await callback(server, redirect)).status).toBe(303);
      await finishedOnboarding(server, onboardingId);
      emulator.control.clearRequests();

      const replay = await callback(server, redirect);
      expect(replay.status).toBe(409);
      expect(replay.headers['content-type']).toMatch(/html/);
      expect(replay.text).toContain('This sign-in was already used');
      expect(emulator.control.requests()).toEqual([]);
    });

    it('refuses a forged state, and registers nothing', async () => {
      const { server } = await startBackend(await databases.init(databaseId));
      const { redirect } = await startAndSignIn(server);
      const forged = new URLSearchParams(redirect);
      forged.set('state', 'x'.repeat(43));
      emulator.control.clearRequests();

      const response = await callback(server, forged);
      expect(response.status).toBe(400);
      expect(response.text).toContain(
        'This is not a sign-in the portal started',
      );
      expect(emulator.control.requests()).toEqual([]);
      const tenants = await request(server)
        .get('/api/azure-tenant/tenants')
        .set('authorization', asAdmin);
      expect(tenants.body.items).toEqual([]);
    });

    it('never redeems a code that arrives in the address (GET), and ends its onboarding so the answer cannot be posted later', async () => {
      const { server } = await startBackend(await databases.init(databaseId));
      const { onboardingId, redirect } = await startAndSignIn(server);
      emulator.control.clearRequests();

      const inAddress = await request(server).get(
        `/api/azure-tenant/onboarding/callback?${redirect}`,
      );
      expect(inAddress.status).toBe(400);
      expect(inAddress.headers['content-type']).toMatch(/html/);
      expect(inAddress.headers['cache-control']).toBe('no-store');
      expect(inAddress.headers['referrer-policy']).toBe('no-referrer');
      expect(inAddress.text).toContain('The sign-in was not used');
      // Entra ID was not asked to redeem the code.
      expect(emulator.control.requests()).toEqual([]);
      const onboarding = await finishedOnboarding(server, onboardingId);
      expect(onboarding.status).toBe('failed');
      expect(onboarding.error).toContain("came in the page's address");

      // The same answer, posted afterwards, finds its state used.
      const posted = await callback(server, redirect);
      expect(posted.status).toBe(409);
      expect(emulator.control.requests()).toEqual([]);
    });

    it('answers a bare GET of the callback address with a page that says where to start', async () => {
      const { server } = await startBackend(await databases.init(databaseId));
      const response = await request(server).get(
        '/api/azure-tenant/onboarding/callback',
      );
      expect(response.status).toBe(400);
      expect(response.text).toContain('Nothing to do at this address');
      expect(response.text).toContain('http://localhost:3000/azure-tenants');
    });

    it('refuses a callback that is not a form, and one it cannot read, with an HTML page', async () => {
      const { server } = await startBackend(await databases.init(databaseId));
      const { onboardingId, redirect } = await startAndSignIn(server);
      emulator.control.clearRequests();

      const json = await request(server)
        .post('/api/azure-tenant/onboarding/callback')
        .send(Object.fromEntries(redirect));
      expect(json.status).toBe(415);
      expect(json.headers['content-type']).toMatch(/html/);
      const oversized = await request(server)
        .post('/api/azure-tenant/onboarding/callback')
        .type('form')
        .send(`state=${'s'.repeat(70_000)}`);
      expect(oversized.status).toBe(413);
      expect(oversized.headers['content-type']).toMatch(/html/);

      // Neither touched the onboarding: the real answer still completes it.
      expect(emulator.control.requests()).toEqual([]);
      expect((await callback(server, redirect)).status).toBe(303);
      expect((await finishedOnboarding(server, onboardingId)).status).toBe(
        'succeeded',
      );
    });

    it('refuses an expired state, and registers nothing', async () => {
      const knex = await databases.init(databaseId);
      const { server } = await startBackend(knex);
      const { onboardingId, redirect } = await startAndSignIn(server);
      // Eleven minutes later: past the state's ten-minute life.
      await knex('onboardings')
        .where({ id: onboardingId })
        .update({ expires_at: new Date(Date.now() - 60_000).toISOString() });
      emulator.control.clearRequests();

      const response = await callback(server, redirect);
      expect(response.status).toBe(400);
      expect(response.text).toContain('This sign-in has expired');
      expect(emulator.control.requests()).toEqual([]);
      const onboarding = await finishedOnboarding(server, onboardingId);
      expect(onboarding.status).toBe('expired');
      expect(await knex('subscriptions').select()).toEqual([]);
    });

    it('associates the Partner Admin Link id with the portal in the tenant, once', async () => {
      const { server } = await startBackend(await databases.init(databaseId), {
        config: azureTenantConfig({ partnerId: '1234567' }),
      });
      const first = await startAndSignIn(server);
      await callback(server, first.redirect);
      expect(
        (await finishedOnboarding(server, first.onboardingId)).partnerAdminLink,
      ).toBe('associated');
      const partnerWrites = emulator.control
        .requests()
        .filter(
          r =>
            r.method === 'PUT' &&
            r.path.includes('Microsoft.ManagementPartner'),
        );
      expect(partnerWrites).toHaveLength(1);
      // Made with the portal's own credential, not the consenting user's.
      expect(partnerWrites[0].principal).not.toBe(DEMO_USER.oid);
      expect(partnerWrites[0].path).toBe(
        '/providers/Microsoft.ManagementPartner/partners/1234567',
      );

      const second = await startAndSignIn(server);
      await callback(server, second.redirect);
      expect(
        (await finishedOnboarding(server, second.onboardingId))
          .partnerAdminLink,
      ).toBe('already-associated');
      expect(
        emulator.control
          .requests()
          .filter(
            r =>
              r.method === 'PUT' &&
              r.path.includes('Microsoft.ManagementPartner'),
          ),
      ).toHaveLength(1);
    });

    it('reports a denied consent, and registers nothing', async () => {
      const { server } = await startBackend(await databases.init(databaseId));
      const { onboardingId, redirect } = await startAndSignIn(server, {
        decision: 'deny',
      });
      expect(redirect.get('error')).toBe('access_denied');

      const response = await callback(server, redirect);
      expect(response.status).toBe(400);
      expect(response.text).toContain('Consent was not given');
      expect(response.text).toContain('AADSTS65004');

      const onboarding = await finishedOnboarding(server, onboardingId);
      expect(onboarding.status).toBe('failed');
      expect(onboarding.error).toContain('access_denied');
      const subscriptions = await request(server)
        .get('/api/azure-tenant/subscriptions')
        .set('authorization', asAdmin);
      expect(subscriptions.body.items).toEqual([]);
    });
  },
);

describe('the onboarding API', () => {
  let knex: any;
  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
  });

  it('refuses to start an onboarding without the connect permission', async () => {
    const { server } = await startBackend(knex, {
      permission: AuthorizeResult.DENY,
    });
    const response = await request(server)
      .post('/api/azure-tenant/onboarding/start')
      .set('authorization', asAdmin)
      .send({});
    expect(response.status).toBe(403);
  });

  it('asks for the delegated ARM scope with PKCE, and no refresh token', async () => {
    const { server } = await startBackend(knex);
    const response = await request(server)
      .post('/api/azure-tenant/onboarding/start')
      .set('authorization', asAdmin)
      .send({});
    const url = new URL(response.body.authorizeUrl);
    expect(url.origin).toBe(emulator.authorityHost);
    expect(url.pathname).toBe('/organizations/oauth2/v2.0/authorize');
    expect(url.searchParams.get('scope')).toBe(
      'https://management.azure.com/user_impersonation',
    );
    expect(url.searchParams.get('scope')).not.toContain('offline_access');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    // Entra ID posts the code and the state back as a form: they are never in a URL.
    expect(url.searchParams.get('response_mode')).toBe('form_post');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(
      Date.parse(response.body.expiresAt) - Date.now(),
    ).toBeLessThanOrEqual(10 * 60_000);
  });

  it('rejects a body that does not match the OpenAPI document', async () => {
    const { server } = await startBackend(knex);
    const response = await request(server)
      .post('/api/azure-tenant/onboarding/start')
      .set('authorization', asAdmin)
      .send({ kind: 'everything' });
    expect(response.status).toBe(400);
    expect(response.body.error.name).toBe('InputError');
  });

  it('serves its OpenAPI document', async () => {
    const { server } = await startBackend(knex);
    const response = await request(server).get(
      '/api/azure-tenant/openapi.json',
    );
    expect(response.status).toBe(200);
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/azure-tenant/onboarding/start',
        '/api/azure-tenant/subscriptions/{subscriptionId}/sync-mode',
      ]),
    );
  });

  it('answers 503 for onboarding when azureTenant is not configured, and still serves health', async () => {
    const { server } = await startBackend(knex, {
      config: { app: { baseUrl: 'http://localhost:3000' } },
    });
    const health = await request(server).get('/api/azure-tenant/health');
    expect(health.body).toEqual({
      status: 'ok',
      configured: false,
      reason: 'azureTenant is not set',
    });
    const start = await request(server)
      .post('/api/azure-tenant/onboarding/start')
      .set('authorization', asAdmin)
      .send({});
    expect(start.status).toBe(503);
    expect(start.body.error.message).toContain('azureTenant.clientId');
  });
});
