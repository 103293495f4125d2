/*
 * The reliability and security suite's shared setup: the Azure emulator with a small copy of the demo tenant (and a
 * tenant the portal never onboards), and a whole demo backend on one database: the catalog with the demo
 * organization, the permission backend with the demo portal's real policy, events, the Azure tenant plugin and its
 * catalog module, Backstage's real database manager, scheduler and auditor. Servers listen on 127.0.0.1 only.
 *
 * Exports are used by other parts of the suite: keep them stable.
 *
 * This module is test support (only *.test.ts files import it): it may use the package's devDependencies and
 * `__dirname`, which the lint rules allow only in files named like tests.
 */
/* eslint-disable @backstage/no-undeclared-imports, no-restricted-syntax */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  AuthService,
  coreServices,
  createBackendModule,
  createServiceFactory,
  RootLoggerService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { parseEntityRef } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { auditorServiceFactory } from '@backstage/backend-defaults/auditor';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { HostDiscovery } from '@backstage/backend-defaults/discovery';
import { ExtendedHttpServer } from '@backstage/backend-defaults/rootHttpRouter';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import eventsPlugin from '@backstage/plugin-events-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import azureTenantPlugin from '@azure-tenant/plugin-azure-tenant-backend';
import catalogModuleAzureTenant from '@azure-tenant/plugin-catalog-backend-module-azure-tenant';
import {
  AzureEmulator,
  AzureEmulatorOptions,
  DEMO_APP,
  DEMO_FIXTURE_PATH,
  DEMO_TENANT,
  EmulatorFixture,
  RequestLogEntry,
  startAzureEmulator,
} from '@azure-tenant/azure-emulator';
import knexFactory, { Knex } from 'knex';
import { demoPermissionPolicyModule } from 'backend/src/permissionPolicy';

/** The demo tenant's subscriptions (packages/azure-emulator/fixtures/demo.json). */
export const SUBSCRIPTIONS = {
  /** The demo user is Owner: onboarding registers it. */
  platform: '3f8c2a41-6d7e-4b59-9c1a-2e5f7d8b9a01',
  /** The demo user is Owner: onboarding registers it. */
  payments: '8d4e1b72-5a3c-4f6e-b2d9-7c1e3a5f9b02',
  /** The demo user is only Reader: onboarding skips it. */
  dataEurope: 'c5a7e3d9-1f2b-4c8a-9e6d-4b3a2c1d0e03',
};

/** The demo tenant. */
export const TENANT_ID = DEMO_TENANT.id;

/** A second tenant in the emulator, with one subscription and one resource, that the portal never onboards. */
export const FOREIGN = {
  tenantId: 'a1b2c3d4-0000-4e5f-8a9b-0c1d2e3f4a5b',
  subscriptionId: 'f0e1d2c3-b4a5-4968-8776-655443322110',
  resourceGroup: 'rg-foreign',
  resourceId:
    '/subscriptions/f0e1d2c3-b4a5-4968-8776-655443322110/resourceGroups/rg-foreign/providers/Microsoft.Storage/storageAccounts/stforeign001',
};

/** A resource of the payments subscription owned (owner tag `payments`) by the catalog group payments, Alice's. */
export const OWNED_RESOURCE_ID = `/subscriptions/${SUBSCRIPTIONS.payments}/resourceGroups/rg-payments-checkout-prod/providers/Microsoft.KeyVault/vaults/kv-checkout-001`;

/** Resources kept per subscription in the suite's copy of the demo fixture. */
export const RESOURCES_PER_SUBSCRIPTION = 8;

/** The users of the demo organization (examples/org.yaml) that the suite signs in as. */
export const USERS = {
  /** Member of azure-admins (the policy's admins) and platform. */
  admin: 'user:default/guest',
  /** Member of payments, which owns {@link OWNED_RESOURCE_ID}. */
  owner: 'user:default/alice',
  /** Signed in, in no group: owns nothing, is no admin. */
  user: 'user:default/bob',
};

/** The callers of the permissions matrix. */
export type CallerName =
  | 'unauthenticated'
  | 'user'
  | 'owner'
  | 'admin'
  | 'service';

export const CALLER_NAMES: CallerName[] = [
  'unauthenticated',
  'user',
  'owner',
  'admin',
  'service',
];

