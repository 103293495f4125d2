/*
 * The permissions matrix: every endpoint of the azure-tenant backend plugin × {unauthenticated, ordinary user,
 * entity owner, admin, service}, in one table, against the demo portal's real policy (DemoPermissionPolicy, through
 * the permission backend) and the catalog with the demo organization, so that admins and owners resolve as in the
 * portal, on SQLite and PostgreSQL. A refused call must also write nothing: nothing to Azure, and nothing to the
 * plugin's budgets, tag policies or tag fix jobs. Every operation of the API's document and every action the plugin
 * lists must have a row.
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
import { TestDatabases } from '@backstage/backend-test-utils';
import {
  ApiClient,
  apiOperations,
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
  eventually,
  grantPortalAccess,
  reliabilityFixture,
} from '.';

jest.setTimeout(420_000);

const A = '/api/azure-tenant';
const OWNED = encodeURIComponent(OWNED_RESOURCE_ID);
/** A resource of the platform team (owner tag `team-platform`), which Alice does not own. */
const OTHER_TEAMS_RESOURCE_ID = `/subscriptions/${SUBSCRIPTIONS.platform}/resourceGroups/rg-platform-network/providers/Microsoft.Compute/virtualMachines/vm-identity-001`;
const PERIOD_FROM = '2026-10-01';
const PERIOD_TO = '2026-10-31';
const PERIOD = `from=${PERIOD_FROM}&to=${PERIOD_TO}`;
const SHOWBACK_MONTH = PERIOD_FROM.slice(0, 7);
const SHOWBACK_PERIOD = `from=${SHOWBACK_MONTH}&to=${SHOWBACK_MONTH}`;

/** A cell per caller, in the order of {@link CALLER_NAMES}. */
type Cells = [string, string, string, string, string];

/** What rows are built from, made before the matrix runs. */
interface RowContext {
  onboardingId: string;
  /** Budgets of payments (Alice's team) and of platform (not hers), created in the portal. */
  budgets: { payments: string; platform: string };
  /** A budget of payments declared in app-config, so read-only in the portal. */
  declaredBudget: string;
  /**
   * For a row with `disposableBudget`: a budget of payments made for this row and caller alone when the matrix
   * expects the caller to succeed (a delete uses it up); else payments' budget, which the refusal must leave as it
   * was, and which an endpoint and its action then refuse alike.
   */
  disposableBudget: string;
  /** A tag policy made in the portal by an admin, which the rows read and write back as it was. */
  tagPolicy: string;
  /** As {@link RowContext.disposableBudget}, a tag policy of this row and caller alone when it is to be deleted. */
  disposableTagPolicy: string;
  /** A tag fix job that the owner (Alice) started, with nothing to change. */
  fixJob: string;
}

