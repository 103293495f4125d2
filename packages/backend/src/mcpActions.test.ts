/*
 * The demo backend's MCP server (@backstage/plugin-mcp-actions-backend), driven by a real MCP client
 * (@modelcontextprotocol/sdk) as an AI agent would: the Azure tenant actions are listed with their input schemas,
 * and each call runs with the caller's own token against the demo's permission policy, Azure being the emulator.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  AzureEmulator,
  DEMO_APP,
  DEMO_SUBSCRIPTIONS,
  DEMO_TENANT,
  DEMO_USER,
  EmulatorFixture,
  startAzureEmulator,
} from '@azure-tenant/azure-emulator';
import { azureResourceEntityName } from '@azure-tenant/plugin-azure-tenant-common';
import {
  DEMO_USERS,
  DemoTestBackend,
  startDemoTestBackend,
} from './__testUtils__/demoTestBackend';
import {
  emulatorConnectionConfig,
  eventually,
} from '@azure-tenant/test-support';

// Starting the backend and waiting for the catalog to own the resources takes most of it, on 2 busy cores.
jest.setTimeout(180_000);

/** Under `read-write-tags`: tag edits are written to Azure. */
const READ_WRITE = DEMO_SUBSCRIPTIONS.payments;
/** Under `read-tags`: tag edits stay in the portal. */
const READ_TAGS = DEMO_SUBSCRIPTIONS.dataEurope;

/** Owner tag `payments`: the catalog gives it to group:default/payments, Alice's group. */
const PAYMENTS_VAULT = `/subscriptions/${READ_WRITE}/resourceGroups/rg-payments-checkout-prod/providers/Microsoft.KeyVault/vaults/kv-checkout-001`;
/** Owner tag `team-platform`: not Alice's. */
const PLATFORM_STORAGE = `/subscriptions/${READ_WRITE}/resourceGroups/rg-payments-checkout-prod/providers/Microsoft.Storage/storageAccounts/stplatform001`;
/** Owner tag `team-payments` (the catalog module drops the `team-` prefix): Alice's group again. */
const PAYMENTS_LAKE = `/subscriptions/${READ_TAGS}/resourceGroups/rg-data-lake-weu/providers/Microsoft.Storage/storageAccounts/stpaymentslake001`;

const TAGS_PATH = /\/providers\/Microsoft\.Resources\/tags\/default$/i;

/** The demo tenant with two small subscriptions, so that the catalog owns every resource within seconds. */
function mcpFixture(): EmulatorFixture {
  return {
    tenants: [
      {
        id: DEMO_TENANT.id,
        displayName: DEMO_TENANT.displayName,
        users: [DEMO_USER],
      },
    ],
    apps: [DEMO_APP],
    subscriptions: [
      {
        subscriptionId: READ_WRITE,
        tenantId: DEMO_TENANT.id,
        displayName: 'Contoso Payments',
        resourceGroups: [
          { name: 'rg-payments-checkout-prod', location: 'westeurope' },
        ],
        resources: [
          {
            type: 'Microsoft.KeyVault/vaults',
            name: 'kv-checkout-001',
            resourceGroup: 'rg-payments-checkout-prod',
            location: 'westeurope',
            tags: { owner: 'payments', env: 'prod' },
          },
          {
            type: 'Microsoft.Storage/storageAccounts',
            name: 'stplatform001',
            resourceGroup: 'rg-payments-checkout-prod',
            location: 'westeurope',
            tags: { owner: 'team-platform' },
          },
        ],
      },
      {
        subscriptionId: READ_TAGS,
        tenantId: DEMO_TENANT.id,
        displayName: 'Contoso Data Europe',
        resourceGroups: [{ name: 'rg-data-lake-weu', location: 'westeurope' }],
        resources: [
          {
            type: 'Microsoft.Storage/storageAccounts',
            name: 'stpaymentslake001',
            resourceGroup: 'rg-data-lake-weu',
            location: 'westeurope',
            tags: { owner: 'team-payments', env: 'test' },
          },
        ],
      },
    ],
  };
}