/** The `authorization` header of each caller; none for `unauthenticated`. */
export const CALLERS: Record<CallerName, string | undefined> = {
  unauthenticated: undefined,
  user: mockCredentials.user.header(USERS.user),
  owner: mockCredentials.user.header(USERS.owner),
  admin: mockCredentials.user.header(USERS.admin),
  // Another backend plugin (the catalog) calling this one.
  service: mockCredentials.service.header({
    onBehalfOf: mockCredentials.service('plugin:catalog'),
    targetPluginId: 'azure-tenant',
  }),
};

const ORG_FILE = path.resolve(__dirname, '../../../examples/org.yaml');

/**
 * The demo fixture with its first {@link RESOURCES_PER_SUBSCRIPTION} resources per subscription (so that the catalog
 * ingests them in seconds), and a second tenant with one subscription and one resource that is never onboarded.
 */
export function reliabilityFixture(): EmulatorFixture {
  const demo: EmulatorFixture = JSON.parse(
    fs.readFileSync(DEMO_FIXTURE_PATH, 'utf8'),
  );
  const subscriptions = (demo.subscriptions ?? []).map(s => ({
    ...s,
    resources: (s.resources ?? []).slice(0, RESOURCES_PER_SUBSCRIPTION),
  }));
  const kept = new Set(
    subscriptions.flatMap(s =>
      (s.resources ?? []).map(r =>
        `/subscriptions/${s.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/${r.type}/${r.name}`.toLowerCase(),
      ),
    ),
  );
  return {
    ...demo,
    tenants: [
      ...demo.tenants,
      {
        id: FOREIGN.tenantId,
        displayName: 'Fabrikam (never onboarded)',
        users: [
          {
            oid: 'b2c3d4e5-1111-4f6a-9b0c-1d2e3f4a5b6c',
            userPrincipalName: 'admin@fabrikam.example',
            displayName: 'Fabrikam Admin',
          },
        ],
      },
    ],
    subscriptions: [
      ...subscriptions,
      {
        subscriptionId: FOREIGN.subscriptionId,
        tenantId: FOREIGN.tenantId,
        displayName: 'Fabrikam Production',
        state: 'Enabled',
        roleAssignments: [
          {
            principalId: 'b2c3d4e5-1111-4f6a-9b0c-1d2e3f4a5b6c',
            role: 'Owner',
          },
        ],
        resourceGroups: [
          { name: FOREIGN.resourceGroup, location: 'westeurope' },
        ],
        resources: [
          {
            type: 'Microsoft.Storage/storageAccounts',
            name: 'stforeign001',
            resourceGroup: FOREIGN.resourceGroup,
            location: 'westeurope',
            tags: { owner: 'payments', env: 'prod' },
          },
        ],
      },
    ],
    costs: demo.costs && {
      ...demo.costs,
      profiles: (demo.costs.profiles ?? []).filter(p =>
        kept.has(p.resourceId.toLowerCase()),
      ),
      rows: (demo.costs.rows ?? []).filter(r =>
        kept.has(r.resourceId.toLowerCase()),
      ),
    },
  };
}

/** What the emulator saw on the wire that its request log does not keep: the secrets of the OAuth exchanges. */
export interface EmulatorTraffic {
  /** Every bearer token presented to the emulator (ARM calls), once each. */
  bearerTokens: Set<string>;
  /** The form bodies of requests to Entra ID's token endpoint (client secret, code, PKCE verifier). */
  tokenRequests: URLSearchParams[];
  /** The JSON bodies the token endpoint answered with (access tokens, ID tokens). */
  tokenResponses: Array<Record<string, unknown>>;
}

/** The emulator and its recorded traffic. */
export interface ReliabilityEmulator {
  emulator: AzureEmulator;
  traffic: EmulatorTraffic;
  /** Consents the demo app in the demo tenant, as onboarding would, and gives it `roles` on each demo subscription. */
  grantPortalAccess(roles?: string[]): void;
  stop(): Promise<void>;
}

const TOKEN_PATH = /\/oauth2\/v2\.0\/token$/i;

