/*
 * Bad input to every endpoint of the azure-tenant backend plugin, from the corpus in test/reliability/corpus/ (one
 * file per endpoint). Each input is sent as a caller the endpoint admits (an admin; the catalog feed's service;
 * the browser for the Entra ID callback), so that permission is never the reason for the answer. Each must get a
 * clear 4xx whose body names the problem, with no stack trace, and must write nothing: the emulator sees only
 * reads, and the plugin's stored state (tags, subscriptions, onboardings, …) is unchanged.
 *
 * The counts of inputs and statuses per endpoint go to test-results/reliability-bad-input.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import { RequestLogEntry } from '@azure-tenant/azure-emulator';
import {
  ApiClient,
  apiOperations,
  ApiRequest,
  CALLERS,
  CallerName,
  dropTestDatabases,
  dumpTables,
  FOREIGN,
  OWNED_RESOURCE_ID,
  KitBackend,
  TestEmulator,
  RESULTS_DIR,
  startReliabilityBackend,
  startTestEmulator,
  SUBSCRIPTIONS,
  TENANT_ID,
  waitForOrganization,
  waitForSync,
  eventually,
  grantPortalAccess,
  reliabilityFixture,
} from '.';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const CORPUS_DIR = path.resolve(__dirname, '../../../test/reliability/corpus');

/** One bad input. */
interface CorpusCase {
  name: string;
  category: string;
  /** Appended to the file's path (path parameters, and for some a query). */
  pathSuffix?: string;
  /** The query string as sent, already encoded; placeholders are expanded. */
  rawQuery?: string;
  /** A JSON body (placeholders expanded in keys and values). */
  body?: unknown;
  /** A body sent byte for byte, with `contentType`. */
  rawBody?: string;
  contentType?: string;
  /** The statuses that count as the right answer; every one is a 4xx. */
  expect: number[];
  /** Text the error message must contain (case-insensitive), naming the problem. */
  mentions?: string;
  /** The tag rule problem code the answer must list. */
  problem?: string;
  /** Text the answer must not contain (reflected markup). */
  forbidden?: string[];
  /** Bulk: the request is valid as a whole (200); each resource's result must be one of `expect`. */
  perItem?: boolean;
  /**
   * A defect found and handed to the code's owner, not fixed yet: on these databases the case is expected to fail
   * (`it.failing`), so that the fix shows up as a failure here until this mark is removed.
   */
  knownDefect?: { databases: string[]; defect: string };
}

interface CorpusFile {
  endpoint: string;
  method: string;
  path: string;
  caller: CallerName;
  note?: string;
  cases: CorpusCase[];
}

const corpus: CorpusFile[] = fs
  .readdirSync(CORPUS_DIR)
  .filter(name => name.endsWith('.json'))
  .sort()
  .map(name =>
    JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, name), 'utf8')),
  );

const PLACEHOLDERS: Record<string, string> = {
  PAYMENTS: SUBSCRIPTIONS.payments,
  PLATFORM: SUBSCRIPTIONS.platform,
  DATA_EUROPE: SUBSCRIPTIONS.dataEurope,
  TENANT: TENANT_ID,
  FOREIGN_TENANT: FOREIGN.tenantId,
  FOREIGN_SUBSCRIPTION: FOREIGN.subscriptionId,
  FOREIGN_RESOURCE: FOREIGN.resourceId,
  OWNED: OWNED_RESOURCE_ID,
  DECLARED_BUDGET: 'payments-declared',
  // BUDGET: a budget of payments created in the portal, set for each database before the corpus runs.
  // TAG_POLICY: a tag policy made in the portal, likewise.
};

/** A tag policy declared in app-config (`config:environment`), read-only in the portal. */
const DECLARED_TAG_POLICY = {
  id: 'environment',
  name: 'Environment (declared)',
  key: 'environment',
  aliases: ['env'],
};

