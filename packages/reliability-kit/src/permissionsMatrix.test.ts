/*
 * The permissions matrix: every endpoint of the azure-tenant backend plugin × {unauthenticated, ordinary user,
 * entity owner, admin, service}, in one table, against the demo portal's real policy (DemoPermissionPolicy, through
 * the permission backend) and the catalog with the demo organization, so that admins and owners resolve as in the
 * portal. A denied call must also write nothing to Azure.
 *
 * Each action of the plugin (`azure-tenant:<name>`, invoked over the actions registry's HTTP API, as MCP clients and
 * other plugins reach it) has a row under the endpoint whose operation it runs, and must answer each caller as that
 * endpoint does: the same cell, the same refusal message, and for reads the same data.
 *
 * The matrix it saw goes to test-results/reliability-permissions.json and .md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
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
const PERIOD_FROM = '2026-10-01';
const PERIOD_TO = '2026-10-31';
const PERIOD = `from=${PERIOD_FROM}&to=${PERIOD_TO}`;

/** A cell per caller, in the order of {@link CALLER_NAMES}. */
type Cells = [string, string, string, string, string];

/** A call of the REST API. */
interface EndpointRow {
  endpoint: string;
  method: string;
  path: string | ((context: { onboardingId: string }) => string);
  body?: (caller: CallerName) => unknown;
  /** Sent as a form (`application/x-www-form-urlencoded`) instead of a JSON body. */
  form?: URLSearchParams;
  /** What a 200's cell shows beyond the status (bulk results, whether tags may be edited), from its body. */
  detail?: (answer: any) => string;
  expected: Cells;
}

/** An action of the plugin, invoked over the actions registry's HTTP API, that must answer as its endpoint does. */
interface ActionRow {
  /** The action's name, without the plugin's `azure-tenant:` prefix. */
  action: string;
  /** Tells apart two rows of one action (another resource, say). */
  variant?: string;
  /** The endpoint row whose rules it follows: its expected cells, its cell details, its refusals' messages. */
  sameAs: string;
  input: (caller: CallerName) => object;
  /** Only where the action's answer may differ from its endpoint's, with a comment saying why. */
  expected?: Cells;
  /** The part of the endpoint's body and of the action's output that must be equal when both are 200. */
  sameAnswer?: {
    endpoint: (body: any) => unknown;
    action: (output: any) => unknown;
  };
}

type Row = EndpointRow | ActionRow;

const isActionRow = (row: Row): row is ActionRow => 'action' in row;

const rowName = (row: Row) =>
  isActionRow(row)
    ? `action azure-tenant:${row.action}${
        row.variant ? ` (${row.variant})` : ''
      }`
    : row.endpoint;

const bulkDetail = (answer: any) =>
  `items ${answer.results.map((r: any) => r.status).join('/')}`;

/** Whether a page of found resources lists the resource that Alice's team owns. */
const ownedListed = (answer: any) =>
  (answer.items ?? answer.resources).some(
    (r: any) => r.resourceId.toLowerCase() === OWNED_RESOURCE_ID.toLowerCase(),
  )
    ? 'Key Vault listed'
    : 'Key Vault not listed';

/** What a tag change did, leaving out the tags themselves (the action writes a tag of its own). */
const tagUpdateOutcome = (answer: any) => ({
  resourceId: answer.resourceId,
  syncMode: answer.syncMode,
  outcome: answer.outcome,
});

const byResourceId = (items: any[]) =>
  [...items].sort((a, b) => a.resourceId.localeCompare(b.resourceId));