/** Records, on the emulator's own HTTPS server, what the request log leaves out. Changes nothing it serves. */
function recordTraffic(server: https.Server, traffic: EmulatorTraffic) {
  server.on(
    'request',
    (req: http.IncomingMessage, res: http.ServerResponse) => {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      if (bearer) traffic.bearerTokens.add(bearer[1]);
      if (!TOKEN_PATH.test((req.url ?? '').split('?')[0])) return;

      // Whoever reads the body (by 'data' events or by read()), each chunk is emitted as 'data' once.
      const requestChunks: Buffer[] = [];
      const emit = req.emit;
      req.emit = ((event: string | symbol, ...args: any[]) => {
        if (event === 'data') requestChunks.push(Buffer.from(args[0]));
        if (event === 'end') {
          traffic.tokenRequests.push(
            new URLSearchParams(Buffer.concat(requestChunks).toString('utf8')),
          );
        }
        return emit.call(req, event, ...args);
      }) as typeof req.emit;

      const responseChunks: Buffer[] = [];
      const write = res.write;
      const end = res.end;
      res.write = ((chunk: any, ...args: any[]) => {
        if (chunk) responseChunks.push(Buffer.from(chunk));
        return (write as any).call(res, chunk, ...args);
      }) as typeof res.write;
      res.end = ((chunk?: any, ...args: any[]) => {
        if (chunk && typeof chunk !== 'function') {
          responseChunks.push(Buffer.from(chunk));
        }
        try {
          traffic.tokenResponses.push(
            JSON.parse(Buffer.concat(responseChunks).toString('utf8')),
          );
        } catch {
          // Not JSON: an error page, which holds no token.
        }
        return (end as any).call(res, chunk, ...args);
      }) as typeof res.end;
    },
  );
}

/**
 * Starts the emulator on 127.0.0.1 with {@link reliabilityFixture}, its own state directory and no throttling, and
 * records the OAuth traffic (see {@link EmulatorTraffic}).
 */
