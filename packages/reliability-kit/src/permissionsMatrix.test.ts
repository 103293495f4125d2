/*
 * The permissions matrix: every endpoint of the azure-tenant backend plugin × {unauthenticated, ordinary user,
 * entity owner, admin, service}, in one table, against the demo portal's real policy (DemoPermissionPolicy, through
 * the permission backend) and the catalog with the demo organization, so that admins and owners resolve as in the
 * portal. A denied call must also write nothing to Azure.
 *
 * The matrix it saw goes to test-results/reliability-permissions.json and .md.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  ApiClient,
  ApiResponse,
  azureWrites,
  CALLER_NAMES,
  CallerName,
  dropTestDatabases,
  OWNED_RESOURCE_ID,
  KitBackend,
  TestEmulator,
  RESULTS_DIR,
  startReliabilityBackend,
  startTestEmulator,
  SUBSCRIPTIONS,
  USERS,
  waitForOrganization,
  waitForResourceEntity,
  waitForSync,
  grantPortalAccess,
  reliabilityFixture,
} from '.';

jest.setTimeout(180_000);

const A = '/api/azure-tenant';
const OWNED = encodeURIComponent(OWNED_RESOURCE_ID);
/** A resource of the platform team (owner tag `team-platform`), which Alice does not own. */
const OTHER_TEAMS_RESOURCE_ID = `/subscriptions/${SUBSCRIPTIONS.platform}/resourceGroups/rg-platform-network/providers/Microsoft.Compute/virtualMachines/vm-identity-001`;
const PERIOD = 'from=2026-10-01&to=2026-10-31';

interface Row {
  endpoint: string;
  method: string;
  path: string | ((context: { onboardingId: string }) => string);
  body?: (caller: CallerName) => unknown;
  /** Sent as a form (`application/x-www-form-urlencoded`) instead of a JSON body. */
  form?: URLSearchParams;
  /** What the cell shows beyond the status (bulk results, whether tags may be edited). */
  detail?: (response: ApiResponse) => string | undefined;
  /** The expected cell per caller, in the order of {@link CALLER_NAMES}. */
  expected: [string, string, string, string, string];
}

const bulkDetail = (response: ApiResponse) =>
  response.status === 200
    ? `items ${response.body.results.map((r: any) => r.status).join('/')}`
    : undefined;

// unauthenticated, user (no group), owner (payments owns the resource), admin (azure-admins), service (plugin:catalog)
const MATRIX: Row[] = [
  {
    endpoint: 'GET /health',
    method: 'GET',
    path: `${A}/health`,
    expected: ['200', '200', '200', '200', '200'],
  },
  {
    endpoint: 'GET /openapi.json',
    method: 'GET',
    path: `${A}/openapi.json`,
    expected: ['200', '200', '200', '200', '200'],
  },
  {
    endpoint: 'POST /onboarding/start',
    method: 'POST',
    path: `${A}/onboarding/start`,
    body: () => ({ kind: 'connect' }),
    expected: ['401', '403', '403', '200', '403'],
  },
  {
    // Bound to its one-time state, not to credentials: a forged state is refused whoever sends it.
    endpoint: 'POST /onboarding/callback (forged state)',
    method: 'POST',
    path: `${A}/onboarding/callback`,
    form: new URLSearchParams({ state: 'x'.repeat(43), code: '1.emu.x' }),
    expected: ['400', '400', '400', '400', '400'],
  },
  {
    // A code in the address is never redeemed, whoever sends it.
    endpoint: 'GET /onboarding/callback (forged state)',
    method: 'GET',
    path: `${A}/onboarding/callback?state=${'x'.repeat(43)}&code=1.emu.x`,
    expected: ['400', '400', '400', '400', '400'],
  },
  {
    // The callback's unauthenticated auth policy admits nothing below it.
    endpoint: 'GET /onboarding/callback/{anything}',
    method: 'GET',
    path: `${A}/onboarding/callback/x`,
    expected: ['404', '404', '404', '404', '404'],
  },
  {
    endpoint: 'GET /onboardings/{id}',
    method: 'GET',
    path: ({ onboardingId }) => `${A}/onboardings/${onboardingId}`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    endpoint: 'GET /tenants',
    method: 'GET',
    path: `${A}/tenants`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    endpoint: 'GET /subscriptions',
    method: 'GET',
    path: `${A}/subscriptions`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    endpoint: 'PUT /subscriptions/{id}/sync-mode',
    method: 'PUT',
    path: `${A}/subscriptions/${SUBSCRIPTIONS.payments}/sync-mode`,
    // Its current mode: an allowed call changes nothing.
    body: () => ({ syncMode: 'read-write-tags' }),
    expected: ['401', '403', '403', '200', '200'],
  },
  {
    endpoint: 'POST /subscriptions/{id}/sync',
    method: 'POST',
    path: `${A}/subscriptions/${SUBSCRIPTIONS.payments}/sync`,
    expected: ['401', '403', '403', '202', '202'],
  },
  {
    endpoint: 'GET /catalog/resources',
    method: 'GET',
    path: `${A}/catalog/resources?limit=5`,
    expected: ['401', '403', '403', '403', '200'],
  },
  {
    endpoint: 'GET /catalog/changes',
    method: 'GET',
    path: `${A}/catalog/changes?after=0&limit=5`,
    expected: ['401', '403', '403', '403', '200'],
  },
  {
    endpoint: 'GET /tags',
    method: 'GET',
    path: `${A}/tags?resourceId=${OWNED}`,
    detail: response =>
      response.status === 200 ? `canEdit ${response.body.canEdit}` : undefined,
    expected: [
      '401',
      '200 (canEdit false)',
      '200 (canEdit true)',
      '200 (canEdit true)',
      '403',
    ],
  },
  {
    endpoint: 'PATCH /tags',
    method: 'PATCH',
    path: `${A}/tags`,
    body: caller => ({
      resourceId: OWNED_RESOURCE_ID,
      set: { 'reliability-matrix': caller },
    }),
    expected: ['401', '403', '200', '200', '403'],
  },
  {
    endpoint: "PATCH /tags (another team's resource)",
    method: 'PATCH',
    path: `${A}/tags`,
    body: caller => ({
      resourceId: OTHER_TEAMS_RESOURCE_ID,
      set: { 'reliability-matrix': caller },
    }),
    expected: ['401', '403', '403', '200', '403'],
  },
  {
    endpoint: 'POST /tags/bulk',
    method: 'POST',
    path: `${A}/tags/bulk`,
    body: caller => ({
      resourceIds: [OWNED_RESOURCE_ID],
      set: { 'reliability-matrix-bulk': caller },
    }),
    detail: bulkDetail,
    expected: [
      '401',
      '200 (items 403)',
      '200 (items 200)',
      '200 (items 200)',
      '403',
    ],
  },
  {
    endpoint: 'GET /spend',
    method: 'GET',
    path: `${A}/spend?resourceId=${OWNED}&${PERIOD}`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    endpoint: 'GET /spend.csv',
    method: 'GET',
    path: `${A}/spend.csv?resourceId=${OWNED}&${PERIOD}`,
    expected: ['401', '200', '200', '200', '200'],
  },
];

