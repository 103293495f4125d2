/*
 * The demo backend (src/index.ts) in a test: `createBackend()` with the same plugins and the demo's permission policy,
 * so every service is Backstage's real one (HTTP server on 127.0.0.1, discovery, database, scheduler, events, the
 * actions registry), except who the caller is: users call it with mockCredentials tokens, and their groups come
 * from the catalog, as the auth backend's sign-in puts them in a real token.
 *
 * The reliability kit (packages/reliability-kit) has its own copies of the user info and auth services below: it
 * depends on this package for the demo's policy, so this package cannot depend on it.
 */
// The demo organization is a file of the repository: `__dirname` is the way to it from test support.
/* eslint-disable no-restricted-syntax */
import net from 'node:net';
import path from 'node:path';
import {
  AuthService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createBackend } from '@backstage/backend-defaults';
import { parseEntityRef } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/config';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogLogsModule from '@backstage/plugin-catalog-backend-module-logs';
import eventsPlugin from '@backstage/plugin-events-backend';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import azureTenantPlugin from '@azure-tenant/plugin-azure-tenant-backend';
import catalogModuleAzureTenant from '@azure-tenant/plugin-catalog-backend-module-azure-tenant';
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

/**
 * User info as the auth backend resolves it at sign-in: the user and the groups its catalog entity is a member of.
 * (The test backend's default gives only the user itself, so no one would be an admin or own through a group.)
 */
export const catalogUserInfoServiceFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: { discovery: coreServices.discovery, auth: coreServices.auth },
  factory({ discovery, auth }) {
    return {
      async getUserInfo(credentials) {
        if (!auth.isPrincipal(credentials, 'user')) {
          throw new Error('User info is only available for users');
        }
        const userEntityRef = credentials.principal.userEntityRef;
        const { kind, namespace, name } = parseEntityRef(userEntityRef);
        const { token } = await auth.getPluginRequestToken({
          onBehalfOf: await auth.getOwnServiceCredentials(),
          targetPluginId: 'catalog',
        });
        const response = await fetch(
          `${await discovery.getBaseUrl(
            'catalog',
          )}/entities/by-name/${kind}/${namespace}/${name}`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        const entity = response.ok ? await response.json() : undefined;
        const groups: string[] = (entity?.relations ?? [])
          .filter((r: { type: string }) => r.type === 'memberOf')
          .map((r: { targetRef: string }) => r.targetRef);
        return {
          userEntityRef,
          ownershipEntityRefs: [userEntityRef, ...groups],
        };
      },
    };
  },
});

/**
 * The test backend's auth, except that a plugin's token on behalf of a user names the plugin as the actor, as
 * Backstage's real tokens do. (The mock's tokens drop it, and the permission backend then takes a plugin's
 * conditional checks, such as the catalog's list filters, for a user's direct requests and refuses them.)
 */
export const actorAwareAuthServiceFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): AuthService {
    const auth = mockServices.auth({ pluginId: plugin.getId() });
    return {
      authenticate: (token, options) => auth.authenticate(token, options),
      getNoneCredentials: () => auth.getNoneCredentials(),
      getOwnServiceCredentials: () => auth.getOwnServiceCredentials(),
      isPrincipal: auth.isPrincipal.bind(auth) as AuthService['isPrincipal'],
      async getPluginRequestToken(options) {
        if (auth.isPrincipal(options.onBehalfOf, 'user')) {
          return {
            token: mockCredentials.user.token(
              options.onBehalfOf.principal.userEntityRef,
              { actor: { subject: `plugin:${plugin.getId()}` } },
            ),
          };
        }
        return auth.getPluginRequestToken(options);
      },
      getLimitedUserToken: credentials => auth.getLimitedUserToken(credentials),
      listPublicServiceKeys: () => auth.listPublicServiceKeys(),
    };
  },
});

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