export async function startReliabilityEmulator(
  options: Partial<AzureEmulatorOptions> = {},
): Promise<ReliabilityEmulator> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-reliability-'));
  const traffic: EmulatorTraffic = {
    bearerTokens: new Set(),
    tokenRequests: [],
    tokenResponses: [],
  };
  // The emulator does not expose its HTTPS server; catch it as it is created.
  const createServer = https.createServer;
  const spy = jest
    .spyOn(https, 'createServer')
    .mockImplementation((...args: any[]) => {
      const server = (createServer as any)(...args) as https.Server;
      recordTraffic(server, traffic);
      return server;
    });
  let emulator: AzureEmulator;
  try {
    emulator = await startAzureEmulator({
      port: 0,
      stateDir,
      fixture: reliabilityFixture(),
      throttling: { enabled: false },
      ...options,
    });
  } finally {
    spy.mockRestore();
  }
  return {
    emulator,
    traffic,
    grantPortalAccess(roles = ['Reader', 'Tag Contributor']) {
      const principal = emulator.control.consent(TENANT_ID, DEMO_APP.clientId);
      for (const subscriptionId of Object.values(SUBSCRIPTIONS)) {
        for (const role of roles) {
          emulator.control.assignRole({
            scope: `/subscriptions/${subscriptionId}`,
            principalId: principal.objectId,
            role,
          });
        }
      }
    },
    async stop() {
      await emulator.stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** A root logger that keeps every line, with its metadata and any error's own properties and stack. */
export function capturingRootLogger() {
  const lines: string[] = [];
  const render = (value: unknown) =>
    util.inspect(value, {
      depth: 8,
      breakLength: Infinity,
      maxStringLength: null,
      maxArrayLength: null,
    });
  const make = (meta: object): RootLoggerService => {
    const write = (level: string) => (message: string, extra?: unknown) => {
      lines.push(
        `${level} ${render(message)} ${render(meta)}${
          extra === undefined ? '' : ` ${render(extra)}`
        }`,
      );
    };
    const logger: LoggerService = {
      error: write('error'),
      warn: write('warn'),
      info: write('info'),
      debug: write('debug'),
      child: childMeta => make({ ...meta, ...childMeta }),
    };
    return logger as RootLoggerService;
  };
  return {
    lines,
    factory: createServiceFactory({
      service: coreServices.rootLogger,
      deps: {},
      factory: () => make({}),
    }),
  };
}

/**
 * User info as the auth backend resolves it at sign-in: the user and the groups its catalog entity is a member of.
 * (The test backend's default gives only the user itself, so no one would be an admin or own anything.)
 */
const catalogUserInfoServiceFactory = createServiceFactory({
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
 * Backstage's real tokens do. (The mock's tokens drop it, and the permission backend then takes the plugin's
 * conditional checks, such as the catalog's, for a user's direct requests and refuses them.)
 */
const actorAwareAuthServiceFactory = createServiceFactory({
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

// The module object itself (an `import * as` would be a copy), so that the test backend sees the spy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rootHttpRouterModule: typeof import('@backstage/backend-defaults/rootHttpRouter') = require('@backstage/backend-defaults/rootHttpRouter');

/**
 * The test backend's HTTP server listens on every interface; this makes it listen on 127.0.0.1 only (while
 * `startTestBackend` runs), and points discovery there.
 */
function loopbackHttpServer() {
  let server: ExtendedHttpServer | undefined;
  const createServer = rootHttpRouterModule.createHttpServer;
  const spy = jest
    .spyOn(rootHttpRouterModule, 'createHttpServer')
    .mockImplementation(async (listener, options, deps) => {
      server = await createServer(
        listener,
        { ...options, listen: { ...options.listen, host: '127.0.0.1' } },
        deps,
      );
      return server;
    });
  const discovery = createServiceFactory({
    service: coreServices.discovery,
    deps: { rootHttpRouter: coreServices.rootHttpRouter },
    async factory() {
      const port = server!.port();
      return HostDiscovery.fromConfig(
        new ConfigReader({
          backend: { baseUrl: `http://127.0.0.1:${port}`, listen: { port } },
        }),
      );
    },
  });
  return {
    discovery,
    server: () => server!,
    restore: () => spy.mockRestore(),
  };
}

// Shared with the fault kit and the chain test.
const POSTGRES_URL =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
const createdPrefixes: string[] = [];

/**
 * `backend.database` for a test backend on Backstage's real database manager: its own in-memory SQLite per plugin,
 * or PostgreSQL databases under a prefix unique to this call, dropped by {@link dropTestDatabases}.
 */
export function testDatabaseConfig(
  databaseId: string,
  name = 'azure_test',
): JsonObject {
  if (databaseId === 'SQLITE_3') {
    return { client: 'better-sqlite3', connection: ':memory:' };
  }
  if (databaseId !== 'POSTGRES_15' || !POSTGRES_URL) {
    throw new Error(`No connection for ${databaseId}`);
  }
  const prefix = `${name}_${process.pid}_${Date.now()}_${
    createdPrefixes.length
  }_`.toLowerCase();
  createdPrefixes.push(prefix);
  return { client: 'pg', connection: POSTGRES_URL, prefix };
}

/** Drops every PostgreSQL database made under the prefixes of {@link testDatabaseConfig}; call it in `afterAll`. */
export async function dropTestDatabases(): Promise<void> {
  if (!POSTGRES_URL || createdPrefixes.length === 0) return;
  const admin = knexFactory({ client: 'pg', connection: POSTGRES_URL });
  try {
    const { rows } = await admin.raw('select datname from pg_database');
    for (const { datname } of rows) {
      if (createdPrefixes.some(prefix => datname.startsWith(prefix))) {
        await admin.raw('drop database if exists ?? with (force)', [datname]);
      }
    }
  } finally {
    await admin.destroy();
  }
}

/** Retries an assertion until it passes, or throws its last error after `timeoutMs`. */
export async function eventually<T>(
  assertion: () => Promise<T> | T,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise(resolve => setTimeout(resolve, intervalMs));
    }
  }
}

/** Options of {@link startReliabilityBackend}. */
export interface ReliabilityBackendOptions {
  /** `SQLITE_3` or `POSTGRES_15`. */
  databaseId: string;
  emulator: AzureEmulator;
  /**
   * `config`: the demo tenant's three subscriptions are declared in config (and synced right after startup);
   * `onboarding`: nothing is declared, tenants are connected through the onboarding flow.
   */
  tenants: 'config' | 'onboarding';
  /** Merged over the `azureTenant` config. */
  azureTenant?: JsonObject;
}

/** A running backend of the suite. */
export interface ReliabilityBackend {
  /** The backend's HTTP server, on 127.0.0.1. */
  server: http.Server;
  /** `http://127.0.0.1:{port}`. */
  baseUrl: string;
  /** The Azure tenant plugin's own database (the same client the plugin uses). */
  knex: Knex;
  /** Every log line of the backend: its plugins' logs and the auditor's events. */
  logs: string[];
  stop(): Promise<void>;
}

/** The demo backend, on one database, talking to the emulator. */
export async function startReliabilityBackend(
  options: ReliabilityBackendOptions,
): Promise<ReliabilityBackend> {
  const { emulator } = options;
  const logs = capturingRootLogger();
  const loopback = loopbackHttpServer();
  let pluginDatabase: Promise<Knex> | undefined;
  // Shares the plugin's database client (the database manager hands one client per plugin).
  const databaseProbe = createBackendModule({
    pluginId: 'azure-tenant',
    moduleId: 'reliability-database-probe',
    register(reg) {
      reg.registerInit({
        deps: { database: coreServices.database },
        async init({ database }) {
          pluginDatabase = database.getClient();
        },
      });
    },
  });
  const config: JsonObject = {
    app: { baseUrl: 'http://localhost:3000' },
    backend: {
      baseUrl: 'http://127.0.0.1:7007',
      database: testDatabaseConfig(options.databaseId, 'azure_rel'),
    },
    catalog: {
      processingInterval: { seconds: 1 },
      rules: [{ allow: ['Resource', 'User', 'Group'] }],
      locations: [{ type: 'file', target: ORG_FILE }],
    },
    permission: {
      enabled: true,
      demoPolicy: { adminEntityRefs: ['group:default/azure-admins'] },
    },
    azureTenant: {
      clientId: DEMO_APP.clientId,
      clientSecret: DEMO_APP.clientSecret,
      authorityHost: emulator.authorityHost,
      armEndpoint: emulator.url,
      caCertFile: emulator.caCertFile,
      onboarding: {
        redirectUri: DEMO_APP.redirectUris[0],
        principalNotFoundRetryDelayMs: 10,
      },
      tenants:
        options.tenants === 'config'
          ? [
              {
                tenantId: TENANT_ID,
                displayName: 'Contoso Demo',
                subscriptions: Object.values(SUBSCRIPTIONS).map(
                  subscriptionId => ({ subscriptionId }),
                ),
              },
            ]
          : [],
      // Only requested syncs run during a test.
      sync: { frequency: { hours: 24 } },
      catalog: {
        defaultOwner: 'group:default/azure-admins',
        pollInterval: { seconds: 1 },
      },
      ...options.azureTenant,
    },
  };
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      eventsPlugin,
      permissionPlugin,
      demoPermissionPolicyModule,
      azureTenantPlugin,
      catalogModuleAzureTenant,
      databaseProbe,
      mockServices.rootConfig.factory({ data: config }),
      // A request without credentials is unauthenticated (the test backend's default would make it a user).
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      actorAwareAuthServiceFactory,
      catalogUserInfoServiceFactory,
      databaseServiceFactory,
      schedulerServiceFactory,
      auditorServiceFactory,
      logs.factory,
      loopback.discovery,
    ],
  }).finally(loopback.restore);
  const server = loopback.server();
  return {
    server: server as unknown as http.Server,
    baseUrl: `http://127.0.0.1:${server.port()}`,
    knex: await pluginDatabase!,
    logs: logs.lines,
    stop: () => backend.stop(),
  };
}