let stateDir: string;
let emulator: AzureEmulator;
let backend: DemoTestBackend;
const clients: Client[] = [];

/** The catalog entity of an Azure resource, as the admin sees it, or undefined while there is none. */
async function resourceEntity(resourceId: string): Promise<Entity | undefined> {
  const response = await fetch(
    `${
      backend.baseUrl
    }/api/catalog/entities/by-name/resource/default/${azureResourceEntityName(
      resourceId,
    )}`,
    {
      headers: { authorization: mockCredentials.user.header(DEMO_USERS.admin) },
    },
  );
  return response.ok ? response.json() : undefined;
}

/** An MCP client connected to the demo backend's MCP server with `token` as its bearer token. */
async function connect(token: string): Promise<Client> {
  const client = new Client({ name: 'azure-tenant-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(
    new URL(`${backend.baseUrl}/api/mcp-actions/v1`),
    { requestInit: { headers: { authorization: `Bearer ${token}` } } },
  );
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** Connects as `userEntityRef`, calls one tool and returns its result: the text, the structured output, isError. */
async function callTool(
  userEntityRef: string,
  name: string,
  args: Record<string, unknown>,
) {
  const client = await connect(mockCredentials.user.token(userEntityRef));
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as Array<{ type: string; text?: string }>;
  return {
    isError: result.isError === true,
    text: content.map(c => c.text ?? '').join('\n'),
    output: result.structuredContent as any,
  };
}

/** The emulator's requests since `mark` that change tags: what the portal wrote to Azure. */
function tagWritesSince(mark: number) {
  return emulator.control
    .requests(mark)
    .filter(r => r.method !== 'GET' && TAGS_PATH.test(r.path))
    .map(r => `${r.method} ${r.path}`);
}

function logMark(): number {
  return emulator.control.requests().at(-1)?.seq ?? 0;
}

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-emulator-mcp-'));
  emulator = await startAzureEmulator({
    port: 0,
    stateDir,
    fixture: mcpFixture(),
    throttling: { enabled: false },
  });
  // The portal's service principal holds the roles that onboarding would have given it.
  const principal = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
  for (const subscriptionId of [READ_WRITE, READ_TAGS]) {
    for (const role of ['Reader', 'Tag Contributor']) {
      emulator.control.assignRole({
        scope: `/subscriptions/${subscriptionId}`,
        principalId: principal.objectId,
        role,
      });
    }
  }

  backend = await startDemoTestBackend({
    azureTenant: {
      ...emulatorConnectionConfig(emulator),
      tenants: [
        {
          tenantId: DEMO_TENANT.id,
          subscriptions: [
            { subscriptionId: READ_WRITE, syncMode: 'read-write-tags' },
            { subscriptionId: READ_TAGS, syncMode: 'read-tags' },
          ],
        },
      ],
      // The first sync runs at startup; nothing else is scheduled during the test.
      sync: { frequency: { hours: 24 } },
      spend: {
        schedule: {
          frequency: { hours: 24 },
          timeout: { minutes: 5 },
          initialDelay: { hours: 1 },
        },
      },
    },
  });

  // Ownership is what the permission checks of tag edits read: wait until the catalog has resolved each owner tag.
  for (const [resourceId, owner] of [
    [PAYMENTS_VAULT, 'group:default/payments'],
    [PLATFORM_STORAGE, 'group:default/platform'],
    [PAYMENTS_LAKE, 'group:default/payments'],
  ]) {
    await eventually(
      async () => {
        const entity = await resourceEntity(resourceId);
        if (entity?.spec?.owner !== owner) {
          throw new Error(
            `${resourceId} is owned by ${entity?.spec?.owner} in the catalog, not ${owner}`,
          );
        }
      },
      { timeoutMs: 120_000 },
    );
  }
});

