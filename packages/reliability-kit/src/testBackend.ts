/*
 * The test backends of the kit, all built by {@link startKitBackend} on Backstage's real database manager, scheduler
 * and auditor, listening on 127.0.0.1 only, with a probe module that hands tests the Azure tenant plugin's own
 * database and scheduler. What is in a backend grows with what a suite needs:
 *
 * - `plugin`: the Azure tenant plugin and the events plugin; the test backend's mock auth allows everything.
 * - `catalog`: and the catalog with the Azure tenant catalog module (the whole chain from Azure to entities).
 * - `portal`: and the permission backend with the demo portal's real policy, users resolved from the catalog,
 *   Backstage's access log (as a real backend's root HTTP router writes it), and a root logger that keeps every
 *   line: the demo backend, as the reliability and security suites call it.
 */
import http from 'node:http';
import net from 'node:net';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createBackendModule,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { auditorServiceFactory } from '@backstage/backend-defaults/auditor';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import eventsPlugin from '@backstage/plugin-events-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import azureTenantPlugin from '@azure-tenant/plugin-azure-tenant-backend';
import catalogModuleAzureTenant from '@azure-tenant/plugin-catalog-backend-module-azure-tenant';
import { AzureEmulator, DEMO_APP } from '@azure-tenant/azure-emulator';
// The demo portal's real policy is what the suites test. The demo backend is an app package with no exports (its
// entry point starts a backend), so its policy module is imported by path.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { demoPermissionPolicyModule } from 'backend/src/permissionPolicy';
import { Knex } from 'knex';
import { emulatorConnectionConfig } from '@azure-tenant/test-support';
import { DEMO_SUBSCRIPTION_IDS, ORG_FILE, TENANT_ID } from './demoTenant';
import { testDatabaseConfig } from './databases';
import {
  actorAwareAuthServiceFactory,
  capturingRootLogger,
  catalogUserInfoServiceFactory,
  loopbackHttpServer,
} from './services';

/** Deep merge of plain objects; arrays and scalars of `b` win. */
function merge(a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const left = out[key];
    out[key] =
      left &&
      value &&
      typeof left === 'object' &&
      typeof value === 'object' &&
      !Array.isArray(left) &&
      !Array.isArray(value)
        ? merge(left as JsonObject, value as JsonObject)
        : value;
  }
  return out;
}

/** The `azureTenant` settings that connect a backend to the emulator, as the demo's app registration. */
export const azureConnectionConfig = emulatorConnectionConfig;

/**
 * The catalog of a backend with features `catalog` or `portal`: the demo organization, processed every second, and
 * the Azure tenant entity provider polling every second, with the demo's admins as the default owner.
 */
export function demoCatalogConfig(): JsonObject {
  return {
    processingInterval: { seconds: 1 },
    rules: [{ allow: ['Resource', 'User', 'Group'] }],
    locations: [{ type: 'file', target: ORG_FILE }],
    providers: {
      azureTenant: {
        defaultOwner: 'group:default/azure-admins',
        schedule: { frequency: { seconds: 1 }, timeout: { minutes: 1 } },
      },
    },
  };
}

/** The demo tenant as an entry of `azureTenant.tenants`, with `subscriptions` declared. */
export function demoTenantConfig(subscriptions: string[]): JsonObject {
  return {
    tenantId: TENANT_ID,
    displayName: 'Contoso Demo',
    subscriptions: subscriptions.map(subscriptionId => ({ subscriptionId })),
  };
}

/**
 * A backend's config against the emulator: the three demo subscriptions declared in config, pages of 25, the
 * spend sync scheduled an hour after start (tests trigger it), and `azureTenant` overrides merged in.
 */
export function backendConfig(
  emulator: Pick<AzureEmulator, 'url' | 'authorityHost' | 'caCertFile'>,
  database: JsonObject,
  overrides: JsonObject = {},
  subscriptions: string[] = DEMO_SUBSCRIPTION_IDS,
): JsonObject {
  return merge(
    {
      app: { baseUrl: 'http://localhost:3000' },
      backend: { baseUrl: 'http://localhost:7007', database },
      azureTenant: {
        ...azureConnectionConfig(emulator),
        onboarding: {
          redirectUri: DEMO_APP.redirectUris[0],
          principalNotFoundRetries: 2,
          principalNotFoundRetryDelay: { milliseconds: 50 },
        },
        tenants: [demoTenantConfig(subscriptions)],
        sync: { pageSize: 25 },
        // The kit's emulator does not throttle (testEmulator.ts), so the shared budget of Azure's quotas would only
        // slow its syncs down; the budget is tested against a throttling emulator in the backend plugin's replica
        // tests (ResourceSyncService.replicas.test.ts).
        quotas: { enabled: false },
        spend: {
          schedule: {
            frequency: { hours: 6 },
            timeout: { minutes: 5 },
            initialDelay: { hours: 1 },
          },
          lookbackDays: 40,
          restatementDays: 3,
        },
      },
    },
    overrides,
  );
}