// unauthenticated, user (no group), owner (payments owns the resource), admin (azure-admins), service (plugin:catalog)
// Each action row follows the endpoint row whose operation it runs.
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
    // Backstage's own listing of the plugin's actions, for MCP clients and other plugins.
    endpoint: 'GET /.backstage/actions/v1/actions',
    method: 'GET',
    path: `${A}/.backstage/actions/v1/actions`,
    detail: answer => `${answer.actions.length} actions`,
    expected: [
      '401',
      '200 (8 actions)',
      '200 (8 actions)',
      '200 (8 actions)',
      '200 (8 actions)',
    ],
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
    action: 'list-tenants',
    sameAs: 'GET /tenants',
    input: () => ({}),
    sameAnswer: {
      endpoint: body => body.items,
      action: output => output.tenants,
    },
  },
  {
    endpoint: 'GET /subscriptions',
    method: 'GET',
    path: `${A}/subscriptions`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    action: 'list-subscriptions',
    sameAs: 'GET /subscriptions',
    input: () => ({}),
    sameAnswer: {
      endpoint: body => body.items,
      action: output => output.subscriptions,
    },
  },
  {
    endpoint: 'GET /resources',
    method: 'GET',
    path: `${A}/resources?owner=${encodeURIComponent(
      'group:default/payments',
    )}&limit=100`,
    detail: ownedListed,
    expected: [
      '401',
      '200 (Key Vault listed)',
      '200 (Key Vault listed)',
      '200 (Key Vault listed)',
      '200 (Key Vault listed)',
    ],
  },
  {
    action: 'find-resources',
    sameAs: 'GET /resources',
    input: () => ({ owner: 'group:default/payments', limit: 100 }),
    sameAnswer: {
      endpoint: body => byResourceId(body.items),
      action: output => byResourceId(output.resources),
    },
  },
  {
    endpoint: 'GET /subscriptions/{id}/resources',
    method: 'GET',
    path: `${A}/subscriptions/${SUBSCRIPTIONS.payments}/resources?limit=100`,
    detail: ownedListed,
    expected: [
      '401',
      '200 (Key Vault listed)',
      '200 (Key Vault listed)',
      '200 (Key Vault listed)',
      '200 (Key Vault listed)',
    ],
  },
  {
    action: 'find-resources',
    variant: 'one subscription',
    sameAs: 'GET /subscriptions/{id}/resources',
    input: () => ({ subscriptionId: SUBSCRIPTIONS.payments, limit: 100 }),
    sameAnswer: {
      endpoint: body => byResourceId(body.items),
      action: output => byResourceId(output.resources),
    },
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
    action: 'set-subscription-sync-mode',
    sameAs: 'PUT /subscriptions/{id}/sync-mode',
    input: () => ({
      subscriptionId: SUBSCRIPTIONS.payments,
      syncMode: 'read-write-tags',
    }),
    sameAnswer: { endpoint: body => body, action: output => output },
  },
  {
    endpoint: 'POST /subscriptions/{id}/sync',
    method: 'POST',
    path: `${A}/subscriptions/${SUBSCRIPTIONS.payments}/sync`,
    expected: ['401', '403', '403', '202', '202'],
  },
  {
    action: 'request-subscription-sync',
    sameAs: 'POST /subscriptions/{id}/sync',
    input: () => ({ subscriptionId: SUBSCRIPTIONS.payments }),
    // The actions registry answers every success with 200 and the output; the same callers are admitted.
    expected: ['401', '403', '403', '200', '200'],
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
    detail: answer => `canEdit ${answer.canEdit}`,
    expected: [
      '401',
      '200 (canEdit false)',
      '200 (canEdit true)',
      '200 (canEdit true)',
      '403',
    ],
  },
  {
    action: 'get-resource-tags',
    sameAs: 'GET /tags',
    input: () => ({ resourceId: OWNED_RESOURCE_ID }),
    sameAnswer: { endpoint: body => body, action: output => output },
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
    action: 'update-resource-tags',
    sameAs: 'PATCH /tags',
    // A tag of its own, so that an allowed call has something to write.
    input: caller => ({
      resourceId: OWNED_RESOURCE_ID,
      set: { 'reliability-matrix-action': caller },
    }),
    sameAnswer: { endpoint: tagUpdateOutcome, action: tagUpdateOutcome },
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
    action: 'update-resource-tags',
    variant: "another team's resource",
    sameAs: "PATCH /tags (another team's resource)",
    input: caller => ({
      resourceId: OTHER_TEAMS_RESOURCE_ID,
      set: { 'reliability-matrix-action': caller },
    }),
    sameAnswer: { endpoint: tagUpdateOutcome, action: tagUpdateOutcome },
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
    action: 'get-spend',
    sameAs: 'GET /spend',
    input: () => ({
      resourceId: OWNED_RESOURCE_ID,
      from: PERIOD_FROM,
      to: PERIOD_TO,
    }),
    sameAnswer: { endpoint: body => body, action: output => output },
  },
  {
    endpoint: 'GET /spend.csv',
    method: 'GET',
    path: `${A}/spend.csv?resourceId=${OWNED}&${PERIOD}`,
    expected: ['401', '200', '200', '200', '200'],
  },
];

/** The endpoint row an action row follows. */
function endpointRowOf(row: ActionRow): EndpointRow {
  const endpoint = MATRIX.find(
    (r): r is EndpointRow => !isActionRow(r) && r.endpoint === row.sameAs,
  );
  if (!endpoint) throw new Error(`No endpoint row ${row.sameAs}`);
  return endpoint;
}