/** A budget of the payments subscription (in its currency, USD), owned by its team. */
const PAYMENTS_BUDGET = {
  name: 'Payments (bad input)',
  scope: { kind: 'subscription', subscriptionId: SUBSCRIPTIONS.payments },
  amount: 1000,
  currency: 'USD',
  period: { type: 'monthly' },
  owner: 'group:default/payments',
};

/** Percent-encodes like encodeURIComponent, but sends a lone surrogate as its (invalid) three UTF-8-like bytes. */
function percentEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const isHigh = unit >= 0xd800 && unit <= 0xdbff;
    const next = text.charCodeAt(i + 1);
    if (isHigh && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [
        0xe0 | (unit >> 12),
        0x80 | ((unit >> 6) & 0x3f),
        0x80 | (unit & 0x3f),
      ]
        .map(b => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else {
      out += encodeURIComponent(text[i]);
    }
  }
  return out;
}

/** Expands `{{NAME}}`, `{{REPEAT:c:n}}`, `{{NEST:n}}`, `{{B64:…}}`, `{{ENC:…}}` and `{{UPPER:…}}` in a string. */
function expand(text: string): string {
  let result = text
    .replace(/\{\{REPEAT:(.):(\d+)\}\}/g, (_m, c, n) => c.repeat(Number(n)))
    .replace(
      /\{\{NEST:(\d+)\}\}/g,
      (_m, n) => `${'{"a":'.repeat(Number(n))}1${'}'.repeat(Number(n))}`,
    )
    .replace(/\{\{([A-Z_]+)\}\}/g, (m, name) => PLACEHOLDERS[name] ?? m);
  result = result
    .replace(/\{\{B64:(.*?)\}\}/gs, (_m, inner) =>
      Buffer.from(inner, 'utf8').toString('base64url'),
    )
    .replace(/\{\{ENC:(.*?)\}\}/gs, (_m, inner) => percentEncode(inner))
    .replace(/\{\{UPPER:(.*?)\}\}/gs, (_m, inner) => inner.toUpperCase());
  return result;
}

/**
 * Expands placeholders in a JSON body; `{{MANY_TAGS:n}}`, `{{MANY_IDS:n}}` and `{{MANY_SHORT_IDS:n}}` stand for a
 * whole value. Short ids are as short as a resource id can be, so that a list one over its limit is refused for its
 * count rather than for the body's size (100 kB, where a thousand ids of a usual length already are).
 */
function expandBody(value: unknown): unknown {
  if (typeof value === 'string') {
    const many = /^\{\{MANY_(TAGS|IDS|SHORT_IDS):(\d+)\}\}$/.exec(value);
    if (many) {
      const count = Number(many[2]);
      const indexes = Array.from({ length: count }, (_v, i) => i);
      if (many[1] === 'TAGS') {
        return Object.fromEntries(indexes.map(i => [`reliability-${i}`, 'x']));
      }
      return indexes.map(i =>
        many[1] === 'IDS'
          ? `/subscriptions/${SUBSCRIPTIONS.payments}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st${i}`
          : `/subscriptions/${SUBSCRIPTIONS.payments}/resourceGroups/r/providers/M.S/s/${i}`,
      );
    }
    return expand(value);
  }
  if (Array.isArray(value)) return value.map(expandBody);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [expand(k), expandBody(v)]),
    );
  }
  return value;
}

function requestOf(file: CorpusFile, c: CorpusCase): ApiRequest {
  let requestPath = file.path + expand(c.pathSuffix ?? '');
  if (c.rawQuery) requestPath += `?${expand(c.rawQuery)}`;
  const authorization = CALLERS[file.caller];
  const headers: Record<string, string> = authorization
    ? { authorization }
    : {};
  let body: string | undefined;
  if (c.rawBody !== undefined) {
    body = expand(c.rawBody);
    headers['content-type'] = c.contentType ?? 'application/json';
  } else if (c.body !== undefined) {
    body = JSON.stringify(expandBody(c.body));
    headers['content-type'] = 'application/json';
  }
  return { method: file.method, path: requestPath, headers, body };
}

