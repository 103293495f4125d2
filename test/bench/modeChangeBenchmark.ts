/*
 * bench:mode-change — how long a change of a subscription's sync mode takes to reach every entity in the catalog.
 *
 *   npm run bench:mode-change -- [--resources 3000] [--database sqlite|postgres] [--timeout 300]
 *
 * It starts the Azure emulator in its own process with a generated tenant of one subscription, then in this process
 * a backend (backend-defaults' real services, Backstage's mock auth, as packages/reliability-kit/src/childBackend.ts)
 * with the Azure tenant plugin, the events plugin, the catalog and the Azure tenant catalog module, on a SQLite file
 * or a fresh PostgreSQL database (dropped afterwards), with the demo portal's catalog settings: the
 * catalog's default processing interval and the provider polling every 30 s, so that events carry the changes. After
 * the first sync has reached the catalog, it changes the mode through `PUT /subscriptions/{id}/sync-mode` as a
 * portal admin would, through every mode, and for each change prints the time until every resource entity of the
 * subscription shows it: its `azure-tenant.io/sync-mode` annotation, and tags under `read-tags` and
 * `read-write-tags`, none under `no-tags`; under `none`, no resource entity at all.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ANNOTATION_AZURE_SUBSCRIPTION_ID,
  ANNOTATION_AZURE_SYNC_MODE,
  SyncMode,
} from '@azure-tenant/plugin-azure-tenant-common';
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import {
  asService,
  asUser,
  dropTestDatabases,
  freePort,
  testDatabaseConfig,
} from '../../packages/reliability-kit/src';
import {
  control,
  DEMO_CLIENT_ID,
  DEMO_TENANT_ID,
  emulatorAzureTenant,
  machineDescription,
  startEmulator,
} from './benchSupport';

interface Options {
  resources: number;
  database: 'sqlite' | 'postgres';
  /** The longest wait for one change, in seconds. */
  timeout: number;
}

/** A round through the four modes: each mode is reached once, and `read-write-tags` from both `no-tags` and `none`. */
const CHANGES: SyncMode[] = [
  'read-tags',
  'no-tags',
  'read-write-tags',
  'none',
  'read-write-tags',
];

function parseOptions(args: string[]): Options {
  const options: Options = {
    resources: 3000,
    database: 'sqlite',
    timeout: 300,
  };
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i].replace(/^--/, '');
    const value = args[i + 1];
    if (name === 'database') {
      if (value !== 'postgres' && value !== 'sqlite') {
        throw new Error('--database is postgres or sqlite');
      }
      options.database = value;
    } else if (name === 'resources' || name === 'timeout') {
      const number = Number(value);
      if (!Number.isInteger(number) || number < 1) {
        throw new Error(`--${name} must be a positive whole number`);
      }
      options[name] = number;
    } else {
      throw new Error(`Unknown argument ${args[i]}`);
    }
  }
  return options;
}

interface ShownEntity {
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: { type?: string; azure?: { tags?: Record<string, string> } };
}

/** The resource entities of a subscription as the catalog serves them now. */
async function resourceEntities(
  baseUrl: string,
  subscriptionId: string,
): Promise<ShownEntity[]> {
  const entities: ShownEntity[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams(
      cursor
        ? { cursor }
        : {
            filter: `kind=resource,metadata.annotations.${ANNOTATION_AZURE_SUBSCRIPTION_ID}=${subscriptionId}`,
            fields:
              'metadata.name,metadata.annotations,spec.type,spec.azure.tags',
            limit: '1000',
          },
    );
    const response = await fetch(
      `${baseUrl}/api/catalog/entities/by-query?${query}`,
      { headers: { authorization: asService } },
    );
    if (!response.ok) {
      throw new Error(`catalog query: ${response.status}`);
    }
    const page = await response.json();
    entities.push(...page.items);
    cursor = page.pageInfo?.nextCursor;
  } while (cursor);
  return entities.filter(e => e.spec?.type !== 'azure-subscription');
}

/**
 * How many of `expected` resource entities show `mode`: its annotation, and tags on the resources that have tags in
 * Azure (`tagged`, by entity name) under the read modes, on none under `no-tags`; under `none`, no entity.
 */