/** What is in a test backend (see the top of this file). */
export type KitBackendFeatures = 'plugin' | 'catalog' | 'portal';

/** A running test backend. */
export interface KitBackend {
  /** The backend's HTTP server, on 127.0.0.1. */
  server: http.Server;
  /** `http://127.0.0.1:{port}`. */
  baseUrl: string;
  /** The Azure tenant plugin's own database (the same client the plugin uses). */
  knex: Knex;
  /** The Azure tenant plugin's scheduler, to trigger its tasks. */
  scheduler: SchedulerService;
  /**
   * Every log line of a `portal` backend: its plugins' logs, the auditor's events and Backstage's access log (empty
   * for the others).
   */
  logs: string[];
  stop(): Promise<void>;
}

/** Hands the test the plugin's own database client and scheduler (the database manager hands one client per plugin). */
function probeModule(
  probe: (knex: Promise<Knex>, scheduler: SchedulerService) => void,
) {
  return createBackendModule({
    pluginId: 'azure-tenant',
    moduleId: 'kit-probe',
    register(env) {
      env.registerInit({
        deps: {
          database: coreServices.database,
          scheduler: coreServices.scheduler,
        },
        async init({ database, scheduler }) {
          probe(database.getClient(), scheduler);
        },
      });
    },
  });
}

/** A test backend with `config` (see the top of this file for `features`). */
export async function startKitBackend(
  config: JsonObject,
  features: KitBackendFeatures = 'plugin',
): Promise<KitBackend> {
  const loopback = loopbackHttpServer({ accessLog: features === 'portal' });
  const logs = capturingRootLogger();
  let knex: Promise<Knex> | undefined;
  let scheduler: SchedulerService | undefined;
  const catalog =
    features === 'plugin' ? [] : [catalogPlugin, catalogModuleAzureTenant];
  const portal =
    features === 'portal'
      ? [
          permissionPlugin,
          demoPermissionPolicyModule,
          // A request without credentials is unauthenticated (the test backend's default would make it a user).
          mockServices.httpAuth.factory({
            defaultCredentials: mockCredentials.none(),
          }),
          actorAwareAuthServiceFactory,
          catalogUserInfoServiceFactory,
          logs.factory,
        ]
      : [];
  const backend = await startTestBackend({
    features: [
      eventsPlugin,
      azureTenantPlugin,
      ...catalog,
      ...portal,
      probeModule((client, pluginScheduler) => {
        knex = client;
        scheduler = pluginScheduler;
      }),
      mockServices.rootConfig.factory({ data: config }),
      // The real database manager and scheduler: schedules run, and their locks hold across backends.
      databaseServiceFactory,
      schedulerServiceFactory,
      auditorServiceFactory,
      loopback.discovery,
    ],
  }).finally(loopback.restore);
  const server = loopback.server();
  return {
    server: server as unknown as http.Server,
    baseUrl: `http://127.0.0.1:${server.port()}`,
    knex: await knex!,
    scheduler: scheduler!,
    logs: logs.lines,
    stop: () => backend.stop(),
  };
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

/** The demo backend (features `portal`) on one database, talking to the emulator. */
export async function startReliabilityBackend(
  options: ReliabilityBackendOptions,
): Promise<KitBackend> {
  const { emulator } = options;
  const config: JsonObject = {
    app: { baseUrl: 'http://localhost:3000' },
    backend: {
      baseUrl: 'http://127.0.0.1:7007',
      database: testDatabaseConfig(options.databaseId, 'azure_rel'),
    },
    catalog: demoCatalogConfig(),
    permission: {
      enabled: true,
      demoPolicy: { adminEntityRefs: ['group:default/azure-admins'] },
    },
    azureTenant: {
      ...azureConnectionConfig(emulator),
      onboarding: {
        redirectUri: DEMO_APP.redirectUris[0],
        principalNotFoundRetryDelay: { milliseconds: 10 },
      },
      tenants:
        options.tenants === 'config'
          ? [demoTenantConfig(DEMO_SUBSCRIPTION_IDS)]
          : [],
      // Only requested syncs run during a test.
      sync: { frequency: { hours: 24 } },
      ...options.azureTenant,
    },
  };
  return startKitBackend(config, 'portal');
}

/** A free TCP port on 127.0.0.1, for a backend in a child process (see childBackend.ts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