const expectedCells = (row: Row): Cells =>
  isActionRow(row) ? row.expected ?? endpointRowOf(row).expected : row.expected;

/**
 * How an action's answer to a caller differs from its endpoint's, beyond the status the matrix compares: a refusal
 * must carry the API's message (the MCP server hands it to the agent), and a read the same data.
 */
function answerDifference(
  row: ActionRow,
  endpointResponse: ApiResponse,
  actionResponse: ApiResponse,
): string | undefined {
  if (endpointResponse.status >= 400 && actionResponse.status >= 400) {
    const endpointMessage = endpointResponse.body?.error?.message;
    const actionMessage = actionResponse.body?.error?.message;
    return typeof actionMessage === 'string' &&
      endpointMessage === actionMessage
      ? undefined
      : `refused with "${actionMessage}", the API with "${endpointMessage}"`;
  }
  if (
    row.sameAnswer &&
    endpointResponse.status === 200 &&
    actionResponse.status === 200
  ) {
    const endpointAnswer = row.sameAnswer.endpoint(endpointResponse.body);
    const actionAnswer = row.sameAnswer.action(actionResponse.body.output);
    return isDeepStrictEqual(endpointAnswer, actionAnswer)
      ? undefined
      : `answered ${JSON.stringify(actionAnswer).slice(
          0,
          300,
        )}, the API ${JSON.stringify(endpointAnswer).slice(0, 300)}`;
  }
  return undefined;
}

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

  it('answers each caller of each endpoint and action as the demo policy says, and a denied call writes nothing', async () => {
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
    // What each caller got from each row, for comparing an action's answers with its endpoint's.
    const responses: Record<string, Record<CallerName, ApiResponse>> = {};
    const deniedWrites: string[] = [];
    const differentAnswers: string[] = [];
    const writesSeen: Record<
      string,
      Partial<Record<CallerName, string[]>>
    > = {};
    for (const row of MATRIX) {
      const name = rowName(row);
      const endpointRow = isActionRow(row) ? endpointRowOf(row) : row;
      const cells = {} as Record<CallerName, string>;
      responses[name] = {} as Record<CallerName, ApiResponse>;
      for (const caller of CALLER_NAMES) {
        const logStart = emulator.control.requests().at(-1)?.seq ?? 0;
        let response: ApiResponse;
        if (isActionRow(row)) {
          response = await api.json(
            'POST',
            `${A}/.backstage/actions/v1/actions/azure-tenant:${row.action}/invoke`,
            caller,
            row.input(caller),
          );
        } else {
          const rowPath =
            typeof row.path === 'string' ? row.path : row.path(context);
          response = row.form
            ? await api.form(rowPath, caller, row.form)
            : await api.json(row.method, rowPath, caller, row.body?.(caller));
        }
        responses[name][caller] = response;
        // An action's answer is the output the registry wraps it in.
        const answer = isActionRow(row) ? response.body?.output : response.body;
        const detail =
          response.status === 200 && endpointRow.detail
            ? endpointRow.detail(answer)
            : undefined;
        cells[caller] = detail
          ? `${response.status} (${detail})`
          : String(response.status);
        const denied =
          response.status === 401 ||
          response.status === 403 ||
          detail?.includes('403');
        const writes = azureWrites(emulator.control.requests(logStart));
        writesSeen[name] = { ...writesSeen[name], [caller]: writes };
        if (denied && writes.length > 0) {
          deniedWrites.push(`${name} as ${caller}: ${writes}`);
        }
        if (isActionRow(row)) {
          const difference = answerDifference(
            row,
            responses[row.sameAs][caller],
            response,
          );
          if (difference)
            differentAnswers.push(`${name} as ${caller}: ${difference}`);
        }
      }
      seen[name] = cells;
    }

    const expected = Object.fromEntries(
      MATRIX.map(row => [
        rowName(row),
        Object.fromEntries(
          CALLER_NAMES.map((c, i) => [c, expectedCells(row)[i]]),
        ),
      ]),
    );
    const table = [
      `| Endpoint or action | ${CALLER_NAMES.join(' | ')} |`,
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
    // The log shows an action's writes as it shows the API's: an owner's allowed tag edit reached Azure.
    expect(
      writesSeen['action azure-tenant:update-resource-tags'].owner,
    ).toEqual([
      `PATCH ${OWNED_RESOURCE_ID}/providers/Microsoft.Resources/tags/default`,
    ]);
    expect(differentAnswers).toEqual([]);
  });
});
