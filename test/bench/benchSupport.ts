/*
 * What the benchmarks share: the Azure emulator in its own process (so its memory and CPU are not counted in the
 * benchmark's), its control API, and the plugin's database (SQLite in a file, or a fresh PostgreSQL database).
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import https from 'node:https';
import inspector from 'node:inspector/promises';
import path from 'node:path';
import readline from 'node:readline';
import knexFactory, { Knex } from 'knex';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { AzureConnection } from '../../plugins/azure-tenant-backend/src/azure/azureConnection';
import { readAzureTenantConfig } from '../../plugins/azure-tenant-backend/src/config/AzureTenantConfig';
import { DatabaseAzureTenantStore } from '../../plugins/azure-tenant-backend/src/database/DatabaseAzureTenantStore';
import { migrateDatabase } from '../../plugins/azure-tenant-backend/src/database/migrations';
import { DatabaseResourceStore } from '../../plugins/azure-tenant-backend/src/database/DatabaseResourceStore';
import { ResourceSyncer } from '../../plugins/azure-tenant-backend/src/sync/ResourceSyncer';
import { ResourceSyncService } from '../../plugins/azure-tenant-backend/src/sync/ResourceSyncService';
import { readSyncConfig } from '../../plugins/azure-tenant-backend/src/sync/SyncConfig';
import { DatabaseSyncClaims } from '../../plugins/azure-tenant-backend/src/sync/claims/DatabaseSyncClaims';
import { DatabaseQuotaBudget } from '../../plugins/azure-tenant-backend/src/azure/quota/DatabaseQuotaBudget';
import { readQuotaConfig } from '../../plugins/azure-tenant-backend/src/azure/quota/QuotaConfig';

export const repoRoot = path.resolve(__dirname, '../..');
export const DEMO_TENANT_ID = DEMO_TENANT.id;
export const DEMO_CLIENT_ID = DEMO_APP.clientId;
export const DEMO_CLIENT_SECRET = DEMO_APP.clientSecret;

/** The database a benchmark runs on. */
export type BenchDatabase = 'sqlite' | 'postgres';

/** An emulator started by {@link startEmulator}. */
export interface RunningEmulator {
  process: ChildProcess;
  url: string;
  caCert: string;
  caCertFile: string;
}

/** Starts the emulator's command line with a generated tenant and no throttling, and waits for its ready line. */
export async function startEmulator(options: {
  generate: { subscriptions: number; resources: number; days: number };
  stateDir: string;
  /** Azure's throttling in the emulator (`--throttling`); off unless asked for. */
  throttling?: 'on' | 'off';
}): Promise<RunningEmulator> {
  const { subscriptions, resources, days } = options.generate;
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'packages/azure-emulator/bin/azure-emulator.js'),
      '--port',
      '0',
      '--state-dir',
      options.stateDir,
      '--throttling',
      options.throttling ?? 'off',
      '--generate',
      `subscriptions=${subscriptions},resources=${resources},days=${days},seed=1`,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = readline.createInterface({ input: child.stdout! });
  const ready = await new Promise<any>((resolve, reject) => {
    lines.on('line', line => {
      if (line.startsWith('{')) resolve(JSON.parse(line));
    });
    child.on('exit', code =>
      reject(new Error(`the emulator exited with ${code}`)),
    );
  });
  return {
    process: child,
    url: ready.url,
    caCertFile: ready.caCertFile,
    caCert: fs.readFileSync(ready.caCertFile, 'utf8'),
  };
}

/** Calls the emulator's control API (`/_emulator/<route>`). */
export function control(
  emulator: RunningEmulator,
  method: string,
  route: string,
  body?: unknown,
): Promise<any> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      `${emulator.url}/_emulator/${route}`,
      {
        method,
        ca: emulator.caCert,
        headers: { 'content-type': 'application/json' },
      },
      response => {
        let text = '';
        response.on('data', chunk => (text += chunk));
        response.on('end', () => {
          if ((response.statusCode ?? 500) >= 400) {
            reject(
              new Error(`${method} ${route}: ${response.statusCode} ${text}`),
            );
          } else {
            resolve(text ? JSON.parse(text) : undefined);
          }
        });
      },
    );
    request.on('error', reject);
    request.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Consents the demo app in the demo tenant and makes its service principal Reader on every subscription. */