// Tables whose rows a request could change; the scheduler's own tables change on their own. A budget's write also
// evaluates it at once (budget_evaluations), which may send its alerts (spend_alerts).
const STATE_TABLES = [
  'tenants',
  'subscriptions',
  'onboardings',
  'onboarding_results',
  'resources',
  'resource_groups',
  'resource_tombstones',
  'sync_counters',
  'budgets',
  'budget_evaluations',
  'spend_alerts',
  'tag_policies',
  'tag_fix_jobs',
  'tag_fix_items',
];

/**
 * The tables of issue 13 (budgets, alerts, showback, savings): the check that every table was left as it was must
 * see them, so they must exist. Showback has none of its own: it reads the spend and the catalog.
 */
const BUDGET_AND_SAVINGS_TABLES = [
  'budgets',
  'budget_evaluations',
  'spend_alerts',
  'advisor_recommendations',
  'azure_budgets',
  'savings_sync_state',
];

/**
 * Tables that scheduled work writes on its own, whatever the requests: the scheduler's, the replicas' claims and the
 * shared quota buckets (every Azure read takes a token), Azure Policy's assignments (read a minute after start) and
 * tag compliance (evaluated again when the owner directory or Azure's assignments change).
 */
const BACKGROUND_TABLES = [
  'sync_claims',
  'sync_replicas',
  'quota_buckets',
  'azure_tag_policy_assignments',
  'tag_compliance',
  'tag_compliance_daily',
  'tag_compliance_state',
];

const isStateTable = (table: string) =>
  !table.startsWith('backstage_backend_tasks') &&
  !table.includes('knex_migrations') &&
  !BACKGROUND_TABLES.includes(table);

/**
 * A table's rows, in a stable order, without what scheduled work moves on its own: the catalog feed's revision (a
 * resource's `revision` and the `revision` counter), which a tag compliance evaluation moves when a resource's result
 * changes. The resources' content, tags included, is compared.
 */
function withoutBackgroundColumns(
  table: string,
  rows: Array<Record<string, unknown>>,
): Array<Record<string, unknown>> {
  let kept = rows;
  if (table === 'resources') {
    kept = rows.map(({ revision: _revision, ...row }) => row);
  } else if (table === 'sync_counters') {
    kept = rows.filter(row => row.name !== 'revision');
  }
  return kept
    .map(row => ({ row, key: JSON.stringify(row) }))
    .sort((a, b) => a.key.localeCompare(b.key))
    .map(({ row }) => row);
}

const TOKEN_REQUEST = /\/oauth2\/v2\.0\/token$/i;
// A stack trace line: "at fn (file.ts:12:5)" or "at file.js:1:2".
const STACK_TRACE = /\bat (?:\S+ \()?[^\s()]+:\d+:\d+\)?/;

/** Answers of 500 and more, with the start of their body: defects. */
const serverErrors: Array<{
  database: string;
  endpoint: string;
  input: string;
  status: number;
  body: string;
}> = [];

/** Every status an endpoint answered, by database. */
const summary: Record<
  string,
  Record<string, { tried: number; statuses: Record<string, number> }>
> = {};

function record(databaseId: string, endpoint: string, status: string) {
  const byEndpoint = (summary[databaseId] ??= {});
  const entry = (byEndpoint[endpoint] ??= { tried: 0, statuses: {} });
  entry.tried += 1;
  entry.statuses[status] = (entry.statuses[status] ?? 0) + 1;
}

let emulator: TestEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator({ fixture: reliabilityFixture() });
});

afterAll(async () => {
  await emulator?.stop();
  await dropTestDatabases();
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(
    path.join(RESULTS_DIR, 'reliability-bad-input.json'),
    `${JSON.stringify({ ...summary, serverErrors }, null, 2)}\n`,
  );
}, 60_000);

