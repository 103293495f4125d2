/* eslint-disable @backstage/no-undeclared-imports */
// Test support only (imported by the reliability tests and by `npm run bench:load`), so it uses devDependencies.

/*
 * What the fault, kill/restart and load tests of the reliability suite share: an emulator per test file, the
 * azure-tenant plugin in a whole test backend (the real database manager and scheduler), a probe module that hands
 * the tests the plugin's own database and scheduler, and helpers to count the emulator's requests.
 */
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  coreServices,
  createBackendModule,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import eventsPlugin from '@backstage/plugin-events-backend';
import { JsonObject } from '@backstage/types';
import azureTenantPlugin from '@azure-tenant/plugin-azure-tenant-backend';
import {
  AzureEmulator,
  AzureEmulatorOptions,
  DEMO_APP,
  DEMO_TENANT,
  FaultSpec,
  RequestLogEntry,
  startAzureEmulator,
} from '@azure-tenant/azure-emulator';
import { Knex } from 'knex';
import request from 'supertest';
import {
  dropTestDatabases,
  eventually,
  testDatabaseConfig,
} from './reliabilityBackend';

export { dropTestDatabases, eventually, testDatabaseConfig };

/** The demo fixture's subscriptions (80, 70 and 50 resources). */
export const PLATFORM = '3f8c2a41-6d7e-4b59-9c1a-2e5f7d8b9a01';
export const PAYMENTS = '8d4e1b72-5a3c-4f6e-b2d9-7c1e3a5f9b02';
export const DATA_EUROPE = 'c5a7e3d9-1f2b-4c8a-9e6d-4b3a2c1d0e03';
export const DEMO_SUBSCRIPTIONS = [PLATFORM, PAYMENTS, DATA_EUROPE];

/** A signed-in member of the demo admins (every permission is allowed by the test backend's mock). */
export const asUser = mockCredentials.user.header('user:default/guest');
/** Another backend plugin, as the catalog module calls the plugin's feed. */
export const asService = mockCredentials.service.header();

export const POSTGRES_URL =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;

/** The Azure SDK's own retry count (`@azure/core-rest-pipeline`: 3 retries after the first try). */
export const SDK_MAX_TRIES = 4;

/** An emulator in this process with its own state directory; `stop` removes the directory too. */
export async function startTestEmulator(
  options: AzureEmulatorOptions = {},
): Promise<AzureEmulator & { stateDir: string }> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-faults-'));
  const emulator = await startAzureEmulator({
    port: 0,
    stateDir,
    throttling: { enabled: false },
    ...options,
  });
  const stop = emulator.stop.bind(emulator);
  return Object.assign(emulator, {
    stateDir,
    stop: async () => {
      await stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  });
}

/** Consents the demo app and gives its service principal the roles on every demo subscription. */
export function grantPortalAccess(
  emulator: AzureEmulator,
  roles: string[] = ['Reader', 'Tag Contributor'],
  subscriptions: string[] = DEMO_SUBSCRIPTIONS,
): string {
  const principal = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
  for (const subscriptionId of subscriptions) {
    for (const role of roles) {
      emulator.control.assignRole({
        scope: `/subscriptions/${subscriptionId}`,
        principalId: principal.objectId,
        role,
      });
    }
  }
  return principal.objectId;
}

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

/**
 * The demo portal's config against the emulator: the three demo subscriptions declared in config, pages of 25, the
 * spend sync scheduled an hour after start (tests trigger it), and `azureTenant` overrides merged in.
 */