/** A call of the REST API. */
interface EndpointRow {
  endpoint: string;
  method: string;
  path: string | ((context: RowContext, caller: CallerName) => string);
  body?: (caller: CallerName, context: RowContext) => unknown;
  /** Sent as a form (`application/x-www-form-urlencoded`) instead of a JSON body. */
  form?: URLSearchParams;
  /** What a 200's cell shows beyond the status (bulk results, whether tags may be edited), from its body. */
  detail?: (answer: any) => string;
  /** Each caller that the matrix expects to succeed gets a budget of its own ({@link RowContext.disposableBudget}). */
  disposableBudget?: boolean;
  /** The same with a tag policy ({@link RowContext.disposableTagPolicy}). */
  disposableTagPolicy?: boolean;
  /**
   * Waits, after a 200 or 202, for what the call started in the background (a tag fix job) to end, so that its
   * writes are not taken for those of the next calls. Its action row's answers are waited on too.
   */
  settle?: (answer: any, api: ApiClient) => Promise<void>;
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
  input: (caller: CallerName, context: RowContext) => object;
  /** As the endpoint row's: each caller expected to succeed gets a budget of its own. */
  disposableBudget?: boolean;
  disposableTagPolicy?: boolean;
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

/** A monthly budget in USD (the demo subscriptions' currency) of a whole subscription, owned by a team. */
const subscriptionBudget = (
  name: string,
  subscriptionId: string,
  owner: string,
) => ({
  name,
  scope: { kind: 'subscription', subscriptionId },
  amount: 1000,
  currency: 'USD',
  period: { type: 'monthly' },
  owner,
});

/** Payments' budget as the matrix makes it, and as its writes put it back (they change nothing). */
const PAYMENTS_BUDGET = subscriptionBudget(
  'Payments (permissions matrix)',
  SUBSCRIPTIONS.payments,
  'group:default/payments',
);
const PLATFORM_BUDGET = subscriptionBudget(
  'Platform (permissions matrix)',
  SUBSCRIPTIONS.platform,
  'group:default/platform',
);
/** Declared in the backend's config (`azureTenant.budgets.declared`): the portal may mute it, not change it. */
const DECLARED_BUDGET_ID = 'payments-declared';

/** What a created or replaced budget is made of, leaving out what each write makes anew (id, times). */
const budgetMadeOf = (status: any) => {
  const { id, createdAt, updatedAt, ...rest } = status.budget;
  return rest;
};

/** The budgets of a list by id, without their evaluation (which a scheduled run may renew between two calls). */
const budgetsById = (items: any[]) =>
  items
    .map((status: any) => status.budget)
    .sort((a, b) => a.id.localeCompare(b.id));

const mutedUntil = (status: any) => status.budget.mutedUntil ?? null;

/** Whether payments' budget is in a list of budgets. */
const paymentsBudgetListed = (answer: any) =>
  answer.items.some((s: any) => s.budget.name === PAYMENTS_BUDGET.name)
    ? "payments' listed"
    : "payments' not listed";

/** A mute that ends in a week: within the year a mute may last, and later than any test. */
const MUTE_UNTIL = new Date(Date.now() + 7 * 86_400_000).toISOString();

/** A tag policy made in the portal: one no resource has a tag of, so that it changes no resource's compliance. */
const MATRIX_TAG_POLICY = {
  name: 'Matrix policy (permissions matrix)',
  key: 'reliability-matrix-policy',
  required: false,
};
/**
 * Declared in the backend's config (`azureTenant.tagGovernance.policies`), read-only in the portal: `env` is another
 * name of `environment`, so the demo's resources tagged `env` have a suggested fix (rename it).
 */
const DECLARED_TAG_POLICY = {
  id: 'environment',
  name: 'Environment (declared)',
  key: 'environment',
  aliases: ['env'],
};
const DECLARED_TAG_POLICY_ID = `config:${DECLARED_TAG_POLICY.id}`;

const demoResourceId = (
  subscriptionId: string,
  resourceGroup: string,
  type: string,
  name: string,
) =>
  `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${type}/${name}`;

/**
 * Resources tagged `env` (so each has one suggested fix, renaming it `environment`) for the rows that apply fixes: one
 * of payments (Alice's team) and one other for the admin, per row, as each row's fix is applied once.
 */
const FIX_TARGETS = {
  endpoint: {
    owner: demoResourceId(
      SUBSCRIPTIONS.payments,
      'rg-payments-checkout-prod',
      'Microsoft.Storage/storageAccounts',
      'st-checkout-005',
    ),
    admin: demoResourceId(
      SUBSCRIPTIONS.platform,
      'rg-data-ingest-prod',
      'Microsoft.Compute/virtualMachines',
      'vm-ingest-002',
    ),
  },
  action: {
    owner: demoResourceId(
      SUBSCRIPTIONS.payments,
      'rg-payments-ledger-prod',
      'Microsoft.Network/virtualNetworks',
      'vnet-ledger-007',
    ),
    admin: demoResourceId(
      SUBSCRIPTIONS.platform,
      'rg-data-ingest-prod',
      'Microsoft.Network/networkSecurityGroups',
      'nsg-ingest-003',
    ),
  },
};

/**
 * A selection of the declared policy's fix on one resource: payments' for everyone but the admin (so that Bob's is
 * refused for a resource he does not own), another team's for the admin.
 */
const fixSelection = (
  targets: { owner: string; admin: string },
  caller: CallerName,
) => ({
  policyIds: [DECLARED_TAG_POLICY_ID],
  resourceIds: [caller === 'admin' ? targets.admin : targets.owner],
});

/** What a preview would change, and what it may not (another's resource, or the subscription's mode). */
const previewDetail = (answer: any) =>
  `${answer.resources} to change, ${answer.subscriptions
    .filter((s: any) => s.outcome === 'forbidden')
    .reduce((n: number, s: any) => n + s.resources, 0)} forbidden`;

/** What a new job is to change, and what it left out (another's resource: the caller may not edit its tags). */
const jobDetail = (job: any) =>
  `${job.total - job.skipped} to apply, ${job.skipped} left out`;

/** Waits until a tag fix job has ended (its writes to Azure made), as the admin, who may see every job. */
async function settleFixJob(job: any, api: ApiClient): Promise<void> {
  await eventually(
    async () => {
      const seen = await api.json('GET', `${A}/tag-fixes/${job.id}`, 'admin');
      expect(seen.status).toBe(200);
      expect(['done', 'failed', 'cancelled']).toContain(seen.body.state);
    },
    { timeoutMs: 120_000 },
  );
}

/** A tag policy as made or replaced, leaving out what each write makes anew (id, creator, times). */
const tagPolicyMadeOf = (policy: any) => {
  const { id, createdBy, createdAt, updatedAt, ...rest } = policy;
  return rest;
};

/** Whether the portal's matrix policy is in a list of tag policies. */
const matrixPolicyListed = (answer: any) =>
  answer.items.some((p: any) => p.name === MATRIX_TAG_POLICY.name)
    ? 'matrix policy listed'
    : 'matrix policy not listed';

/** A page of compliance by resource and status (their evaluation times may be renewed between two calls). */
const complianceStatuses = (items: any[]) =>
  byResourceId(items).map((item: any) => ({
    resourceId: item.resourceId,
    status: item.status,
  }));

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
      '200 (27 actions)',
      '200 (27 actions)',
      '200 (27 actions)',
      '200 (27 actions)',
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
    endpoint: 'GET /catalog/resource-groups',
    method: 'GET',
    path: `${A}/catalog/resource-groups?limit=5`,
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
  {
    // A team's rows need spend read on the team, unallocated and totals tenant read: both reads, for everyone here.
    endpoint: 'GET /showback',
    method: 'GET',
    path: `${A}/showback?${SHOWBACK_PERIOD}`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    action: 'get-showback',
    sameAs: 'GET /showback',
    input: () => ({ from: SHOWBACK_MONTH, to: SHOWBACK_MONTH }),
    sameAnswer: { endpoint: body => body, action: output => output },
  },
  {
    endpoint: 'GET /showback (one team)',
    method: 'GET',
    path: `${A}/showback?${SHOWBACK_PERIOD}&owner=${encodeURIComponent(
      'group:default/payments',
    )}`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    endpoint: 'GET /showback.csv',
    method: 'GET',
    path: `${A}/showback.csv?${SHOWBACK_PERIOD}`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    endpoint: 'GET /savings',
    method: 'GET',
    path: `${A}/savings?resourceId=${OWNED}`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    action: 'get-savings',
    sameAs: 'GET /savings',
    input: () => ({ resourceId: OWNED_RESOURCE_ID }),
    sameAnswer: { endpoint: body => body, action: output => output },
  },
  {
    endpoint: 'GET /azure-budgets',
    method: 'GET',
    path: `${A}/azure-budgets?subscriptionId=${SUBSCRIPTIONS.platform}`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    action: 'list-azure-budgets',
    sameAs: 'GET /azure-budgets',
    input: () => ({ subscriptionId: SUBSCRIPTIONS.platform }),
    sameAnswer: { endpoint: body => body, action: output => output },
  },
  {
    // Reading a budget follows reading its scope's spend.
    endpoint: 'GET /budgets',
    method: 'GET',
    path: `${A}/budgets`,
    detail: paymentsBudgetListed,
    expected: [
      '401',
      "200 (payments' listed)",
      "200 (payments' listed)",
      "200 (payments' listed)",
      "200 (payments' listed)",
    ],
  },
  {
    action: 'list-budgets',
    sameAs: 'GET /budgets',
    input: () => ({}),
    sameAnswer: {
      endpoint: body => budgetsById(body.items),
      action: output => budgetsById(output.items),
    },
  },
  {
    endpoint: 'GET /budgets/{id}',
    method: 'GET',
    path: ({ budgets }) => `${A}/budgets/${budgets.payments}`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    // A budget may be created for one's own team; budgets are made by people, not by other plugins.
    endpoint: 'POST /budgets',
    method: 'POST',
    path: `${A}/budgets`,
    body: caller => ({
      ...PAYMENTS_BUDGET,
      name: `Payments, by ${caller} (permissions matrix)`,
    }),
    expected: ['401', '403', '201', '201', '403'],
  },
  {
    action: 'create-budget',
    sameAs: 'POST /budgets',
    input: caller => ({
      ...PAYMENTS_BUDGET,
      name: `Payments, by ${caller} (permissions matrix)`,
    }),
    // The actions registry answers every success with 200 and the output; the same callers are admitted.
    expected: ['401', '403', '200', '200', '403'],
    sameAnswer: { endpoint: budgetMadeOf, action: budgetMadeOf },
  },
  {
    endpoint: "POST /budgets (another team's)",
    method: 'POST',
    path: `${A}/budgets`,
    body: caller => ({
      ...PLATFORM_BUDGET,
      name: `Platform, by ${caller} (permissions matrix)`,
    }),
    expected: ['401', '403', '403', '201', '403'],
  },
  {
    endpoint: 'PUT /budgets/{id}',
    method: 'PUT',
    path: ({ budgets }) => `${A}/budgets/${budgets.payments}`,
    // What it is: an allowed call changes nothing but its time of change.
    body: () => PAYMENTS_BUDGET,
    expected: ['401', '403', '200', '200', '403'],
  },
  {
    action: 'update-budget',
    sameAs: 'PUT /budgets/{id}',
    input: (_caller, { budgets }) => ({
      budgetId: budgets.payments,
      ...PAYMENTS_BUDGET,
    }),
    sameAnswer: { endpoint: budgetMadeOf, action: budgetMadeOf },
  },
  {
    endpoint: "PUT /budgets/{id} (another team's)",
    method: 'PUT',
    path: ({ budgets }) => `${A}/budgets/${budgets.platform}`,
    body: () => PLATFORM_BUDGET,
    expected: ['401', '403', '403', '200', '403'],
  },
  {
    // A change is checked on the budget as it is and as it would be: Alice may not give her team's budget away.
    endpoint: 'PUT /budgets/{id} (given to another team)',
    method: 'PUT',
    path: ({ budgets }) => `${A}/budgets/${budgets.payments}`,
    body: () => ({ ...PAYMENTS_BUDGET, owner: 'group:default/platform' }),
    // The admin's allowed call is put back by the next row.
    expected: ['401', '403', '403', '200', '403'],
  },
  {
    endpoint: 'PUT /budgets/{id} (given back)',
    method: 'PUT',
    path: ({ budgets }) => `${A}/budgets/${budgets.payments}`,
    body: () => PAYMENTS_BUDGET,
    // Platform's now, so Alice may not take it back either.
    expected: ['401', '403', '403', '200', '403'],
  },
  {
    // A budget declared in app-config is changed there, whoever asks.
    endpoint: 'PUT /budgets/{id} (declared in app-config)',
    method: 'PUT',
    path: ({ declaredBudget }) => `${A}/budgets/${declaredBudget}`,
    body: () => ({ ...PAYMENTS_BUDGET, name: 'Payments (declared)' }),
    expected: ['401', '409', '409', '409', '403'],
  },
  {
    endpoint: 'POST /budgets/{id}/mute',
    method: 'POST',
    path: ({ budgets }) => `${A}/budgets/${budgets.payments}/mute`,
    body: () => ({ until: MUTE_UNTIL }),
    expected: ['401', '403', '200', '200', '403'],
  },
  {
    action: 'mute-budget',
    sameAs: 'POST /budgets/{id}/mute',
    input: (_caller, { budgets }) => ({
      budgetId: budgets.payments,
      until: MUTE_UNTIL,
    }),
    sameAnswer: { endpoint: mutedUntil, action: mutedUntil },
  },
  {
    // A mute is the portal's, not the budget's definition: a declared budget may be muted by its team.
    endpoint: 'POST /budgets/{id}/mute (declared in app-config)',
    method: 'POST',
    path: ({ declaredBudget }) => `${A}/budgets/${declaredBudget}/mute`,
    body: () => ({ until: null }),
    expected: ['401', '403', '200', '200', '403'],
  },
  {
    endpoint: 'DELETE /budgets/{id}',
    method: 'DELETE',
    path: ({ disposableBudget }) => `${A}/budgets/${disposableBudget}`,
    disposableBudget: true,
    expected: ['401', '403', '204', '204', '403'],
  },
  {
    action: 'delete-budget',
    sameAs: 'DELETE /budgets/{id}',
    input: (_caller, { disposableBudget }) => ({ budgetId: disposableBudget }),
    disposableBudget: true,
    expected: ['401', '403', '200', '200', '403'],
  },
  {
    endpoint: "DELETE /budgets/{id} (another team's)",
    method: 'DELETE',
    path: ({ budgets }) => `${A}/budgets/${budgets.platform}`,
    // Last of platform's rows: the admin's allowed call deletes it.
    expected: ['401', '403', '403', '204', '403'],
  },
  {
    endpoint: 'DELETE /budgets/{id} (declared in app-config)',
    method: 'DELETE',
    path: ({ declaredBudget }) => `${A}/budgets/${declaredBudget}`,
    expected: ['401', '409', '409', '409', '403'],
  },
  {
    // Every team's alerts are for admins (and other plugins); a team sees its own with its budgets.
    endpoint: 'GET /budget-alerts',
    method: 'GET',
    path: `${A}/budget-alerts`,
    expected: ['401', '403', '403', '200', '200'],
  },
  {
    action: 'list-budget-alerts',
    sameAs: 'GET /budget-alerts',
    input: () => ({}),
    sameAnswer: { endpoint: body => body, action: output => output },
  },
  {
    endpoint: 'GET /budget-alerts (one budget)',
    method: 'GET',
    path: ({ budgets }) => `${A}/budget-alerts?budgetId=${budgets.payments}`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    action: 'list-budget-alerts',
    variant: 'one budget',
    sameAs: 'GET /budget-alerts (one budget)',
    input: (_caller, { budgets }) => ({ budgetId: budgets.payments }),
    sameAnswer: { endpoint: body => body, action: output => output },
  },
  {
    // Everything's figure needs the whole tenant's read, as showback's totals do: every signed-in user has it here.
    endpoint: 'GET /tag-compliance/summary',
    method: 'GET',
    path: `${A}/tag-compliance/summary`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    action: 'get-tag-compliance',
    sameAs: 'GET /tag-compliance/summary',
    input: () => ({}),
    sameAnswer: {
      endpoint: body => body.current,
      action: output => output.summary.current,
    },
  },
  {
    endpoint: 'GET /tag-compliance/summary (one subscription)',
    method: 'GET',
    path: `${A}/tag-compliance/summary?subscriptionId=${SUBSCRIPTIONS.payments}`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    endpoint: 'GET /tag-compliance/summary (one team)',
    method: 'GET',
    path: `${A}/tag-compliance/summary?ownerRef=${encodeURIComponent(
      'group:default/payments',
    )}`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    endpoint: 'GET /tag-compliance/teams',
    method: 'GET',
    path: `${A}/tag-compliance/teams`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    action: 'get-tag-compliance',
    variant: 'teams',
    sameAs: 'GET /tag-compliance/teams',
    input: () => ({ view: 'teams' }),
    sameAnswer: {
      endpoint: body => body.unowned,
      action: output => output.teams.unowned,
    },
  },
  {
    // Each resource is listed to whoever may read its catalog entity: everyone signed in, in the demo.
    endpoint: 'GET /tag-compliance/resources',
    method: 'GET',
    path: `${A}/tag-compliance/resources?subscriptionId=${SUBSCRIPTIONS.payments}&limit=100`,
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
    action: 'list-tag-compliance',
    sameAs: 'GET /tag-compliance/resources',
    input: () => ({ subscriptionId: SUBSCRIPTIONS.payments, limit: 100 }),
    sameAnswer: {
      endpoint: body => complianceStatuses(body.items),
      action: output => complianceStatuses(output.items),
    },
  },
  {
    endpoint: 'GET /tag-compliance/resource',
    method: 'GET',
    path: `${A}/tag-compliance/resource?resourceId=${OWNED}`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    // Any user or service may read the tag policies.
    endpoint: 'GET /tag-policies',
    method: 'GET',
    path: `${A}/tag-policies`,
    detail: matrixPolicyListed,
    expected: [
      '401',
      '200 (matrix policy listed)',
      '200 (matrix policy listed)',
      '200 (matrix policy listed)',
      '200 (matrix policy listed)',
    ],
  },
  {
    action: 'list-tag-policies',
    sameAs: 'GET /tag-policies',
    input: () => ({}),
    sameAnswer: {
      endpoint: body => body.items,
      action: output => output.items,
    },
  },
  {
    endpoint: 'GET /tag-policies/{policyId}',
    method: 'GET',
    path: ({ tagPolicy }) => `${A}/tag-policies/${tagPolicy}`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    endpoint: 'GET /tag-policies/{policyId} (declared in app-config)',
    method: 'GET',
    path: `${A}/tag-policies/${DECLARED_TAG_POLICY_ID}`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    // Tag policies are for admins (azure-tenant.tag-policy.manage, not a permission on an entity); made by people.
    endpoint: 'POST /tag-policies',
    method: 'POST',
    path: `${A}/tag-policies`,
    body: caller => ({
      ...MATRIX_TAG_POLICY,
      name: `Matrix policy, by ${caller}`,
    }),
    expected: ['401', '403', '403', '201', '403'],
  },
  {
    action: 'create-tag-policy',
    sameAs: 'POST /tag-policies',
    input: caller => ({
      ...MATRIX_TAG_POLICY,
      name: `Matrix policy, by ${caller}`,
    }),
    // The actions registry answers every success with 200 and the output; the same callers are admitted.
    expected: ['401', '403', '403', '200', '403'],
    sameAnswer: { endpoint: tagPolicyMadeOf, action: tagPolicyMadeOf },
  },
  {
    endpoint: 'PUT /tag-policies/{policyId}',
    method: 'PUT',
    path: ({ tagPolicy }) => `${A}/tag-policies/${tagPolicy}`,
    // What it is: an allowed call changes nothing but its time of change.
    body: () => MATRIX_TAG_POLICY,
    expected: ['401', '403', '403', '200', '403'],
  },
  {
    action: 'update-tag-policy',
    sameAs: 'PUT /tag-policies/{policyId}',
    input: (_caller, { tagPolicy }) => ({
      policyId: tagPolicy,
      ...MATRIX_TAG_POLICY,
    }),
    sameAnswer: { endpoint: tagPolicyMadeOf, action: tagPolicyMadeOf },
  },
  {
    // The permission is asked first: only an admin learns that a declared policy is changed in app-config.
    endpoint: 'PUT /tag-policies/{policyId} (declared in app-config)',
    method: 'PUT',
    path: `${A}/tag-policies/${DECLARED_TAG_POLICY_ID}`,
    body: () => {
      const { id, ...fields } = DECLARED_TAG_POLICY;
      return { ...fields, required: true };
    },
    expected: ['401', '403', '403', '409', '403'],
  },
  {
    endpoint: 'DELETE /tag-policies/{policyId}',
    method: 'DELETE',
    path: ({ disposableTagPolicy }) =>
      `${A}/tag-policies/${disposableTagPolicy}`,
    disposableTagPolicy: true,
    expected: ['401', '403', '403', '204', '403'],
  },
  {
    action: 'delete-tag-policy',
    sameAs: 'DELETE /tag-policies/{policyId}',
    input: (_caller, { disposableTagPolicy }) => ({
      policyId: disposableTagPolicy,
    }),
    disposableTagPolicy: true,
    expected: ['401', '403', '403', '200', '403'],
  },
  {
    endpoint: 'DELETE /tag-policies/{policyId} (declared in app-config)',
    method: 'DELETE',
    path: `${A}/tag-policies/${DECLARED_TAG_POLICY_ID}`,
    expected: ['401', '403', '403', '409', '403'],
  },
  {
    endpoint: 'GET /tag-policies/azure',
    method: 'GET',
    path: `${A}/tag-policies/azure?subscriptionId=${SUBSCRIPTIONS.payments}`,
    expected: ['401', '200', '200', '200', '200'],
  },
  {
    action: 'list-azure-tag-policies',
    sameAs: 'GET /tag-policies/azure',
    input: () => ({ subscriptionId: SUBSCRIPTIONS.payments }),
    sameAnswer: {
      endpoint: body => body.items,
      action: output => output.items,
    },
  },
  {
    // For users, as tag edits are; each resource is the caller's to change only where it may edit its tags (its
    // entity's owners and admins). Nothing is written, so the fixes are still there for the rows that apply them.
    endpoint: 'POST /tag-fixes/preview',
    method: 'POST',
    path: `${A}/tag-fixes/preview`,
    body: caller => fixSelection(FIX_TARGETS.endpoint, caller),
    detail: previewDetail,
    expected: [
      '401',
      '200 (0 to change, 1 forbidden)',
      '200 (1 to change, 0 forbidden)',
      '200 (1 to change, 0 forbidden)',
      '403',
    ],
  },
  {
    action: 'preview-tag-fixes',
    sameAs: 'POST /tag-fixes/preview',
    input: caller => fixSelection(FIX_TARGETS.endpoint, caller),
    sameAnswer: {
      endpoint: body => ({ resources: body.resources, byKind: body.byKind }),
      action: output => ({
        resources: output.resources,
        byKind: output.byKind,
      }),
    },
  },
  {
    // A job is stored for Bob too, with his resource left out: it writes nothing to Azure.
    endpoint: 'POST /tag-fixes',
    method: 'POST',
    path: `${A}/tag-fixes`,
    body: caller => fixSelection(FIX_TARGETS.endpoint, caller),
    detail: jobDetail,
    settle: settleFixJob,
    expected: [
      '401',
      '202 (0 to apply, 1 left out)',
      '202 (1 to apply, 0 left out)',
      '202 (1 to apply, 0 left out)',
      '403',
    ],
  },
  {
    action: 'apply-tag-fixes',
    sameAs: 'POST /tag-fixes',
    // Resources of its own: the endpoint's row has applied its fixes.
    input: caller => fixSelection(FIX_TARGETS.action, caller),
    // The actions registry answers every success with 200 and the output; the same callers are admitted.
    expected: [
      '401',
      '200 (0 to apply, 1 left out)',
      '200 (1 to apply, 0 left out)',
      '200 (1 to apply, 0 left out)',
      '403',
    ],
  },
  {
    // Each user's own jobs; everyone's for who may manage tag policies.
    endpoint: 'GET /tag-fixes',
    method: 'GET',
    path: `${A}/tag-fixes`,
    expected: ['401', '200', '200', '200', '403'],
  },
  {
    // Alice's job: hers, and the admin's to see.
    endpoint: 'GET /tag-fixes/{jobId}',
    method: 'GET',
    path: ({ fixJob }) => `${A}/tag-fixes/${fixJob}`,
    expected: ['401', '403', '200', '200', '403'],
  },
  {
    action: 'get-tag-fix-job',
    sameAs: 'GET /tag-fixes/{jobId}',
    input: (_caller, { fixJob }) => ({ jobId: fixJob }),
    sameAnswer: { endpoint: body => body, action: output => output },
  },
  {
    // Alice's job has ended: a cancel leaves it as it is.
    endpoint: 'POST /tag-fixes/{jobId}/cancel',
    method: 'POST',
    path: ({ fixJob }) => `${A}/tag-fixes/${fixJob}/cancel`,
    expected: ['401', '403', '200', '200', '403'],
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

// Budgets are written to the plugin's database, and a refusal must leave them as they were: both databases.
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'the permissions matrix on %s',
  databaseId => {
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
        azureTenant: {
          budgets: {
            // Evaluated when a request changes them, not on a schedule, so that an endpoint and its action see the
            // same alerts (the worker sits out its initial delay before it runs anything, even a triggered run).
            schedule: {
              frequency: { hours: 24 },
              timeout: { minutes: 5 },
              initialDelay: { hours: 24 },
            },
            declared: [
              {
                ...PAYMENTS_BUDGET,
                id: DECLARED_BUDGET_ID,
                name: 'Payments (declared)',
              },
            ],
          },
          tagGovernance: { policies: [DECLARED_TAG_POLICY] },
        },
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
      const createBudget = async (budget: object) => {
        const created = await api.json('POST', `${A}/budgets`, 'admin', budget);
        expect(created.status).toBe(201);
        return created.body.budget.id as string;
      };
      const createTagPolicy = async (policy: object) => {
        const created = await api.json(
          'POST',
          `${A}/tag-policies`,
          'admin',
          policy,
        );
        expect(created.status).toBe(201);
        return created.body.id as string;
      };
      const tagPolicy = await createTagPolicy(MATRIX_TAG_POLICY);
      // The fixes planned are those of the resources evaluated non-compliant: wait until the declared policy's
      // violation of each resource a row fixes is stored (and the Key Vault's compliance, which a row reads).
      const targets = [
        ...Object.values(FIX_TARGETS.endpoint),
        ...Object.values(FIX_TARGETS.action),
      ];
      const violatedPolicies = async (resourceId: string) => {
        const compliance = await api.json(
          'GET',
          `${A}/tag-compliance/resource?resourceId=${encodeURIComponent(
            resourceId,
          )}`,
          'admin',
        );
        expect(compliance.status).toBe(200);
        return compliance.body.violations.map((v: any) => v.policyId);
      };
      for (const resourceId of targets) {
        await eventually(
          async () =>
            expect(await violatedPolicies(resourceId)).toContain(
              DECLARED_TAG_POLICY_ID,
            ),
          { timeoutMs: 120_000 },
        );
      }
      await eventually(() => violatedPolicies(OWNED_RESOURCE_ID), {
        timeoutMs: 120_000,
      });
      // Alice may fix her team's resources: their entities must be owned by payments.
      for (const { owner } of Object.values(FIX_TARGETS)) {
        await waitForResourceEntity(api, owner, 'group:default/payments');
      }
      // Alice's job, with nothing to change (no fix of the declared policy inherits): done at once.
      const fixJob = await api.json('POST', `${A}/tag-fixes`, 'owner', {
        policyIds: [DECLARED_TAG_POLICY_ID],
        kinds: ['inherit'],
        resourceIds: [OWNED_RESOURCE_ID],
      });
      expect(fixJob.status).toBe(202);
      const sharedContext = {
        onboardingId: started.body.onboardingId,
        budgets: {
          payments: await createBudget(PAYMENTS_BUDGET),
          platform: await createBudget(PLATFORM_BUDGET),
        },
        declaredBudget: DECLARED_BUDGET_ID,
        tagPolicy,
        fixJob: fixJob.body.id as string,
      };
      const contextOf = async (
        row: Row,
        caller: CallerName,
      ): Promise<RowContext> => {
        const succeeds =
          expectedCells(row)[CALLER_NAMES.indexOf(caller)].startsWith('2');
        return {
          ...sharedContext,
          disposableBudget:
            row.disposableBudget && succeeds
              ? await createBudget({
                  ...PAYMENTS_BUDGET,
                  name: `${rowName(row)} as ${caller} (to delete)`,
                })
              : sharedContext.budgets.payments,
          disposableTagPolicy:
            row.disposableTagPolicy && succeeds
              ? await createTagPolicy({
                  ...MATRIX_TAG_POLICY,
                  name: `${rowName(row)} as ${caller} (to delete)`,
                })
              : sharedContext.tagPolicy,
        };
      };
      // The plugin's own writes that a request may make (Azure's are in the emulator's log).
      const writtenTables = async () =>
        Object.fromEntries(
          await Promise.all(
            ['budgets', 'tag_policies', 'tag_fix_jobs', 'tag_fix_items'].map(
              async table => [
                table,
                await backend.knex(table).select().orderBy(1),
              ],
            ),
          ),
        );

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
          const context = await contextOf(row, caller);
          const logStart = emulator.control.requests().at(-1)?.seq ?? 0;
          const tablesBefore = await writtenTables();
          let response: ApiResponse;
          if (isActionRow(row)) {
            response = await api.json(
              'POST',
              `${A}/.backstage/actions/v1/actions/azure-tenant:${row.action}/invoke`,
              caller,
              row.input(caller, context),
            );
          } else {
            const rowPath =
              typeof row.path === 'string'
                ? row.path
                : row.path(context, caller);
            response = row.form
              ? await api.form(rowPath, caller, row.form)
              : await api.json(
                  row.method,
                  rowPath,
                  caller,
                  row.body?.(caller, context),
                );
          }
          responses[name][caller] = response;
          // An action's answer is the output the registry wraps it in.
          const answer = isActionRow(row)
            ? response.body?.output
            : response.body;
          // Every success has its detail: a fix job is accepted with a 202.
          const detail =
            response.status >= 200 &&
            response.status < 300 &&
            endpointRow.detail
              ? endpointRow.detail(answer)
              : undefined;
          cells[caller] = detail
            ? `${response.status} (${detail})`
            : String(response.status);
          if (response.status < 300 && endpointRow.settle) {
            await endpointRow.settle(answer, api);
          }
          // Any refusal (a conflict too), not only a denial, must leave everything as it was. Refused items of an
          // accepted request (bulk tags, a fix job's resources) write nothing to Azure; the request's own record (the
          // job) is kept.
          const refused = response.status >= 400;
          const denied =
            refused ||
            detail?.includes('403') ||
            detail?.startsWith('0 to apply');
          const writes = azureWrites(emulator.control.requests(logStart));
          if (refused) {
            const tablesAfter = await writtenTables();
            for (const [table, rows] of Object.entries(tablesAfter)) {
              if (!isDeepStrictEqual(rows, tablesBefore[table])) {
                writes.push(`${table} table changed`);
              }
            }
          }
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

      // A new endpoint or action gets its row: every operation of the API's document, every action it lists.
      const document = await api.json('GET', `${A}/openapi.json`, 'admin');
      const templateOf = (operation: string) =>
        operation.replace(/ \(.*\)$/, '').replace(/\{[^}]*\}/g, '{}');
      const endpointsWithRows = new Set(
        MATRIX.filter(row => !isActionRow(row)).map(row =>
          templateOf(rowName(row)),
        ),
      );
      const operations = apiOperations(document.body).map(templateOf);
      expect(operations.filter(op => !endpointsWithRows.has(op))).toEqual([]);
      const listed = await api.json(
        'GET',
        `${A}/.backstage/actions/v1/actions`,
        'admin',
      );
      const actionsWithRows = new Set(
        MATRIX.filter(isActionRow).map(row => `azure-tenant:${row.action}`),
      );
      expect(
        listed.body.actions
          .map((action: { id: string }) => action.id)
          .filter((id: string) => !actionsWithRows.has(id)),
      ).toEqual([]);

      expect(seen).toEqual(expected);
      expect(deniedWrites).toEqual([]);
      // The log shows an action's writes as it shows the API's: an owner's allowed tag edit reached Azure.
      expect(
        writesSeen['action azure-tenant:update-resource-tags'].owner,
      ).toEqual([
        `PATCH ${OWNED_RESOURCE_ID}/providers/Microsoft.Resources/tags/default`,
      ]);
      // An allowed fix job wrote its resource's tags to Azure, an owner's as a single tag edit does: renaming `env`
      // to `environment` is a PATCH Merge of `environment` and a PATCH Delete of `env` (the tag write path changes
      // only the keys it changes), and Azure now holds the canonical key alone.
      for (const [name, fixed] of [
        ['POST /tag-fixes', FIX_TARGETS.endpoint],
        ['action azure-tenant:apply-tag-fixes', FIX_TARGETS.action],
      ] as const) {
        for (const caller of ['owner', 'admin'] as const) {
          const tagsAt = `PATCH ${fixed[caller]}/providers/Microsoft.Resources/tags/default`;
          expect(writesSeen[name][caller]).toEqual([tagsAt, tagsAt]);
          const inAzure = emulator.control.getTags(fixed[caller]);
          expect(Object.keys(inAzure)).toContain('environment');
          expect(Object.keys(inAzure)).not.toContain('env');
        }
      }
      expect(differentAnswers).toEqual([]);
    });
  },
);
