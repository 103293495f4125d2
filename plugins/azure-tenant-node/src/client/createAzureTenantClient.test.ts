import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  AzureEmulator,
  DEMO_APP,
  DEMO_SUBSCRIPTIONS,
  DEMO_TENANT,
  startAzureEmulator,
} from '@azure-tenant/azure-emulator';
// The client is tested against the plugin it calls, not against a copy of its API.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import azureTenantPlugin from '@azure-tenant/plugin-azure-tenant-backend';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TagError } from '../schema/openapi';
import { createAzureTenantClient } from './createAzureTenantClient';
import {
  emulatorConnectionConfig,
  eventually,
} from '@azure-tenant/test-support';

jest.setTimeout(60_000);

const ALICE = 'user:default/alice';
const PLATFORM = DEMO_SUBSCRIPTIONS.platform;

let emulator: AzureEmulator;
let stateDir: string;

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-tenant-node-'));
  emulator = await startAzureEmulator({
    port: 0,
    stateDir,
    throttling: { enabled: false },
  });
  // The portal's service principal may read and tag the platform subscription.
  const principal = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
  for (const role of ['Reader', 'Tag Contributor']) {
    emulator.control.assignRole({
      scope: `/subscriptions/${PLATFORM}`,
      principalId: principal.objectId,
      role,
    });
  }
});

afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

/** The azure-tenant backend plugin with the platform subscription declared in config, and its API's address. */
async function startAzureTenantBackend(decision: AuthorizeResult) {
  const backend = await startTestBackend({
    features: [
      azureTenantPlugin,
      mockServices.database.factory(),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          backend: { baseUrl: 'http://localhost:7007' },
          azureTenant: {
            ...emulatorConnectionConfig(emulator),
            tenants: [
              {
                tenantId: DEMO_TENANT.id,
                subscriptions: [{ subscriptionId: PLATFORM }],
              },
            ],
          },
        },
      }),
      mockServices.permissions.factory({
        result: decision as AuthorizeResult.ALLOW | AuthorizeResult.DENY,
      }),
    ],
  });
  const { port } = backend.server.address() as { port: number };
  return `http://127.0.0.1:${port}/api/azure-tenant`;
}

/** The ResponseError that a call threw. */
async function responseErrorOf(call: Promise<unknown>): Promise<ResponseError> {
  const error = await call.then(
    () => {
      throw new Error('the call succeeded');
    },
    e => e,
  );
  expect(error).toBeInstanceOf(ResponseError);
  return error;
}

describe('createAzureTenantClient', () => {
  describe('with a user allowed everything', () => {
    let baseUrl: string;

    beforeAll(async () => {
      baseUrl = await startAzureTenantBackend(AuthorizeResult.ALLOW);
    });

    it('calls GET /health without credentials', async () => {
      const client = createAzureTenantClient({ baseUrl });
      await expect(client.getHealth()).resolves.toMatchObject({
        status: 'ok',
        configured: true,
      });
    });

    it('lists the tenants with a static token', async () => {
      const client = createAzureTenantClient({
        baseUrl,
        token: mockCredentials.user.token(ALICE),
      });
      const { items } = await client.listTenants();
      expect(items.map(tenant => tenant.tenantId)).toEqual([DEMO_TENANT.id]);
    });

    it('asks a token function before each call', async () => {
      const token = jest.fn(async () => mockCredentials.user.token(ALICE));
      const client = createAzureTenantClient({ baseUrl, token });
      await client.listTenants();
      await client.listSubscriptions({ query: { tenantId: DEMO_TENANT.id } });
      expect(token).toHaveBeenCalledTimes(2);
    });

    it('throws a 401 as a ResponseError when the token is not valid', async () => {
      const client = createAzureTenantClient({
        baseUrl,
        token: mockCredentials.user.invalidToken(),
      });
      const error = await responseErrorOf(client.listTenants());
      expect(error.statusCode).toBe(401);
    });

    it('throws a 400 with the API message for an invalid request', async () => {
      const client = createAzureTenantClient({
        baseUrl,
        token: mockCredentials.user.token(ALICE),
      });
      const error = await responseErrorOf(
        client.setSyncMode({
          path: { subscriptionId: PLATFORM },
          // As a script in plain JavaScript could send it.
          body: { syncMode: 'everything' as 'none' },
        }),
      );
      expect(error.statusCode).toBe(400);
      expect(error.body.error.name).toBe('InputError');
      expect(error.message).toContain(
        'request/body/syncMode must be equal to one of the allowed values',
      );
    });

    it('keeps the current tags of a 409 readable', async () => {
      const client = createAzureTenantClient({
        baseUrl,
        token: mockCredentials.user.token(ALICE),
      });
      // The subscription declared in config is synced on request; wait until its resources are stored.
      await client.requestSync({ path: { subscriptionId: PLATFORM } });
      const catalog = createAzureTenantClient({
        baseUrl,
        token: mockCredentials.service.token(),
      });
      const resourceId = await eventually(
        async () => {
          const { items } = await catalog.listCatalogResources();
          const found = items.find(
            item =>
              item.subscriptionId === PLATFORM &&
              item.resourceId.includes('/providers/'),
          )?.resourceId;
          if (!found)
            throw new Error('the platform subscription was not synced');
          return found;
        },
        { timeoutMs: 30_000 },
      );

      // Someone edits the tag in Azure after the editor read it.
      emulator.control.editTags({ resourceId, set: { env: 'staging' } });
      const error = await responseErrorOf(
        client.updateTags({
          body: {
            resourceId,
            set: { env: 'prod' },
            expected: { env: 'dev' },
          },
        }),
      );
      expect(error.statusCode).toBe(409);
      expect(error.body.error.name).toBe('ConflictError');
      const body = error.body as unknown as TagError;
      expect(body.current).toEqual({ env: 'staging' });
      expect(body.tags?.env).toBe('staging');
    });
  });

  describe('with a user denied by the permission policy', () => {
    it('throws the 403 as a ResponseError with the API message', async () => {
      const client = createAzureTenantClient({
        baseUrl: await startAzureTenantBackend(AuthorizeResult.DENY),
        token: mockCredentials.user.token(ALICE),
      });
      const error = await responseErrorOf(client.listTenants());
      expect(error.statusCode).toBe(403);
      expect(error.body.error.name).toBe('NotAllowedError');
      expect(error.body.error.message).toMatch(/^You may not see/);
      expect(error.message).toBe(
        `Request failed with 403 Forbidden: ${error.body.error.message}`,
      );
    });
  });
});