export async function grantDemoAppReader(
  emulator: RunningEmulator,
): Promise<Array<{ subscriptionId: string; tenantId: string }>> {
  const principal = await control(emulator, 'POST', 'consents', {
    tenantId: DEMO_TENANT_ID,
    clientId: DEMO_CLIENT_ID,
  });
  const state = await control(emulator, 'GET', 'state');
  const subscriptions: Array<{ subscriptionId: string; tenantId: string }> =
    state.subscriptions;
  for (const { subscriptionId } of subscriptions) {
    await control(emulator, 'POST', 'role-assignments', {
      scope: `/subscriptions/${subscriptionId}`,
      principalId: principal.objectId,
      role: 'Reader',
    });
  }
  return subscriptions;
}

/** The `azureTenant` settings that point the plugin at the emulator: the demo app, its endpoints and its CA. */
export function emulatorAzureTenant(
  emulator: Pick<RunningEmulator, 'url' | 'caCertFile'>,
) {
  return {
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    authorityHost: emulator.url,
    armEndpoint: emulator.url,
    caCertFile: emulator.caCertFile,
  };
}

/**
 * The plugin's resource sync on the benchmark's database, against the emulator: the demo app consented with Reader
 * on every subscription, those subscriptions registered (`read-write-tags`), and the real sync service with the real
 * SDKs over TLS. `azureTenant` is merged over the emulator's settings.
 */
export async function createResourceSync(options: {
  knex: Knex;
  emulator: RunningEmulator;
  azureTenant?: JsonObject;
  /** Shares Azure's quotas and the subscriptions through the database, as plugin.ts wires the sync. */
  shareThroughDatabase?: boolean;
}) {
  const { knex, emulator } = options;
  const subscriptions = await grantDemoAppReader(emulator);
  await migrateDatabase(knex);
  const sync = createSyncService(options);
  const at = new Date();
  await sync.tenantStore.register(
    { tenantId: DEMO_TENANT_ID, source: 'config', at },
    subscriptions.map(s => ({
      subscriptionId: s.subscriptionId,
      tenantId: s.tenantId,
      displayName: s.subscriptionId,
      source: 'config' as const,
      grantedRoles: [],
      roleStatus: 'unknown' as const,
      initialSyncMode: 'read-write-tags' as const,
      at,
    })),
  );
  return { subscriptions, ...sync };
}

/**
 * The plugin's sync service on a database that is migrated and holds the subscriptions already, against the
 * emulator: what each replica of the sync benchmark builds in its own process. `service` is handed to the
 * service's constructor (for a replica: its claims and its id).
 */
export function createSyncService(options: {
  knex: Knex;
  emulator: Pick<RunningEmulator, 'url' | 'caCertFile'>;
  azureTenant?: JsonObject;
  /**
   * Shares Azure's quotas (`DatabaseQuotaBudget`) and the subscriptions (`DatabaseSyncClaims`) through the database,
   * as plugin.ts wires the sync; without it, a service on its own as before replicas shared anything.
   */
  shareThroughDatabase?: boolean;
  service?: Record<string, unknown>;
}) {
  const { knex, emulator, shareThroughDatabase } = options;
  const config = new ConfigReader({
    app: { baseUrl: 'http://127.0.0.1:3999' },
    backend: { baseUrl: 'http://127.0.0.1:7999' },
    azureTenant: { ...emulatorAzureTenant(emulator), ...options.azureTenant },
  });
  const connection = new AzureConnection(
    readAzureTenantConfig(config)!,
    shareThroughDatabase
      ? {
          sharedQuota: {
            budget: new DatabaseQuotaBudget(knex),
            quotas: readQuotaConfig(config),
          },
        }
      : {},
  );
  const tenantStore = new DatabaseAzureTenantStore(knex);
  const resources = new DatabaseResourceStore(knex);
  const syncConfig = readSyncConfig(config);
  const service = new ResourceSyncService({
    store: tenantStore,
    syncer: new ResourceSyncer({
      connection,
      store: resources,
      config: syncConfig,
      logger: quietLogger,
    }),
    scheduler: { triggerTask: async () => {} } as any,
    events: { publish: async () => {}, subscribe: async () => {} },
    config: syncConfig,
    logger: quietLogger,
    ...(shareThroughDatabase ? { claims: new DatabaseSyncClaims(knex) } : {}),
    ...options.service,
  });
  return { config, connection, tenantStore, resources, service };
}