function shownCount(
  entities: ShownEntity[],
  mode: SyncMode,
  expected: number,
  tagged: Set<string>,
) {
  if (mode === 'none') return entities.length === 0 ? expected : 0;
  const keepsTags = mode === 'read-tags' || mode === 'read-write-tags';
  return entities.filter(
    e =>
      e.metadata.annotations?.[ANNOTATION_AZURE_SYNC_MODE] === mode &&
      (keepsTags
        ? !tagged.has(e.metadata.name) || e.spec?.azure?.tags !== undefined
        : e.spec?.azure?.tags === undefined),
  ).length;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

export async function main(args: string[]) {
  const options = parseOptions(args);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-mode-change-'));
  const emulator = await startEmulator({
    generate: { subscriptions: 1, resources: options.resources, days: 1 },
    stateDir: dir,
  });
  let backend: ReturnType<typeof createBackend> | undefined;
  try {
    const principal = await control(emulator, 'POST', 'consents', {
      tenantId: DEMO_TENANT_ID,
      clientId: DEMO_CLIENT_ID,
    });
    const state = await control(emulator, 'GET', 'state');
    const [{ subscriptionId }] = state.subscriptions;
    for (const role of ['Reader', 'Tag Contributor']) {
      await control(emulator, 'POST', 'role-assignments', {
        scope: `/subscriptions/${subscriptionId}`,
        principalId: principal.objectId,
        role,
      });
    }
    const database =
      options.database === 'sqlite'
        ? {
            client: 'better-sqlite3',
            connection: { directory: path.join(dir, 'db') },
          }
        : testDatabaseConfig('POSTGRES_15', 'bench_mode');
    fs.mkdirSync(path.join(dir, 'db'), { recursive: true });
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    backend = createBackend();
    backend.add(
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          backend: {
            baseUrl,
            listen: { host: '127.0.0.1', port },
            database,
          },
          // The demo portal's catalog (app-config.yaml): the default processing interval, a poll every 30 s.
          catalog: {
            rules: [{ allow: ['Resource', 'Group', 'User'] }],
            providers: {
              azureTenant: {
                defaultOwner: 'group:default/azure-admins',
                schedule: {
                  frequency: { seconds: 30 },
                  timeout: { minutes: 10 },
                },
              },
            },
          },
          azureTenant: {
            ...emulatorAzureTenant(emulator),
            tenants: [
              {
                tenantId: DEMO_TENANT_ID,
                displayName: 'Generated',
                subscriptions: [{ subscriptionId }],
              },
            ],
            // Only the syncs that the mode changes ask for.
            sync: { frequency: { hours: 24 } },
            spend: {
              schedule: {
                frequency: { hours: 24 },
                timeout: { minutes: 5 },
                initialDelay: { hours: 24 },
              },
            },
          },
        },
      }),
    );
    // Warnings only: the access log would print every poll of the benchmark.
    backend.add(mockServices.rootLogger.factory({ level: 'warn' }));
    backend.add(mockServices.auth.factory());
    backend.add(mockServices.httpAuth.factory());
    backend.add(mockServices.permissions.factory());
    backend.add(mockServices.permissionsRegistry.factory());
    backend.add(import('@backstage/plugin-events-backend'));
    backend.add(import('@backstage/plugin-catalog-backend'));
    backend.add(import('@azure-tenant/plugin-azure-tenant-backend'));
    backend.add(
      import('@azure-tenant/plugin-catalog-backend-module-azure-tenant'),
    );
    await backend.start();

    // The resources with tags in Azure, as the first sync shows them.
    const tagged = new Set<string>();
    const waitUntilShown = async (mode: SyncMode, expected: number) => {
      const started = Date.now();
      let shown = 0;
      let total = 0;
      while (Date.now() - started < options.timeout * 1000) {
        const entities = await resourceEntities(baseUrl, subscriptionId);
        total = entities.length;
        shown = shownCount(entities, mode, expected, tagged);
        if (shown === expected && (mode === 'none' || total === expected)) {
          return { seconds: (Date.now() - started) / 1000, shown, total };
        }
        await sleep(250);
      }
      return { seconds: undefined, shown, total };
    };

    // The first sync, until every resource is an entity.
    const firstStarted = Date.now();
    const resources = options.resources;
    const first = await waitUntilShown('read-write-tags', resources);
    for (const e of await resourceEntities(baseUrl, subscriptionId)) {
      if (e.spec?.azure?.tags) tagged.add(e.metadata.name);
    }
    const lines = [
      `bench:mode-change on ${machineDescription()}, ${
        options.database
      }: ${resources} resources in one subscription`,
      `first sync to the catalog: ${
        first.seconds === undefined
          ? `not done after ${options.timeout} s (${first.shown} of ${resources})`
          : `${((Date.now() - firstStarted) / 1000).toFixed(1)} s`
      }`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);

    const figures: Array<{
      from: SyncMode;
      to: SyncMode;
      seconds?: number;
      shown: number;
    }> = [];
    let from: SyncMode = 'read-write-tags';
    for (const to of CHANGES) {
      const response = await fetch(
        `${baseUrl}/api/azure-tenant/subscriptions/${subscriptionId}/sync-mode`,
        {
          method: 'PUT',
          headers: {
            authorization: asUser,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ syncMode: to }),
        },
      );
      if (!response.ok) {
        throw new Error(`PUT sync-mode ${to}: ${response.status}`);
      }
      const result = await waitUntilShown(to, resources);
      figures.push({ from, to, seconds: result.seconds, shown: result.shown });
      process.stdout.write(
        `${`${from} -> ${to}:`.padEnd(36)}${
          result.seconds === undefined
            ? `not shown by every entity after ${options.timeout} s (${result.shown} of ${resources})`
            : `${result.seconds.toFixed(1)} s`
        }\n`,
      );
      from = to;
    }
    process.stdout.write(
      `${JSON.stringify({
        machine: machineDescription(),
        database: options.database,
        resources,
        changes: figures,
      })}\n`,
    );
  } finally {
    await backend?.stop();
    if (options.database === 'postgres') await dropTestDatabases();
    emulator.process.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