afterAll(async () => {
  await Promise.all(clients.map(client => client.close()));
  await backend?.stop();
  await emulator?.stop();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe('the MCP server of the demo backend', () => {
  it('refuses a client without a Backstage token', async () => {
    const client = new Client({ name: 'anonymous', version: '1.0.0' });
    await expect(
      client.connect(
        new StreamableHTTPClientTransport(
          new URL(`${backend.baseUrl}/api/mcp-actions/v1`),
        ),
      ),
    ).rejects.toThrow(/401/);
  });

  it('lists the Azure tenant actions with their input schemas', async () => {
    const client = await connect(mockCredentials.user.token(DEMO_USERS.user));
    const { tools } = await client.listTools();
    const byName = new Map(tools.map(tool => [tool.name, tool]));

    // Tool names are namespaced by plugin id, as the MCP server does by default.
    expect(
      tools
        .map(tool => tool.name)
        .filter(name => name.startsWith('azure-tenant.'))
        .sort(),
    ).toEqual(
      [
        'apply-tag-fixes',
        'create-budget',
        'create-tag-policy',
        'delete-budget',
        'delete-tag-policy',
        'find-resources',
        'get-resource-tags',
        'get-savings',
        'get-showback',
        'get-spend',
        'get-tag-compliance',
        'get-tag-fix-job',
        'list-azure-budgets',
        'list-azure-tag-policies',
        'list-budget-alerts',
        'list-budgets',
        'list-subscriptions',
        'list-tag-compliance',
        'list-tag-policies',
        'list-tenants',
        'mute-budget',
        'preview-tag-fixes',
        'request-subscription-sync',
        'set-subscription-sync-mode',
        'update-budget',
        'update-resource-tags',
        'update-tag-policy',
      ].map(name => `azure-tenant.${name}`),
    );
    // The catalog's own actions come too (backend.actions.pluginSources).
    expect(byName.has('catalog.get-catalog-entity')).toBe(true);

    const update = byName.get('azure-tenant.update-resource-tags')!;
    expect(update.inputSchema.properties).toEqual(
      expect.objectContaining({
        resourceId: expect.anything(),
        set: expect.anything(),
        remove: expect.anything(),
        expected: expect.anything(),
      }),
    );
    expect(update.inputSchema.required).toEqual(['resourceId']);
    expect(update.description).toMatch(/^Writes /);
    expect(update.annotations?.readOnlyHint).toBe(false);
    const list = byName.get('azure-tenant.list-subscriptions')!;
    expect(list.annotations?.readOnlyHint).toBe(true);
    expect(
      byName.get('azure-tenant.set-subscription-sync-mode')!.inputSchema
        .required,
    ).toEqual(expect.arrayContaining(['subscriptionId', 'syncMode']));
  });

  it('lists the subscriptions, with their sync modes, to an ordinary user', async () => {
    const { isError, text, output } = await callTool(
      DEMO_USERS.user,
      'azure-tenant.list-subscriptions',
      {},
    );
    expect({ isError, text: isError ? text : '' }).toEqual({
      isError: false,
      text: '',
    });
    const modes = Object.fromEntries(
      output.subscriptions.map((s: any) => [s.subscriptionId, s.syncMode]),
    );
    expect(modes).toEqual({
      [READ_WRITE]: 'read-write-tags',
      [READ_TAGS]: 'read-tags',
    });
  });

  it('finds the resources a group owns, through the catalog, for an ordinary user', async () => {
    const { isError, text, output } = await callTool(
      DEMO_USERS.user,
      'azure-tenant.find-resources',
      { owner: 'group:default/payments' },
    );
    expect({ isError, text: isError ? text : '' }).toEqual({
      isError: false,
      text: '',
    });
    expect(output.resources.map((r: any) => r.resourceId).sort()).toEqual(
      [PAYMENTS_VAULT, PAYMENTS_LAKE].sort(),
    );
  });

  it("refuses an ordinary user's sync mode change with the API's sentence, and the mode stays", async () => {
    const refused = await callTool(
      DEMO_USERS.user,
      'azure-tenant.set-subscription-sync-mode',
      { subscriptionId: READ_WRITE, syncMode: 'none' },
    );
    expect(refused.isError).toBe(true);
    expect(refused.text).toBe(
      'NotAllowedError: You may not change the sync mode of this subscription',
    );

    // The owner of resources in it is no admin either.
    const byOwner = await callTool(
      DEMO_USERS.owner,
      'azure-tenant.set-subscription-sync-mode',
      { subscriptionId: READ_WRITE, syncMode: 'none' },
    );
    expect(byOwner.text).toBe(
      'NotAllowedError: You may not change the sync mode of this subscription',
    );

    const { output } = await callTool(
      DEMO_USERS.admin,
      'azure-tenant.list-subscriptions',
      {},
    );
    expect(
      output.subscriptions.find((s: any) => s.subscriptionId === READ_WRITE)
        .syncMode,
    ).toBe('read-write-tags');
  });

  it('lets an admin set a sync mode', async () => {
    const { isError, text, output } = await callTool(
      DEMO_USERS.admin,
      'azure-tenant.set-subscription-sync-mode',
      { subscriptionId: READ_TAGS, syncMode: 'read-tags' },
    );
    expect({ isError, text: isError ? text : '' }).toEqual({
      isError: false,
      text: '',
    });
    expect(output).toMatchObject({
      subscriptionId: READ_TAGS,
      syncMode: 'read-tags',
    });
  });

  it("writes the owner's tag edit on a read-write-tags subscription to Azure", async () => {
    const mark = logMark();
    const { isError, text, output } = await callTool(
      DEMO_USERS.owner,
      'azure-tenant.update-resource-tags',
      {
        resourceId: PAYMENTS_VAULT,
        set: { costCenter: 'CC-4242' },
        expected: { costCenter: null },
      },
    );
    expect({ isError, text: isError ? text : '' }).toEqual({
      isError: false,
      text: '',
    });
    expect(output).toMatchObject({
      outcome: 'written',
      syncMode: 'read-write-tags',
      tags: { owner: 'payments', env: 'prod', costCenter: 'CC-4242' },
    });
    expect(tagWritesSince(mark)).toEqual([
      `PATCH ${PAYMENTS_VAULT}/providers/Microsoft.Resources/tags/default`,
    ]);
    expect(emulator.control.getTags(PAYMENTS_VAULT)).toEqual({
      owner: 'payments',
      env: 'prod',
      costCenter: 'CC-4242',
    });

    // The read action shows what Azure now holds.
    const read = await callTool(
      DEMO_USERS.owner,
      'azure-tenant.get-resource-tags',
      { resourceId: PAYMENTS_VAULT, live: true },
    );
    expect(read.output).toMatchObject({
      canEdit: true,
      liveTags: { costCenter: 'CC-4242' },
    });
  });

  it('refuses a tag edit on a resource the caller does not own, and sends Azure nothing', async () => {
    const mark = logMark();
    const refused = await callTool(
      DEMO_USERS.owner,
      'azure-tenant.update-resource-tags',
      { resourceId: PLATFORM_STORAGE, set: { costCenter: 'CC-4242' } },
    );
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(
      /^NotAllowedError: You may not edit the tags of resource:default\//,
    );
    expect(tagWritesSince(mark)).toEqual([]);
    expect(emulator.control.getTags(PLATFORM_STORAGE)).toEqual({
      owner: 'team-platform',
    });
  });

  it("keeps the owner's tag edit on a read-tags subscription in the portal, and sends Azure nothing", async () => {
    const mark = logMark();
    const { isError, text, output } = await callTool(
      DEMO_USERS.owner,
      'azure-tenant.update-resource-tags',
      { resourceId: PAYMENTS_LAKE, set: { costCenter: 'CC-7' } },
    );
    expect({ isError, text: isError ? text : '' }).toEqual({
      isError: false,
      text: '',
    });
    expect(output).toMatchObject({
      outcome: 'portal-only',
      syncMode: 'read-tags',
      portalTags: { costCenter: 'CC-7' },
    });
    expect(tagWritesSince(mark)).toEqual([]);
    expect(emulator.control.getTags(PAYMENTS_LAKE)).toEqual({
      owner: 'team-payments',
      env: 'test',
    });
  });
});
