/*
 * The secrets scan. After a full onboarding through the emulator's Entra ID (consent, code redemption with PKCE,
 * role assignments), the resource sync, the spend sync and a tag edit, nothing secret may be anywhere the portal
 * keeps or shows things: every row and column of every table of the plugin's database, every line the backend
 * writes (the plugins', the auditor's, and Backstage's own: the root HTTP router's access log, one line per request
 * with its URL and Referer), and every API response body and header. The secrets are taken from the wire, on the
 * emulator's side: the client secret, the authorization code, the delegated and app access tokens (and ID tokens),
 * the PKCE verifier and the raw OAuth state. It also checks that a state and a code are single-use, and that the scan
 * can fail: a code planted in a callback address is found in the access log.
 *
 * What was scanned goes to test-results/reliability-secrets.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import { DEMO_APP, DEMO_USER } from '@azure-tenant/azure-emulator';
import {
  ApiClient,
  azureWrites,
  dropTestDatabases,
  dumpTables,
  OWNED_RESOURCE_ID,
  KitBackend,
  TestEmulator,
  RESULTS_DIR,
  startReliabilityBackend,
  startTestEmulator,
  SUBSCRIPTIONS,
  eventually,
  waitForOrganization,
  waitForSync,
  reliabilityFixture,
  signInAtEmulator,
} from '.';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const A = '/api/azure-tenant';
const ONBOARDED = [SUBSCRIPTIONS.platform, SUBSCRIPTIONS.payments];

/** A secret and the pieces of it that would give it away if they were found alone. */
function piecesOf(secret: string): string[] {
  const parts = secret.split('.');
  if (parts.length === 3 && secret.startsWith('eyJ')) {
    // A JWT: its claims and its signature (the header is the same for every token of the emulator).
    return [secret, parts[1], parts[2]];
  }
  return secret.length >= 32 ? [secret, secret.slice(0, 24)] : [secret];
}

type Haystacks = Record<string, Array<{ label: string; text: string }>>;

/** Where each secret (or a piece of it) is found, and anything shaped like a JWT, as lines of a report. */
function scan(
  secrets: Record<string, string[]>,
  haystacks: Haystacks,
): string[] {
  const found: string[] = [];
  for (const [kind, values] of Object.entries(secrets)) {
    for (const value of values) {
      for (const piece of piecesOf(value)) {
        for (const [where, entries] of Object.entries(haystacks)) {
          // The state goes to the admin's browser in the authorize URL of POST /onboarding/start, by design (and
          // nowhere else); the database keeps only its hash.
          const hit = entries.find(
            h =>
              h.text.includes(piece) &&
              !(
                kind === 'raw OAuth states' &&
                h.label === `POST ${A}/onboarding/start 200`
              ),
          );
          if (hit) {
            found.push(
              `${kind} in ${where} (${hit.label}): ${hit.text.slice(0, 200)}`,
            );
          }
        }
      }
    }
  }
  for (const [where, entries] of Object.entries(haystacks)) {
    const hit = entries.find(h =>
      /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\./.test(h.text),
    );
    if (hit) found.push(`a JWT in ${where} (${hit.label})`);
  }
  return found;
}

let emulator: TestEmulator;
const results: Record<string, unknown> = {};

beforeAll(async () => {
  emulator = await startTestEmulator({ fixture: reliabilityFixture() });
});

afterAll(async () => {
  await emulator?.stop();
  await dropTestDatabases();
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(
    path.join(RESULTS_DIR, 'reliability-secrets.json'),
    `${JSON.stringify(results, null, 2)}\n`,
  );
}, 60_000);