describe.each(databases.eachSupportedId())('bad input on %s', databaseId => {
  let backend: KitBackend;
  let api: ApiClient;
  let before: Record<string, unknown[]>;

  const stateOf = async (tables: string[]) =>
    Object.fromEntries(
      await Promise.all(
        tables.map(async table => [
          table,
          withoutBackgroundColumns(
            table,
            await backend.knex(table).select().orderBy(1),
          ),
        ]),
      ),
    );

  beforeAll(async () => {
    emulator.control.reset();
    grantPortalAccess(emulator);
    backend = await startReliabilityBackend({
      databaseId,
      emulator,
      tenants: 'config',
      azureTenant: {
        budgets: {
          declared: [
            {
              ...PAYMENTS_BUDGET,
              id: PLACEHOLDERS.DECLARED_BUDGET,
              name: 'Payments (declared)',
            },
          ],
          // No scheduled evaluation during the corpus (it would renew the evaluations and look for anomalies): the
          // scheduler's worker sits out its initial delay before it runs a task, even a triggered one, such as the
          // run after a spend sync. A budget is still evaluated at once when a request changes it.
          schedule: {
            frequency: { hours: 24 },
            timeout: { minutes: 5 },
            initialDelay: { hours: 24 },
          },
        },
        tagGovernance: { policies: [DECLARED_TAG_POLICY] },
      },
    });
    api = new ApiClient(backend.baseUrl);
    await waitForSync(api, Object.values(SUBSCRIPTIONS));
    // The spend and savings syncs run once at startup; wait for them, so that nothing else writes while the corpus
    // runs.
    await eventuallySynced(backend, 'spend_sync_state');
    await eventuallySynced(backend, 'savings_sync_state');
    // The budget's owner must be in the catalog.
    await waitForOrganization(api);
    PLACEHOLDERS.BUDGET = await createBudget(api, PAYMENTS_BUDGET);
    PLACEHOLDERS.TAG_POLICY = await createTagPolicy(api, {
      name: 'Reliability policy (bad input)',
      key: 'reliability-policy',
    });
    const all = await dumpTables(backend.knex);
    before = Object.fromEntries(
      Object.entries(all)
        .filter(([table]) => isStateTable(table))
        .map(([table, rows]) => [table, withoutBackgroundColumns(table, rows)]),
    );
  }, 300_000);

  it('has inputs for every operation of the OpenAPI document', async () => {
    const document = await api.json(
      'GET',
      '/api/azure-tenant/openapi.json',
      'admin',
    );
    const operations = apiOperations(document.body);
    const covered = new Set(corpus.map(f => f.endpoint));
    // GET /health takes no input at all.
    expect(
      operations.filter(op => !covered.has(op) && op !== 'GET /health'),
    ).toEqual([]);
    expect(corpus.reduce((n, f) => n + f.cases.length, 0)).toBeGreaterThan(300);
  });

  it('has inputs for every action of the plugin', async () => {
    const listed = await api.json(
      'GET',
      '/api/azure-tenant/.backstage/actions/v1/actions',
      'admin',
    );
    const covered = new Set(corpus.map(f => f.endpoint));
    const actions: string[] = listed.body.actions.map(
      (action: { id: string }) => `action ${action.id}`,
    );
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter(action => !covered.has(action))).toEqual([]);
  });

  afterAll(async () => {
    await backend?.stop();
  });

  describe.each(corpus.map(file => [file.endpoint, file] as const))(
    '%s',
    (_endpoint, file) => {
      const known = (c: CorpusCase) =>
        c.knownDefect?.databases.includes(databaseId) ?? false;
      const run = async (c: CorpusCase) => {
        const state = await stateOf(STATE_TABLES);
        const logStart = lastSeq(emulator.control.requests());
        const response = await api.send(requestOf(file, c));
        if (response.status >= 500) {
          serverErrors.push({
            database: databaseId,
            endpoint: file.endpoint,
            input: c.name,
            status: response.status,
            body: response.text.slice(0, 400),
          });
          record(databaseId, file.endpoint, String(response.status));
        }

        const mentions = c.mentions && expand(c.mentions).toLowerCase();
        let recorded = String(response.status);
        if (c.perItem) {
          expect(response.status).toBe(200);
          const results: any[] = response.body.results;
          expect(results.length).toBeGreaterThan(0);
          expect(response.body.succeeded).toBe(0);
          for (const result of results) {
            expect(c.expect).toContain(result.status);
            expect(result.error.message).toEqual(expect.any(String));
            if (mentions) {
              expect(result.error.message.toLowerCase()).toContain(mentions);
            }
          }
          recorded = `200 (each item ${[
            ...new Set(results.map(r => r.status)),
          ].join('/')})`;
        } else {
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          expect(c.expect).toContain(response.status);
          if (response.body) {
            expect(response.body.error.name).toEqual(expect.any(String));
            expect(response.body.error.message).toEqual(expect.any(String));
            if (mentions) {
              expect(response.body.error.message.toLowerCase()).toContain(
                mentions,
              );
            }
            if (c.problem) {
              expect(response.body.problems.map((p: any) => p.code)).toContain(
                c.problem,
              );
            }
          } else {
            // The callback answers the browser with an HTML page that says what went wrong.
            expect(response.headers['content-type']).toMatch(/html/);
            expect(response.text).toMatch(/<h1>[^<]+<\/h1>/);
            if (mentions)
              expect(response.text.toLowerCase()).toContain(mentions);
          }
        }
        expect(response.text).not.toMatch(STACK_TRACE);
        expect(response.text).not.toContain('"stack"');
        for (const text of c.forbidden ?? []) {
          expect(response.text).not.toContain(text);
        }

        // Nothing was written: Azure saw reads only, and the plugin's state is as it was.
        const azureRequests = emulator.control
          .requests(logStart)
          .filter(r => !(r.method === 'POST' && TOKEN_REQUEST.test(r.path)))
          .map(r => `${r.method} ${r.path}`);
        expect(azureRequests.filter(r => !r.startsWith('GET '))).toEqual([]);
        expect(await stateOf(STATE_TABLES)).toEqual(state);

        record(databaseId, file.endpoint, recorded);
      };
      const cases = file.cases.map(c => [c.name, c] as const);
      const expectedCases = cases.filter(([, c]) => !known(c));
      // A file may hold known defects only (jest refuses an empty table).
      if (expectedCases.length > 0) {
        // eslint-disable-next-line jest/expect-expect -- run() asserts.
        it.each(expectedCases)('%s', (_name, c) => run(c));
      }
      const knownCases = cases.filter(([, c]) => known(c));
      if (knownCases.length > 0) {
        // eslint-disable-next-line jest/expect-expect -- run() asserts.
        it.failing.each(knownCases)('%s (known defect)', (_name, c) => run(c));
      }
    },
  );

  it('left every table of the plugin as it was, spend, budgets, alerts and savings included', async () => {
    const all = await dumpTables(backend.knex);
    const after = Object.fromEntries(
      Object.entries(all)
        .filter(([table]) => isStateTable(table))
        .map(([table, rows]) => [table, withoutBackgroundColumns(table, rows)]),
    );
    expect(Object.keys(after)).toEqual(
      expect.arrayContaining(BUDGET_AND_SAVINGS_TABLES),
    );
    expect(after).toEqual(before);
  });

  // After the check above: it writes (a tag, a policy). A pattern RE2 accepts runs in linear time, so a catastrophic
  // one for a backtracking engine must not stall the evaluation, or the backend while it runs.
  it('evaluates a catastrophic pattern such as (a+)+$ without stalling the backend', async () => {
    const A = '/api/azure-tenant';
    // 2^n steps for a backtracking engine: 'a' × 255 then '!' (Azure's longest tag value is 256 characters).
    const value = `${'a'.repeat(255)}!`;
    const tagged = await api.json('PATCH', `${A}/tags`, 'admin', {
      resourceId: OWNED_RESOURCE_ID,
      set: { 'reliability-redos': value },
    });
    expect(tagged.status).toBe(200);
    // Made after the tag, so that the evaluation it starts sees the tag.
    const created = await api.json('POST', `${A}/tag-policies`, 'admin', {
      name: 'Catastrophic pattern (bad input)',
      key: 'reliability-redos',
      values: { kind: 'pattern', pattern: '(a+)+$' },
    });
    expect(created.status).toBe(201);
    const policyId = created.body.id;
    const started = Date.now();
    let slowestHealth = 0;
    await eventually(
      async () => {
        const healthStarted = Date.now();
        const health = await api.json('GET', `${A}/health`, 'admin');
        slowestHealth = Math.max(slowestHealth, Date.now() - healthStarted);
        expect(health.status).toBe(200);
        const compliance = await api.json(
          'GET',
          `${A}/tag-compliance/resource?resourceId=${encodeURIComponent(
            OWNED_RESOURCE_ID,
          )}`,
          'admin',
        );
        expect(compliance.status).toBe(200);
        expect(compliance.body.violations).toContainEqual(
          expect.objectContaining({ policyId, code: 'value-pattern-mismatch' }),
        );
      },
      { timeoutMs: 120_000 },
    );
    // The preview evaluates the resource again, in the request.
    const previewStarted = Date.now();
    const preview = await api.json('POST', `${A}/tag-fixes/preview`, 'admin', {
      policyIds: [policyId],
      resourceIds: [OWNED_RESOURCE_ID],
    });
    expect(preview.status).toBe(200);
    const previewMs = Date.now() - previewStarted;
    // eslint-disable-next-line no-console
    console.log(
      `(a+)+$ on ${databaseId}: violation stored after ${
        Date.now() - started
      } ms, slowest health check ${slowestHealth} ms, preview ${previewMs} ms`,
    );
    // Seconds on a busy 2-core machine; a backtracking engine would take longer than the age of the universe.
    expect(slowestHealth).toBeLessThan(10_000);
    expect(previewMs).toBeLessThan(10_000);
  }, 300_000);
});