export function backendConfig(
  emulator: Pick<AzureEmulator, 'url' | 'authorityHost' | 'caCertFile'>,
  database: JsonObject,
  overrides: JsonObject = {},
  subscriptions: string[] = DEMO_SUBSCRIPTIONS,
): JsonObject {
  return merge(
    {
      app: { baseUrl: 'http://localhost:3000' },
      backend: { baseUrl: 'http://localhost:7007', database },
      azureTenant: {
        clientId: DEMO_APP.clientId,
        clientSecret: DEMO_APP.clientSecret,
        authorityHost: emulator.authorityHost,
        armEndpoint: emulator.url,
        caCertFile: emulator.caCertFile,
        onboarding: {
          redirectUri: DEMO_APP.redirectUris[0],
          principalNotFoundRetries: 2,
          principalNotFoundRetryDelayMs: 50,
        },
        tenants: [
          {
            tenantId: DEMO_TENANT.id,
            displayName: 'Contoso Demo',
            subscriptions: subscriptions.map(subscriptionId => ({
              subscriptionId,
            })),
          },
        ],
        sync: { pageSize: 25 },
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

/** The plugin's own database and scheduler, as a module of the plugin sees them. */
export interface PluginProbe {
  knex: Knex;
  scheduler: SchedulerService;
}

function probeModule(probe: Partial<PluginProbe>) {
  return createBackendModule({
    pluginId: 'azure-tenant',
    moduleId: 'reliability-probe',
    register(env) {
      env.registerInit({
        deps: {
          database: coreServices.database,
          scheduler: coreServices.scheduler,
        },
        async init({ database, scheduler }) {
          probe.knex = await database.getClient();
          probe.scheduler = scheduler;
        },
      });
    },
  });
}

/** A test backend with the azure-tenant plugin (and the events plugin), the real database manager and scheduler. */
export async function startPluginBackend(config: JsonObject) {
  const probe: Partial<PluginProbe> = {};
  const backend = await startTestBackend({
    features: [
      eventsPlugin,
      azureTenantPlugin,
      probeModule(probe),
      mockServices.rootConfig.factory({ data: config }),
      databaseServiceFactory,
      schedulerServiceFactory,
    ],
  });
  return {
    server: backend.server,
    probe: probe as PluginProbe,
    stop: () => backend.stop(),
  };
}

export type PluginBackend = Awaited<ReturnType<typeof startPluginBackend>>;

/** A subscription as `GET /subscriptions` shows it. */
export async function subscriptionOf(
  server: any,
  subscriptionId: string,
): Promise<any> {
  const { body, status } = await request(server)
    .get('/api/azure-tenant/subscriptions')
    .set('authorization', asUser);
  expect(status).toBe(200);
  return body.items.find((s: any) => s.subscriptionId === subscriptionId);
}

/** Waits until the last sync of each subscription has succeeded (the first scheduled sync, say). */
export async function waitForSucceededSyncs(
  server: any,
  subscriptionIds: string[],
  timeoutMs = 90_000,
): Promise<void> {
  await eventually(async () => {
    for (const subscriptionId of subscriptionIds) {
      expect(
        (await subscriptionOf(server, subscriptionId)).lastSync?.status,
      ).toBe('succeeded');
    }
  }, timeoutMs);
}

/** Asks for Sync now on each subscription and waits until each has finished a sync after the request. */
export async function syncAndWait(
  server: any,
  subscriptionIds: string[],
  timeoutMs = 60_000,
): Promise<Record<string, any>> {
  const before = Date.now();
  for (const subscriptionId of subscriptionIds) {
    const response = await request(server)
      .post(`/api/azure-tenant/subscriptions/${subscriptionId}/sync`)
      .set('authorization', asUser);
    expect(response.status).toBe(202);
  }
  const done: Record<string, any> = {};
  await eventually(async () => {
    for (const subscriptionId of subscriptionIds) {
      const subscription = await subscriptionOf(server, subscriptionId);
      expect(subscription.syncRequestedAt).toBeUndefined();
      expect(
        Date.parse(subscription.lastSync?.finishedAt ?? '0'),
      ).toBeGreaterThanOrEqual(before);
      done[subscriptionId] = subscription;
    }
  }, timeoutMs);
  return done;
}

/** A stored resource, reduced to what a sync or a tag write may change. */
export interface StoredResource {
  key: string;
  subscriptionId: string;
  tags: Record<string, string> | null;
  contentHash: string;
}

/** Every stored resource of the plugin, by key. */
export async function storedResources(
  knex: Knex,
  subscriptionId?: string,
): Promise<Map<string, StoredResource>> {
  const query = knex('resources').select(
    'resource_key',
    'subscription_id',
    'tags',
    'content_hash',
  );
  if (subscriptionId) query.where({ subscription_id: subscriptionId });
  const rows = await query;
  return new Map(
    rows.map((r: any) => [
      r.resource_key,
      {
        key: r.resource_key,
        subscriptionId: r.subscription_id,
        tags: r.tags ? JSON.parse(r.tags) : null,
        contentHash: r.content_hash,
      },
    ]),
  );
}

/** The highest sequence number in the emulator's request log so far. */
export function logMark(emulator: AzureEmulator): number {
  return emulator.control.requests().at(-1)?.seq ?? 0;
}

/** Requests after `since` whose method and path match. */
export function requestsSince(
  emulator: AzureEmulator,
  since: number,
  match: { method?: string; path?: RegExp } = {},
): RequestLogEntry[] {
  return emulator.control
    .requests(since)
    .filter(
      r =>
        (!match.method || r.method === match.method) &&
        (!match.path || match.path.test(r.path)),
    );
}

/** The faults of a matrix: what each does, by name. */
export const FAULTS: Record<string, Omit<FaultSpec, 'match'>> = {
  '429 Retry-After': { status: 429, retryAfterSeconds: 1 },
  '500': { status: 500 },
  '503 Retry-After': { status: 503, retryAfterSeconds: 1 },
  'connection reset': { reset: true },
  'malformed JSON': { malformed: true },
};

/** The subscription ids of the emulator's tenant (a generated one, say), in its order. */
export function emulatorSubscriptions(emulator: AzureEmulator): string[] {
  return (
    emulator.control.summary().subscriptions as Array<{
      subscriptionId: string;
    }>
  ).map(s => s.subscriptionId);
}

/**
 * Plays the browser at the emulator's Entra ID: opens the authorize URL as the demo user, accepts the consent page,
 * and returns the query of the redirect back to the portal.
 */
export function signInAtEmulator(
  authorizeUrl: string,
  caCert: string,
  loginHint: string,
): Promise<URLSearchParams> {
  const url = new URL(authorizeUrl);
  url.searchParams.set('login_hint', loginHint);
  url.searchParams.set('emulator_decision', 'accept');
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca: caCert }, response => {
        response.resume();
        const target = response.headers.location;
        if (response.statusCode !== 302 || !target) {
          reject(new Error(`the emulator answered ${response.statusCode}`));
        } else {
          resolve(new URL(target).searchParams);
        }
      })
      .on('error', reject);
  });
}

/** A free TCP port on 127.0.0.1. */
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

/** The value below which `share` of the sorted samples fall (nearest rank). */
export function percentile(sorted: number[], share: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(share * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** A line for the results file: tests append their figures to REL_RESULTS_FILE when it is set. */
export function report(line: Record<string, unknown>): void {
  const file = process.env.REL_RESULTS_FILE;
  if (file) fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
}
