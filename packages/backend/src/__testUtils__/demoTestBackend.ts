/*
 * The demo backend (src/index.ts) in a test: `createBackend()` with the same plugins and the demo's permission policy,
 * so every service is Backstage's real one (HTTP server on 127.0.0.1, discovery, database, scheduler, events, the
 * actions registry), except who the caller is: users call it with mockCredentials tokens, and their groups come
 * from the catalog, as the auth backend's sign-in puts them in a real token (test-support's user info and auth
 * services, which the reliability kit's test backends use too).
 */
// The demo organization is a file of the repository: `__dirname` is the way to it from test support.
/* eslint-disable no-restricted-syntax */
import net from 'node:net';
import path from 'node:path';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createBackend } from '@backstage/backend-defaults';
import { JsonObject } from '@backstage/config';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogLogsModule from '@backstage/plugin-catalog-backend-module-logs';
import eventsPlugin from '@backstage/plugin-events-backend';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import azureTenantPlugin from '@azure-tenant/plugin-azure-tenant-backend';
import catalogModuleAzureTenant from '@azure-tenant/plugin-catalog-backend-module-azure-tenant';
import {
  actorAwareAuthServiceFactory,
  catalogUserInfoServiceFactory,
} from '@azure-tenant/test-support';
import { demoPermissionPolicyModule } from '../permissionPolicy';

/** The demo organization (examples/org.yaml): its users and groups. */
export const DEMO_ORG_FILE = path.resolve(
  __dirname,
  '../../../../examples/org.yaml',
);

/** Users of the demo organization that tests sign in as. */
export const DEMO_USERS = {
  /** Member of azure-admins, the demo policy's admins (and of platform). */
  admin: 'user:default/guest',
  /** Member of payments: owns what the catalog gives to group:default/payments. */
  owner: 'user:default/alice',
  /** Signed in, but in no group of the catalog: owns nothing and is no admin. */
  user: 'user:default/bob',
};

/** A free TCP port on 127.0.0.1, for a backend that must know its base URL before it listens. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Options of {@link startDemoTestBackend}. */
export interface DemoTestBackendOptions {
  /** The `azureTenant` config: the connection to the emulator and the tenants declared. */
  azureTenant: JsonObject;
}

/** A running {@link startDemoTestBackend}. */
export interface DemoTestBackend {
  /** `http://127.0.0.1:{port}`, the backend's base URL. */
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the demo backend's plugins with the demo's permission policy, its actions config and the MCP server, the
 * demo organization in the catalog, and the Azure tenant entity provider polling every second.
 */
export async function startDemoTestBackend(
  options: DemoTestBackendOptions,
): Promise<DemoTestBackend> {
  const port = await freeLoopbackPort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config: JsonObject = {
    app: { baseUrl: 'http://localhost:3000' },
    backend: {
      baseUrl,
      listen: { host: '127.0.0.1', port },
      database: { client: 'better-sqlite3', connection: ':memory:' },
      // As app-config.yaml: the actions the MCP server offers.
      actions: { pluginSources: ['catalog', 'azure-tenant'] },
    },
    mcpActions: { name: 'Azure Tenant for Backstage (test)' },
    // One backend: events stay in the process. (Through the events plugin's bus, its long polls would hold the
    // backend's shutdown for most of a minute.)
    events: { useEventBus: 'never' },
    catalog: {
      processingInterval: { seconds: 1 },
      rules: [{ allow: ['Resource', 'User', 'Group'] }],
      locations: [{ type: 'file', target: DEMO_ORG_FILE }],
      providers: {
        azureTenant: {
          defaultOwner: 'group:default/azure-admins',
          schedule: { frequency: { seconds: 1 }, timeout: { minutes: 1 } },
        },
      },
    },
    permission: {
      enabled: true,
      demoPolicy: { adminEntityRefs: ['group:default/azure-admins'] },
    },
    azureTenant: options.azureTenant,
  };
  const backend = createBackend();
  // The demo backend's plugins (src/index.ts), but for sign-in: tests bring their users' tokens.
  backend.add(catalogPlugin);
  backend.add(catalogLogsModule);
  backend.add(eventsPlugin);
  backend.add(permissionPlugin);
  backend.add(demoPermissionPolicyModule);
  backend.add(azureTenantPlugin);
  backend.add(catalogModuleAzureTenant);
  backend.add(mcpActionsPlugin);
  // Everything else is Backstage's real services, as in the demo, but for config, logs and who the caller is.
  backend.add(mockServices.rootConfig.factory({ data: config }));
  backend.add(mockServices.rootLogger.factory());
  // A request without a token is unauthenticated; a mockCredentials token names its user.
  backend.add(
    mockServices.httpAuth.factory({
      defaultCredentials: mockCredentials.none(),
    }),
  );
  backend.add(actorAwareAuthServiceFactory);
  backend.add(catalogUserInfoServiceFactory);
  await backend.start();
  return { baseUrl, stop: () => backend.stop() };
}