/** The plugin's database for one benchmark run. */
export interface BenchDatabaseHandle {
  knex: Knex;
  /** Where another process opens the same database: the SQLite file, or the PostgreSQL database's URL. */
  connection: string;
  /** Bytes on disk: the SQLite file (with its WAL), or `pg_database_size`. */
  sizeBytes(): Promise<number>;
  drop(): Promise<void>;
}

/**
 * SQLite in a file in `dir`, or a fresh PostgreSQL database at BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
 * (default postgresql://postgres@127.0.0.1:5432), dropped afterwards.
 */
export async function openDatabase(
  database: BenchDatabase,
  dir: string,
): Promise<BenchDatabaseHandle> {
  if (database === 'sqlite') {
    const filename = path.join(dir, 'azure-tenant.sqlite');
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
    });
    return {
      knex,
      connection: filename,
      sizeBytes: async () =>
        [filename, `${filename}-wal`]
          .filter(f => fs.existsSync(f))
          .reduce((sum, f) => sum + fs.statSync(f).size, 0),
      drop: () => knex.destroy(),
    };
  }
  const url =
    process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
    'postgresql://postgres@127.0.0.1:5432';
  const name = `azure_tenant_bench_${Date.now()}`;
  const admin = knexFactory({ client: 'pg', connection: url });
  await admin.raw('create database ??', [name]);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const knex = knexFactory({ client: 'pg', connection: target.toString() });
  return {
    knex,
    connection: target.toString(),
    sizeBytes: async () => {
      const result = await knex.raw(
        'select pg_database_size(current_database()) as size',
      );
      return Number(result.rows[0].size);
    },
    drop: async () => {
      await knex.destroy();
      await admin.raw('drop database if exists ?? with (force)', [name]);
      await admin.destroy();
    },
  };
}

/** A logger that keeps warnings and errors only. */
export const quietLogger: LoggerService = {
  error: message => process.stderr.write(`error: ${message}\n`),
  warn: message => process.stderr.write(`warn: ${message}\n`),
  info: () => {},
  debug: () => {},
  child: () => quietLogger,
};

// The load generator's figures, so that every benchmark counts percentiles and describes the machine alike.
export {
  machine as machineDescription,
  percentile,
} from '../../packages/reliability-kit/src/loadGenerator';
import {
  DEMO_APP,
  DEMO_TENANT,
} from '../../packages/azure-emulator/src/model/demoIdentities';

/** Starts V8's CPU profiler in this process; `stop` writes a `.cpuprofile` (for Chrome's DevTools). */
export async function startProfiler() {
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = await session.post('Profiler.stop');
      fs.writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** Peak and current resident memory of a process, in MB, from /proc/<pid>/status (VmHWM, VmRSS); Linux only. */
export function processMemoryMb(pid: number): {
  peakRssMb: number;
  rssMb: number;
} {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : NaN;
  };
  return {
    peakRssMb: Math.round(kb('VmHWM') / 1024),
    rssMb: Math.round(kb('VmRSS') / 1024),
  };
}

/** User plus system CPU time a process has used, in seconds, from /proc/<pid>/stat; Linux only. */
export function processCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces), from field 3 on: utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Clock ticks are 100 per second on every Linux the benchmarks run on (getconf CLK_TCK).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The 1, 5 and 15 minute load averages, rounded, as benchmarks print them next to their figures. */
export function loadAverage(): number[] {
  return os.loadavg().map(l => Number(l.toFixed(2)));
}