/** A response as received, for assertions and for the secrets scan. */
export interface ApiResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  body?: any;
}

/** A request, sent byte for byte as given (the path is not re-encoded). */
export interface ApiRequest {
  method: string;
  /** Path and query under the server, e.g. `/api/azure-tenant/tags?resourceId=…`. */
  path: string;
  headers?: Record<string, string>;
  /** Sent as is; a string body is UTF-8. */
  body?: string | Buffer;
}

/** Sends requests to a backend with Node's HTTP client, and keeps every response. */
export class ApiClient {
  /** Every exchange, in order: what was sent and what came back. */
  readonly exchanges: Array<{ request: ApiRequest; response: ApiResponse }> =
    [];

  constructor(private readonly baseUrl: string) {}

  send(request: ApiRequest): Promise<ApiResponse> {
    const url = new URL(this.baseUrl);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: request.method,
          path: request.path,
          headers: {
            ...(request.body !== undefined
              ? { 'content-length': String(Buffer.byteLength(request.body)) }
              : {}),
            ...request.headers,
          },
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', chunk => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: any;
            if (/json/.test(String(res.headers['content-type']))) {
              try {
                body = JSON.parse(text);
              } catch {
                body = undefined;
              }
            }
            const response = {
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              body,
            };
            this.exchanges.push({ request, response });
            resolve(response);
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (request.body !== undefined) req.write(request.body);
      req.end();
    });
  }

  /** A JSON request as a caller ({@link CALLERS}). */
  json(
    method: string,
    pathAndQuery: string,
    caller: CallerName,
    body?: unknown,
  ): Promise<ApiResponse> {
    const authorization = CALLERS[caller];
    return this.send({
      method,
      path: pathAndQuery,
      headers: {
        ...(authorization ? { authorization } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
}

/** Waits until the catalog holds the demo organization, so that ownership and admins resolve. */
export async function waitForOrganization(api: ApiClient): Promise<void> {
  await eventually(async () => {
    const response = await api.json(
      'GET',
      '/api/catalog/entities/by-name/user/default/alice',
      'admin',
    );
    if (
      response.status !== 200 ||
      !response.body.relations?.some(
        (r: { type: string }) => r.type === 'memberOf',
      )
    ) {
      throw new Error(
        `the catalog has no user alice yet (${
          response.status
        } ${response.text.slice(0, 500)})`,
      );
    }
  });
}

/** Waits until every subscription has a successful sync that finished after `after`. */
export async function waitForSync(
  api: ApiClient,
  subscriptionIds: string[],
  after = 0,
): Promise<void> {
  await eventually(async () => {
    const response = await api.json(
      'GET',
      '/api/azure-tenant/subscriptions',
      'admin',
    );
    for (const id of subscriptionIds) {
      const subscription = response.body.items.find(
        (s: { subscriptionId: string }) => s.subscriptionId === id,
      );
      if (
        !subscription ||
        subscription.syncRequestedAt ||
        subscription.lastSync?.status !== 'succeeded' ||
        Date.parse(subscription.lastSync.finishedAt) < after
      ) {
        throw new Error(`subscription ${id} is not synced yet`);
      }
    }
  }, 60_000);
}

/**
 * Waits until the catalog holds the Resource entity of a synced Azure resource, owned (by `expectedOwner` when
 * given: the catalog module falls back to its default owner while the owner tag's group is not in the catalog yet,
 * and resolves it again later).
 */
export async function waitForResourceEntity(
  api: ApiClient,
  resourceId: string,
  expectedOwner?: string,
): Promise<any> {
  return eventually(async () => {
    const response = await api.json(
      'GET',
      `/api/catalog/entities/by-query?filter=kind=resource,metadata.annotations.management.azure.com/resourceId=${encodeURIComponent(
        resourceId,
      )}`,
      'admin',
    );
    const [entity] = response.body?.items ?? [];
    if (
      !entity?.relations?.some((r: { type: string }) => r.type === 'ownedBy')
    ) {
      throw new Error(`no entity for ${resourceId} yet`);
    }
    if (expectedOwner && entity.spec?.owner !== expectedOwner) {
      throw new Error(
        `the entity of ${resourceId} is owned by ${entity.spec?.owner}, not ${expectedOwner}, yet`,
      );
    }
    return entity;
  }, 90_000);
}

// Requests that change nothing in Azure although they are not GETs: Entra ID's token endpoint, and Cost Management
// and Resource Graph queries.
const READ_ONLY = [
  /\/oauth2\/v2\.0\/token$/i,
  /\/providers\/Microsoft\.CostManagement\/(query|forecast)$/i,
  /^\/providers\/Microsoft\.ResourceGraph\/resources$/i,
];

/** The requests in an emulator log that could change something in Azure, as `METHOD /path`. */
export function azureWrites(requests: RequestLogEntry[]): string[] {
  return requests
    .filter(r => !['GET', 'HEAD'].includes(r.method))
    .filter(r => !(r.method === 'POST' && READ_ONLY.some(p => p.test(r.path))))
    .map(r => `${r.method} ${r.path}`);
}

/** The names of the tables in a database (without knex's own migration bookkeeping). */
export async function listTables(knex: Knex): Promise<string[]> {
  const client = String(knex.client.config.client);
  let names: string[];
  if (client.includes('sqlite')) {
    const rows = await knex('sqlite_master')
      .where({ type: 'table' })
      .whereNot('name', 'like', 'sqlite_%')
      .select('name');
    names = rows.map((r: { name: string }) => r.name);
  } else {
    const rows = await knex('information_schema.tables')
      .where({ table_schema: 'public', table_type: 'BASE TABLE' })
      .select('table_name');
    names = rows.map((r: { table_name: string }) => r.table_name);
  }
  return names.sort();
}

/** Every row of every table of a database, all columns, by table. */
export async function dumpTables(
  knex: Knex,
): Promise<Record<string, Array<Record<string, unknown>>>> {
  const dump: Record<string, Array<Record<string, unknown>>> = {};
  for (const table of await listTables(knex)) {
    dump[table] = await knex(table).select();
  }
  return dump;
}

/** Where the suite writes its figures (`test-results/` at the repository root). */
export const RESULTS_DIR = path.resolve(__dirname, '../../../test-results');
