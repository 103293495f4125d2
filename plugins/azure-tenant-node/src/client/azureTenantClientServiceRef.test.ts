import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  DefinitivePolicyDecision,
} from '@backstage/plugin-permission-common';
// The client is tested against the plugin it calls, not against a copy of its API.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import azureTenantPlugin from '@azure-tenant/plugin-azure-tenant-backend';
import Router from 'express-promise-router';
import request from 'supertest';
import { azureTenantClientServiceRef } from './azureTenantClientServiceRef';

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';

/**
 * A plugin that lists the Azure tenants through the client: for the user of the request, or on its own account.
 */
const callingPlugin = createBackendPlugin({
  pluginId: 'tenant-report',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        azureTenant: azureTenantClientServiceRef,
      },
      async init({ httpRouter, httpAuth, auth, azureTenant }) {
        const router = Router();
        router.get('/as-user', async (req, res) => {
          const client = azureTenant.forCredentials(
            await httpAuth.credentials(req),
          );
          res.json(await client.listTenants());
        });
        router.get('/as-plugin', async (_req, res) => {
          const client = azureTenant.forCredentials(
            await auth.getOwnServiceCredentials(),
          );
          res.json(await client.listTenants());
        });
        httpRouter.use(router);
      },
    });
  },
});

/** Who the azure-tenant plugin asked the permission policy about, and the policy: only Alice may read. */
function aliceOnlyPermissions() {
  const askedFor: string[] = [];
  const permissions = mockServices.permissions.mock({
    authorize: async (requests, options) => {
      const principal = options?.credentials.principal as {
        type: string;
        userEntityRef?: string;
        subject?: string;
      };
      const who = principal.userEntityRef ?? principal.subject ?? 'none';
      askedFor.push(who);
      return requests.map(
        (): DefinitivePolicyDecision => ({
          result: who === ALICE ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
        }),
      );
    },
  });
  return { askedFor, permissions };
}

// Each test starts a backend with the whole azure-tenant plugin (its migrations included): seconds on a busy machine.
jest.setTimeout(60_000);

describe('azureTenantClientServiceRef', () => {
  it('calls the azure-tenant plugin on behalf of the user of the request', async () => {
    const { askedFor, permissions } = aliceOnlyPermissions();
    const { server } = await startTestBackend({
      features: [azureTenantPlugin, callingPlugin, permissions.factory],
    });

    const alice = await request(server)
      .get('/api/tenant-report/as-user')
      .set('authorization', mockCredentials.user.header(ALICE));
    expect(alice.status).toBe(200);
    expect(alice.body).toEqual({ items: [] });
    expect(askedFor).toEqual([ALICE]);

    // Bob gets the azure-tenant plugin's 403, not the calling plugin's rights.
    const bob = await request(server)
      .get('/api/tenant-report/as-user')
      .set('authorization', mockCredentials.user.header(BOB));
    expect(bob.status).toBe(403);
    expect(bob.body.error.message).toMatch(
      /^Request failed with 403 Forbidden: You may not see/,
    );
    expect(askedFor).toEqual([ALICE, BOB]);
  });

  it('calls with the calling plugin’s own credentials only when it passes them', async () => {
    const { askedFor, permissions } = aliceOnlyPermissions();
    const { server } = await startTestBackend({
      features: [azureTenantPlugin, callingPlugin, permissions.factory],
    });

    const response = await request(server)
      .get('/api/tenant-report/as-plugin')
      .set('authorization', mockCredentials.user.header(ALICE));
    expect(response.status).toBe(403);
    expect(askedFor).toEqual(['plugin:tenant-report']);
  });
});
