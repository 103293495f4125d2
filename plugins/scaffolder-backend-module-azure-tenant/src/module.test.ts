import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { parseEntityYaml } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  AzureEmulator,
  DEMO_APP,
  DEMO_SUBSCRIPTIONS,
  DEMO_TENANT,
  startAzureEmulator,
} from '@azure-tenant/azure-emulator';
import { azureTenantTagsUpdatePermission } from '@azure-tenant/plugin-azure-tenant-common';
// The test runs the real plugin that the action calls, in the same backend as the scaffolder.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import azureTenantPlugin from '@azure-tenant/plugin-azure-tenant-backend';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { scaffolderModuleAzureTenant } from './module';
import {
  emulatorConnectionConfig,
  eventually,
} from '@azure-tenant/test-support';

jest.setTimeout(120_000);

const TEMPLATE_FILE = path.resolve(
  __dirname,
  '../../../docs/examples/azure-tags-template.yaml',
);
const TEMPLATE_REF = 'template:default/azure-tag-resources';
const ALICE = 'user:default/alice';
const { platform: PLATFORM, payments: PAYMENTS } = DEMO_SUBSCRIPTIONS;

let emulator: AzureEmulator;
let stateDir: string;

/** The example template, as the catalog reads it from docs/examples. */
function exampleTemplate() {
  const location = { type: 'file', target: TEMPLATE_FILE };
  for (const result of parseEntityYaml(
    fs.readFileSync(TEMPLATE_FILE),
    location,
  )) {
    if (result.type === 'entity') {
      return {
        ...result.entity,
        metadata: { namespace: 'default', ...result.entity.metadata },
      };
    }
    if (result.type === 'error') throw result.error;
  }
  throw new Error(`No entity in ${TEMPLATE_FILE}`);
}

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-tags-template-'));
  emulator = await startAzureEmulator({
    port: 0,
    stateDir,
    throttling: { enabled: false },
  });
});

afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

/** Resources "created by the template" just now: in Azure, not yet synced by the portal. */
function createResources() {
  emulator.control.reset();
  const principal = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
  for (const subscriptionId of [PLATFORM, PAYMENTS]) {
    for (const role of ['Reader', 'Tag Contributor']) {
      emulator.control.assignRole({
        scope: `/subscriptions/${subscriptionId}`,
        principalId: principal.objectId,
        role,
      });
    }
  }
  const resource = (subscriptionId: string) =>
    emulator.control.addResource({
      subscriptionId,
      resourceGroup: 'rg-checkout',
      type: 'Microsoft.Web/sites',
      name: 'app-checkout',
      location: 'westeurope',
    }).id;
  return { written: resource(PLATFORM), portalOnly: resource(PAYMENTS) };
}

/**
 * The scaffolder, this module and the Azure tenant plugin in one backend, on the emulator: platform syncs tags both
 * ways, payments only reads them. The permission decisions are recorded with whom they were asked for.
 */
async function startBackend(options: { mayEditTags?: boolean } = {}) {
  const permissionCalls: Array<{ permission: string; principal: any }> = [];
  const permissions = mockServices.permissions.mock({
    async authorize(requests, { credentials }) {
      return requests.map(r => {
        permissionCalls.push({
          permission: r.permission.name,
          principal: credentials.principal,
        });
        const denied =
          options.mayEditTags === false &&
          r.permission.name === azureTenantTagsUpdatePermission.name;
        const decision: {
          result: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
        } = { result: denied ? AuthorizeResult.DENY : AuthorizeResult.ALLOW };
        return decision;
      });
    },
    async authorizeConditional(requests) {
      return requests.map(() => {
        const decision: { result: AuthorizeResult.ALLOW } = {
          result: AuthorizeResult.ALLOW,
        };
        return decision;
      });
    },
  });
  const backend = await startTestBackend({
    features: [
      scaffolderPlugin,
      scaffolderModuleAzureTenant,
      azureTenantPlugin,
      catalogServiceMock.factory({ entities: [exampleTemplate()] }),
      permissions.factory,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          backend: { baseUrl: 'http://localhost:7007' },
          azureTenant: {
            ...emulatorConnectionConfig(emulator),
            tenants: [
              {
                tenantId: DEMO_TENANT.id,
                subscriptions: [
                  { subscriptionId: PLATFORM, syncMode: 'read-write-tags' },
                  { subscriptionId: PAYMENTS, syncMode: 'read-tags' },
                ],
              },
            ],
          },
        },
      }),
    ],
  });
  const { port } = backend.server.address() as { port: number };
  return { api: apiAs(`http://127.0.0.1:${port}/api`), permissionCalls };
}