let emulator: TestEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator({ fixture: reliabilityFixture() });
});

afterAll(async () => {
  await emulator?.stop();
  await dropTestDatabases();
}, 60_000);

// The matrix does not depend on the database; it runs on SQLite (the bad-input and secrets tests cover both).
describe.each([['SQLITE_3']])('the permissions matrix on %s', databaseId => {
  let backend: KitBackend;

  afterAll(async () => {
    await backend?.stop();
  });

  it('answers each caller of each endpoint as the demo policy says, and a denied call writes nothing', async () => {
    emulator.control.reset();
    grantPortalAccess(emulator);
    backend = await startReliabilityBackend({
      databaseId,
      emulator,
      tenants: 'config',
    });
    const api = new ApiClient(backend.baseUrl);
    await waitForOrganization(api);
    await waitForSync(api, Object.values(SUBSCRIPTIONS));
    // Ownership of the resource comes from its catalog entity (owner tag `payments`, Alice's group).
    // The catalog module resolves owner tags to groups once the groups are in the catalog; wait for that.
    await waitForResourceEntity(
      api,
      OWNED_RESOURCE_ID,
      'group:default/payments',
    );
    await waitForResourceEntity(
      api,
      OTHER_TEAMS_RESOURCE_ID,
      'group:default/platform',
    );
    const started = await api.json(
      'POST',
      `${A}/onboarding/start`,
      'admin',
      {},
    );
    const context = { onboardingId: started.body.onboardingId };

    const seen: Record<string, Record<CallerName, string>> = {};
    const deniedWrites: string[] = [];
    for (const row of MATRIX) {
      const cells = {} as Record<CallerName, string>;
      for (const caller of CALLER_NAMES) {
        const logStart = emulator.control.requests().at(-1)?.seq ?? 0;
        const rowPath =
          typeof row.path === 'string' ? row.path : row.path(context);
        const response = row.form
          ? await api.form(rowPath, caller, row.form)
          : await api.json(row.method, rowPath, caller, row.body?.(caller));
        const detail = row.detail?.(response);
        cells[caller] = detail
          ? `${response.status} (${detail})`
          : String(response.status);
        const denied =
          response.status === 401 ||
          response.status === 403 ||
          detail?.includes('403');
        const writes = azureWrites(emulator.control.requests(logStart));
        if (denied && writes.length > 0) {
          deniedWrites.push(`${row.endpoint} as ${caller}: ${writes}`);
        }
      }
      seen[row.endpoint] = cells;
    }

    const expected = Object.fromEntries(
      MATRIX.map(row => [
        row.endpoint,
        Object.fromEntries(CALLER_NAMES.map((c, i) => [c, row.expected[i]])),
      ]),
    );
    const table = [
      `| Endpoint | ${CALLER_NAMES.join(' | ')} |`,
      `| --- | ${CALLER_NAMES.map(() => '---').join(' | ')} |`,
      ...Object.entries(seen).map(
        ([endpoint, cells]) =>
          `| \`${endpoint}\` | ${CALLER_NAMES.map(c => cells[c]).join(
            ' | ',
          )} |`,
      ),
    ].join('\n');
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.writeFileSync(
      path.join(RESULTS_DIR, 'reliability-permissions.json'),
      `${JSON.stringify({ users: USERS, matrix: seen }, null, 2)}\n`,
    );
    fs.writeFileSync(
      path.join(RESULTS_DIR, 'reliability-permissions.md'),
      `${table}\n`,
    );
    // eslint-disable-next-line no-console
    console.log(`Permissions matrix (${databaseId}):\n${table}`);

    expect(seen).toEqual(expected);
    expect(deniedWrites).toEqual([]);
  });
});