function lastSeq(requests: RequestLogEntry[]): number {
  return requests.length > 0 ? requests[requests.length - 1].seq : 0;
}

/** Waits until a sync's state table (`spend_sync_state`, `savings_sync_state`) has a result for every subscription. */
async function eventuallySynced(backend: KitBackend, stateTable: string) {
  await eventually(async () => {
    const rows = await backend.knex(stateTable).select();
    expect(rows).toHaveLength(Object.keys(SUBSCRIPTIONS).length);
    expect(rows.every(r => r.last_status)).toBe(true);
  });
}

/** Creates a tag policy as the admin; its id. */
async function createTagPolicy(
  api: ApiClient,
  policy: object,
): Promise<string> {
  const created = await api.json(
    'POST',
    '/api/azure-tenant/tag-policies',
    'admin',
    policy,
  );
  if (created.status !== 201) {
    throw new Error(
      `Could not create the corpus's tag policy: ${created.status} ${created.text}`,
    );
  }
  return created.body.id;
}

/** Creates a budget as the admin; its id. */
async function createBudget(api: ApiClient, budget: object): Promise<string> {
  const created = await api.json(
    'POST',
    '/api/azure-tenant/budgets',
    'admin',
    budget,
  );
  if (created.status !== 201) {
    throw new Error(
      `Could not create the corpus's budget: ${created.status} ${created.text}`,
    );
  }
  return created.body.budget.id;
}