describe.each(databases.eachSupportedId())(
  'the secrets scan on %s',
  databaseId => {
    let backend: KitBackend;

    afterAll(async () => {
      await backend?.stop();
    });

    it('finds no secret of an onboarding, a sync, a spend sync and a tag edit in the database, the logs or the API, and state and code are single-use', async () => {
      emulator.control.reset();
      emulator.traffic.bearerTokens.clear();
      emulator.traffic.tokenRequests.length = 0;
      emulator.traffic.tokenResponses.length = 0;
      backend = await startReliabilityBackend({
        databaseId,
        emulator,
        tenants: 'onboarding',
      });
      const api = new ApiClient(backend.baseUrl);
      await waitForOrganization(api);

      // The onboarding, as the admin's browser does it.
      const started = await api.json('POST', `${A}/onboarding/start`, 'admin', {
        kind: 'connect',
      });
      expect(started.status).toBe(200);
      const state = new URL(started.body.authorizeUrl).searchParams.get(
        'state',
      )!;
      const redirect = await signInAtEmulator(
        started.body.authorizeUrl,
        emulator.caCert,
        DEMO_USER.userPrincipalName,
      );
      const code = redirect.get('code')!;
      expect(redirect.get('state')).toBe(state);
      // Entra ID's page posts the code and the state back as a form (response_mode=form_post).
      const callback = await api.form(
        `${A}/onboarding/callback`,
        'unauthenticated',
        redirect,
      );
      expect(callback.status).toBe(303);
      const onboarding = await eventually(async () => {
        const response = await api.json(
          'GET',
          `${A}/onboardings/${started.body.onboardingId}`,
          'admin',
        );
        expect(response.body.status).toBe('succeeded');
        return response.body;
      });
      expect(
        onboarding.results.filter((r: any) => r.outcome === 'assigned').length,
      ).toBeGreaterThan(0);

      // The first resource and spend syncs, which the onboarding starts.
      await waitForSync(api, ONBOARDED);
      await eventually(
        async () => {
          const rows = await backend.knex('spend_sync_state').select();
          expect(rows.map(r => r.last_status).sort()).toEqual([
            'succeeded',
            'succeeded',
          ]);
        },
        { timeoutMs: 60_000 },
      );

      // A tag edit, written to Azure.
      const edit = await api.json('PATCH', `${A}/tags`, 'admin', {
        resourceId: OWNED_RESOURCE_ID,
        set: { 'reliability-scan': 'yes' },
      });
      expect(edit.status).toBe(200);
      expect(edit.body.outcome).toBe('written');
      expect(azureWrites(emulator.control.requests())).toContain(
        `PATCH ${OWNED_RESOURCE_ID}/providers/Microsoft.Resources/tags/default`,
      );

      // Replaying the callback (same state, same code) fails clearly and registers nothing.
      const registered = async () => ({
        tenants: await backend.knex('tenants').select(),
        subscriptions: await backend.knex('subscriptions').select(),
        results: await backend.knex('onboarding_results').select(),
      });
      const before = await registered();
      const tokenRequestsBefore = emulator.traffic.tokenRequests.length;
      const logStart = emulator.control.requests().at(-1)?.seq ?? 0;
      const replay = await api.form(
        `${A}/onboarding/callback`,
        'unauthenticated',
        redirect,
      );
      expect(replay.status).toBe(409);
      expect(replay.headers['content-type']).toMatch(/html/);
      expect(replay.text).toContain('This sign-in was already used');
      expect(emulator.traffic.tokenRequests.length).toBe(tokenRequestsBefore);

      // The code with a new, valid state: Entra ID refuses a code used once (and the PKCE verifier differs).
      const second = await api.json('POST', `${A}/onboarding/start`, 'admin', {
        kind: 'add-subscriptions',
      });
      const secondState = new URL(second.body.authorizeUrl).searchParams.get(
        'state',
      )!;
      const reused = await api.form(
        `${A}/onboarding/callback`,
        'unauthenticated',
        new URLSearchParams({ code, state: secondState }),
      );
      expect(reused.status).toBe(502);
      expect(reused.text).toContain('Nothing was registered');
      expect(await registered()).toEqual(before);
      const azureCalls = emulator.control
        .requests(logStart)
        .map(r => `${r.method} ${r.path}`);
      // Only Entra ID: msal-node reads the tenant's discovery document, then tries the token endpoint.
      expect(
        azureCalls.filter(
          c =>
            !c.endsWith('/oauth2/v2.0/token') &&
            !c.endsWith('/v2.0/.well-known/openid-configuration'),
        ),
      ).toEqual([]);
      const failed = await api.json(
        'GET',
        `${A}/onboardings/${second.body.onboardingId}`,
        'admin',
      );
      expect(failed.body.status).toBe('failed');

      // The secrets, as they went over the wire.
      const tokenRequests = emulator.traffic.tokenRequests;
      const byGrant = (grant: string) =>
        tokenRequests.filter(r => r.get('grant_type') === grant);
      expect(byGrant('authorization_code').length).toBeGreaterThanOrEqual(1);
      expect(byGrant('client_credentials').length).toBeGreaterThanOrEqual(1);
      const verifiers = byGrant('authorization_code')
        .map(r => r.get('code_verifier'))
        .filter((v): v is string => !!v);
      expect(verifiers.length).toBeGreaterThanOrEqual(1);
      const issued = emulator.traffic.tokenResponses.flatMap(r =>
        ['access_token', 'id_token', 'refresh_token']
          .map(key => r[key])
          .filter((v): v is string => typeof v === 'string'),
      );
      const delegated = issued.filter(
        t =>
          JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString()).scp,
      );
      expect(delegated.length).toBeGreaterThanOrEqual(1);
      expect(issued.length).toBeGreaterThan(delegated.length);
      const secrets: Record<string, string[]> = {
        'client secret': [DEMO_APP.clientSecret],
        'authorization codes': [code],
        'access and ID tokens (delegated and app)': [
          ...new Set([...issued, ...emulator.traffic.bearerTokens]),
        ],
        'PKCE verifiers': verifiers,
        'raw OAuth states': [state, secondState],
      };

      // Where the portal keeps and shows things.
      const dump = await dumpTables(backend.knex);
      const text = (value: unknown) =>
        JSON.stringify(value, (_key, v) =>
          v && v.type === 'Buffer' && Array.isArray(v.data)
            ? Buffer.from(v.data).toString('utf8')
            : v,
        );
      // Each place is searched in its text only; the label says where it is.
      const haystacks: Haystacks = {
        'database rows': Object.entries(dump).flatMap(([table, rows]) =>
          rows.map(row => ({ label: table, text: text(row) })),
        ),
        'log lines': backend.logs.map(line => ({ label: 'log', text: line })),
        'API responses': api.exchanges.map(({ request, response }) => ({
          label: `${request.method} ${request.path.split('?')[0]} ${
            response.status
          }`,
          text: `${text(response.headers)} ${response.text}`,
        })),
      };
      const all = (where: string) =>
        haystacks[where].map(h => h.text).join('\n');
      // The scan sees real data: the onboarding's rows, the synced resources and tags, the plugin's own log lines.
      expect(all('database rows')).toContain(started.body.onboardingId);
      expect(all('database rows')).toContain('reliability-scan');
      expect(all('log lines')).toContain('Onboarded tenant');
      // Backstage's access log is among them, with the callback's line (whose URL holds nothing but its path).
      expect(all('log lines')).toContain(
        `"POST ${A}/onboarding/callback HTTP/1.1" 303`,
      );

      const found = scan(secrets, haystacks);
      // The raw state did reach the browser, once per onboarding started.
      expect(
        haystacks['API responses'].filter(h => h.text.includes(state)),
      ).toHaveLength(1);

      results[databaseId] = {
        scanned: {
          tables: Object.keys(dump).length,
          rows: haystacks['database rows'].length,
          logLines: haystacks['log lines'].length,
          apiResponses: haystacks['API responses'].length,
        },
        secrets: Object.fromEntries(
          Object.entries(secrets).map(([kind, values]) => [
            kind,
            values.length,
          ]),
        ),
        found,
      };
      expect(found).toEqual([]);

      // The scan can fail: a code planted in a callback's address (which the portal never redeems) is in Backstage's
      // access log, and the scan finds it there.
      const planted = `1.emu.planted-${Math.random().toString(36).slice(2)}`;
      const inAddress = await api.send({
        method: 'GET',
        path: `${A}/onboarding/callback?${new URLSearchParams({
          state: 'x'.repeat(43),
          code: planted,
        })}`,
      });
      expect(inAddress.status).toBe(400);
      const plantedFound = await eventually(async () => {
        const hits = scan(
          { 'a planted code': [planted] },
          {
            'log lines': backend.logs.map(line => ({
              label: 'log',
              text: line,
            })),
          },
        );
        expect(hits).toHaveLength(1);
        return hits;
      });
      expect(plantedFound[0]).toMatch(/^a planted code in log lines/);
      Object.assign(results[databaseId] as object, {
        plantedCodeFoundIn: plantedFound,
      });
    });
  },
);