/** Calls the backend's API as Alice; answers the status and the JSON body. */
function apiAs(baseUrl: string) {
  return async (
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${baseUrl}${url}`, {
      method,
      headers: {
        authorization: mockCredentials.user.header(ALICE),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: await response.json() };
  };
}

type Api = ReturnType<typeof apiAs>;

/** Creates a task of the example template as Alice, and waits for it to end. */
async function runTemplate(api: Api, values: Record<string, unknown>) {
  const created = await api('POST', '/scaffolder/v2/tasks', {
    templateRef: TEMPLATE_REF,
    values,
  });
  expect(created.status).toBe(201);
  const taskId = created.body.id as string;
  const status = await eventually(
    async () => {
      const task = await api('GET', `/scaffolder/v2/tasks/${taskId}`);
      expect(task.status).toBe(200);
      if (['open', 'processing'].includes(task.body.status)) {
        throw new Error(`task ${taskId} still ${task.body.status}`);
      }
      return task.body.status as string;
    },
    { timeoutMs: 90_000 },
  );
  const events = await api('GET', `/scaffolder/v2/tasks/${taskId}/events`);
  return {
    status,
    log: (events.body as any[])
      .map(e => e.body?.message)
      .filter(Boolean)
      .join('\n'),
    output: (events.body as any[]).find(e => e.type === 'completion')?.body
      ?.output,
  };
}

/** Tag writes the emulator received for a resource (ARM's PATCH of its tags). */
function tagWrites(resourceId: string): string[] {
  return emulator.control
    .requests()
    .filter(
      r =>
        !['GET', 'HEAD'].includes(r.method) &&
        r.path.toLowerCase().startsWith(resourceId.toLowerCase()),
    )
    .map(r => `${r.method} ${r.path}`);
}

describe('the example template (docs/examples/azure-tags-template.yaml)', () => {
  it('tags the resources it was given with the owner: written to Azure under read-write-tags, kept portal-only under read-tags', async () => {
    const { written, portalOnly } = createResources();
    const { api, permissionCalls } = await startBackend();

    // Created moments ago: the portal has not synced them, so the action must have its sync requested.
    const before = await api(
      'GET',
      `/azure-tenant/tags?resourceId=${encodeURIComponent(written)}`,
    );
    expect(before.status).toBe(404);
    emulator.control.clearRequests();

    const task = await runTemplate(api, {
      name: 'checkout',
      owner: 'group:default/payments-team',
      resourceIds: [written, portalOnly],
      environment: 'staging',
    });
    expect(task.log).not.toMatch(/not tagged/);
    expect(task.status).toBe('completed');

    // platform (read-write-tags): a tag PATCH reached Azure, and Azure now holds the owner by the name the catalog
    // resolves (a group's name, not its entity ref).
    expect(tagWrites(written)).toEqual([
      `PATCH ${written}/providers/Microsoft.Resources/tags/default`,
    ]);
    expect(emulator.control.getTags(written)).toEqual({
      owner: 'payments-team',
      component: 'checkout',
      environment: 'staging',
    });

    // payments (read-tags): nothing was sent to Azure; the portal keeps the tags as portal-only ones.
    expect(tagWrites(portalOnly)).toEqual([]);
    expect(emulator.control.getTags(portalOnly)).toEqual({});
    const kept = await api(
      'GET',
      `/azure-tenant/tags?resourceId=${encodeURIComponent(portalOnly)}`,
    );
    expect(kept.status).toBe(200);
    expect(kept.body.portalTags).toEqual({
      owner: 'payments-team',
      component: 'checkout',
      environment: 'staging',
    });

    // What the template shows its user, per resource.
    expect(task.output.text[0].content).toContain(
      `${written}: written to Azure`,
    );
    expect(task.output.text[0].content).toContain(
      `${portalOnly}: kept in the portal as portal-only tags (read-tags)`,
    );

    // The plugin decided for Alice, who ran the template, and never for the scaffolder.
    const tagDecisions = permissionCalls.filter(
      c => c.permission === azureTenantTagsUpdatePermission.name,
    );
    expect(tagDecisions.length).toBeGreaterThan(0);
    for (const decision of tagDecisions) {
      expect(decision.principal).toMatchObject({
        type: 'user',
        userEntityRef: ALICE,
      });
    }
  });

  it('fails, naming each resource and why, and writes nothing when the initiator may not edit the tags', async () => {
    const { written, portalOnly } = createResources();
    const { api } = await startBackend({ mayEditTags: false });
    emulator.control.clearRequests();

    const task = await runTemplate(api, {
      name: 'checkout',
      owner: 'group:default/payments-team',
      resourceIds: [written, portalOnly],
    });

    expect(task.status).toBe('failed');
    expect(task.log).toContain('2 of 2 Azure resources were not tagged');
    expect(task.log).toContain(
      `${written}: 403 You may not edit the tags of resource:default/`,
    );
    expect(task.log).toContain(`${portalOnly}: 403 You may not edit`);
    expect(tagWrites(written)).toEqual([]);
    expect(emulator.control.getTags(written)).toEqual({});
  });

  it('fails soon after the sync it requested finishes without a resource, and still tags the others', async () => {
    const { written } = createResources();
    const missing = `/subscriptions/${PLATFORM}/resourceGroups/rg-checkout/providers/Microsoft.Web/sites/app-never-created`;
    const { api } = await startBackend();

    const startedAt = Date.now();
    const task = await runTemplate(api, {
      name: 'checkout',
      owner: 'group:default/payments-team',
      resourceIds: [written, missing],
    });

    // The template waits up to 300 s; the finished sync ends the wait long before.
    expect(Date.now() - startedAt).toBeLessThan(60_000);
    expect(task.status).toBe('failed');
    expect(task.log).toContain(
      '1 of 2 Azure resources were not tagged (the other 1 were, as listed)',
    );
    expect(task.log).toContain(
      `${missing}: 404 The sync of subscription ${PLATFORM} that this task requested finished at`,
    );
    expect(emulator.control.getTags(written)).toMatchObject({
      owner: 'payments-team',
    });
  });

  it('says in a dry run what each resource would get, and writes nothing and requests no sync', async () => {
    const { written, portalOnly } = createResources();
    const { api } = await startBackend();
    // The two resources are synced; a third is not yet.
    const sync = await api(
      'POST',
      `/azure-tenant/subscriptions/${PLATFORM}/sync`,
    );
    expect(sync.status).toBe(202);
    const unsynced = emulator.control.addResource({
      subscriptionId: PLATFORM,
      resourceGroup: 'rg-checkout',
      type: 'Microsoft.Web/sites',
      name: 'app-checkout-worker',
    }).id;
    emulator.control.clearRequests();

    const dryRun = await api('POST', '/scaffolder/v2/dry-run', {
      template: exampleTemplate(),
      values: {
        name: 'checkout',
        owner: 'group:default/payments-team',
        resourceIds: [written, portalOnly, unsynced],
      },
      directoryContents: [],
    });

    expect(dryRun.status).toBe(200);
    const log = (dryRun.body.log as any[]).map(e => e.body?.message).join('\n');
    expect(log).toContain(`${written}: would be written to Azure`);
    expect(log).toContain(
      `${portalOnly}: would be kept in the portal as portal-only tags (read-tags)`,
    );
    expect(log).toContain(
      `${unsynced}: not synced yet: a real run would request its subscription’s sync and wait for it`,
    );
    // Nothing reached Azure: no tag write, and no sync reading the subscription.
    expect(
      emulator.control
        .requests()
        .filter(r => r.path.toLowerCase().startsWith('/subscriptions/'))
        .map(r => `${r.method} ${r.path}`),
    ).toEqual([]);
    expect(emulator.control.getTags(written)).toEqual({});
    const tags = await api(
      'GET',
      `/azure-tenant/tags?resourceId=${encodeURIComponent(portalOnly)}`,
    );
    expect(tags.body.portalTags).toEqual({});
  });
});
