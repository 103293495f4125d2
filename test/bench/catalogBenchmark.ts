/*
 * bench:catalog — how long Azure entities take to reach Backstage's catalog, what they cost it once they are in, and
 * the same for as many plain entities from a trivial provider (the catalog's own limit on this machine).
 *
 *   npm run bench:catalog -- --subscriptions 4 --resources 4000 [--database sqlite|postgres] [--replicas 1]
 *     [--level resources|resource-groups|subscriptions] [--processing-interval default|<seconds>]
 *     [--stitch-polling <seconds>] [--window 120] [--timeout 900] [--trivial yes|no] [--relations yes|no]
 *
 * The real chain, each part in its own process: the Azure emulator with a generated tenant, then backend replicas
 * (catalogBench/benchBackend.ts: backend-defaults' real services with Backstage's mock auth, the catalog, the events
 * plugin, our backend plugin and our catalog module) on a SQLite directory or a fresh PostgreSQL database per run
 * (BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING, default postgresql://postgres@127.0.0.1:5432; dropped
 * afterwards). It reads the catalog's own tables to see what is in: an entity is in once its `final_entities` row has
 * a `final_entity`, and ours are the ones whose `refresh_state_references.source_key` is our provider's name.
 *
 * It prints, with the load average before and after every run: the time from starting the backend until every
 * entity is in, and the catalog's part of it (from our first entity in `refresh_state`); entities/s; peak RSS
 * (VmHWM) of every process; the re-stitches (`final_entities` rows whose hash changed) after a no-change re-sync of
 * every subscription; the backend's CPU seconds per hour over a steady window once everything is in (with the
 * processing loop running); and, with --relations, what one changed resource and one new resource of the largest
 * subscription cost (time and backend CPU until stitched, and whether the subscription's entity was re-stitched).
 * Each wait is bounded by --timeout seconds, the steady window by --window.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import knexFactory, { Knex } from 'knex';
import {
  azureResourceEntityRef,
  azureSubscriptionEntityRef,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  asService,
  asUser,
  freePort,
} from '../../packages/reliability-kit/src';
import {
  control,
  DEMO_TENANT_ID,
  emulatorAzureTenant,
  grantDemoAppReader,
  machineDescription,
  repoRoot,
  RunningEmulator,
  startEmulator,
} from './benchSupport';
import { TRIVIAL_PROVIDER_NAME } from './catalogBench/trivialProviderModule';

type Level = 'resources' | 'resource-groups' | 'subscriptions';

interface Options {
  subscriptions: number;
  resources: number;
  database: 'sqlite' | 'postgres';
  replicas: number;
  level: Level;
  /** `catalog.processingInterval` in seconds; undefined for the catalog's default (100–150 s). */
  processingInterval?: number;
  /** `catalog.stitchingStrategy.pollingInterval` in seconds; undefined for the default (1 s). */
  stitchPolling?: number;
  window: number;
  timeout: number;
  trivial: boolean;
  relations: boolean;
}

const AZURE_PROVIDER_NAME = 'azure-tenant';
const POSTGRES_URL =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://postgres@127.0.0.1:5432';

function parseOptions(args: string[]): Options {
  const options: Options = {
    subscriptions: 4,
    resources: 1000,
    database: 'sqlite',
    replicas: 1,
    level: 'resources',
    window: 120,
    timeout: 900,
    trivial: true,
    relations: true,
  };
  const positive = (name: string, value: string) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) {
      throw new Error(`--${name} must be a positive whole number`);
    }
    return number;
  };
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i].replace(/^--/, '');
    const value = args[i + 1] ?? '';
    switch (name) {
      case 'database':
        if (value !== 'sqlite' && value !== 'postgres') {
          throw new Error('--database is sqlite or postgres');
        }
        options.database = value;
        break;
      case 'level':
        if (
          !['resources', 'resource-groups', 'subscriptions'].includes(value)
        ) {
          throw new Error(
            '--level is resources, resource-groups or subscriptions',
          );
        }
        options.level = value as Level;
        break;
      case 'processing-interval':
        options.processingInterval =
          value === 'default' ? undefined : positive(name, value);
        break;
      case 'stitch-polling':
        options.stitchPolling = positive(name, value);
        break;
      case 'trivial':
      case 'relations':
        if (value !== 'yes' && value !== 'no') {
          throw new Error(`--${name} is yes or no`);
        }
        options[name] = value === 'yes';
        break;
      case 'subscriptions':
      case 'resources':
      case 'replicas':
      case 'window':
      case 'timeout':
        options[name] = positive(name, value);
        break;
      default:
        throw new Error(`Unknown argument ${args[i]}`);
    }
  }
  if (options.database === 'sqlite' && options.replicas > 1) {
    throw new Error('--replicas above 1 needs --database postgres');
  }
  return options;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const load = () =>
  os
    .loadavg()
    .map(l => l.toFixed(2))
    .join(' ');
const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** Peak resident memory (VmHWM) of a process, in MB. */
function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** User and system CPU time of a process, in seconds (Linux counts them in 100 Hz ticks). */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A backend replica in its own process. */
interface Replica {
  process: ChildProcess;
  baseUrl: string;
}

async function startReplica(
  kind: 'azure' | 'trivial',
  config: object,
  logFile: string,
): Promise<ChildProcess> {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require('@backstage/cli/config/nodeTransform.cjs'); require(${JSON.stringify(
        path.join(__dirname, 'catalogBench/benchBackend.ts'),
      )});`,
    ],
    {
      cwd: path.join(repoRoot, 'packages/backend'),
      env: {
        ...process.env,
        NODE_ENV: 'development',
        BENCH_BACKEND_KIND: kind,
        BENCH_BACKEND_CONFIG: JSON.stringify(config),
      },
      stdio: ['ignore', 'pipe', log],
    },
  );
  const lines = readline.createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    lines.on('line', line => {
      if (line.startsWith('{"event":"ready"')) resolve();
    });
    child.once('exit', code =>
      reject(new Error(`a backend exited with ${code}; see ${logFile}`)),
    );
  });
  return child;
}

async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise<void>(resolve => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The database of one run: a SQLite directory, or PostgreSQL databases under a fresh prefix. */
function databaseOf(options: Options, dir: string, name: string) {
  if (options.database === 'sqlite') {
    const directory = path.join(dir, `${name}-db`);
    fs.mkdirSync(directory, { recursive: true });
    return {
      config: { client: 'better-sqlite3', connection: { directory } },
      catalog: () =>
        knexFactory({
          client: 'better-sqlite3',
          connection: { filename: path.join(directory, 'catalog.sqlite') },
          useNullAsDefault: true,
        }),
      drop: async () => {},
    };
  }
  const prefix = `bench_catalog_${Date.now()}_${name}_`;
  return {
    config: { client: 'pg', connection: POSTGRES_URL, prefix },
    catalog: () => {
      const url = new URL(POSTGRES_URL);
      url.pathname = `/${prefix}catalog`;
      return knexFactory({ client: 'pg', connection: url.toString() });
    },
    drop: async () => {
      const admin = knexFactory({ client: 'pg', connection: POSTGRES_URL });
      try {
        const { rows } = await admin.raw('select datname from pg_database');
        for (const { datname } of rows) {
          if (datname.startsWith(prefix)) {
            await admin.raw('drop database if exists ?? with (force)', [
              datname,
            ]);
          }
        }
      } finally {
        await admin.destroy();
      }
    },
  };
}

/** The catalog's settings that the bench varies, as config. */
function catalogSettings(options: Options) {
  return {
    rules: [{ allow: ['Resource', 'Group', 'User'] }],
    ...(options.processingInterval
      ? { processingInterval: { seconds: options.processingInterval } }
      : {}),
    ...(options.stitchPolling
      ? {
          stitchingStrategy: {
            pollingInterval: { seconds: options.stitchPolling },
          },
        }
      : {}),
  };
}

/** How many of a provider's entities the catalog has: in `refresh_state`, and in `final_entities` with content. */
async function providerCounts(catalog: Knex, provider: string) {
  const refs = catalog('refresh_state_references')
    .where('source_key', provider)
    .select('target_entity_ref');
  const [{ known }] = await catalog('refresh_state')
    .whereIn('entity_ref', refs.clone())
    .count({ known: '*' });
  const [{ done }] = await catalog('final_entities')
    .whereIn('entity_ref', refs.clone())
    .whereNotNull('final_entity')
    .count({ done: '*' });
  return { known: Number(known), done: Number(done) };
}

/** Every final entity of a provider, with its hash, by entity ref. */
async function finalHashes(
  catalog: Knex,
  provider: string,
): Promise<Map<string, { hash: string; entity: string }>> {
  const rows = await catalog('final_entities')
    .whereIn(
      'entity_ref',
      catalog('refresh_state_references')
        .where('source_key', provider)
        .select('target_entity_ref'),
    )
    .select('entity_ref', 'hash', 'final_entity');
  return new Map(
    rows.map((r: any) => [
      r.entity_ref,
      { hash: r.hash, entity: r.final_entity },
    ]),
  );
}

/** The paths of the leaves that differ between two JSON values. */
function changedPaths(a: unknown, b: unknown, at = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (
    a &&
    b &&
    typeof a === 'object' &&
    typeof b === 'object' &&
    !Array.isArray(a) &&
    !Array.isArray(b)
  ) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap(k =>
      changedPaths((a as any)[k], (b as any)[k], at ? `${at}.${k}` : k),
    );
  }
  return [at || '(root)'];
}

/**
 * How many final entities were stitched with a new hash between two snapshots, and which fields changed (counted
 * over the changed entities), so that a report says what made them change.
 */
function restitches(
  before: Map<string, { hash: string; entity: string }>,
  after: Map<string, { hash: string; entity: string }>,
) {
  let changed = 0;
  const fields = new Map<string, number>();
  for (const [ref, now] of after) {
    const was = before.get(ref);
    if (was?.hash === now.hash) continue;
    changed++;
    const paths = was
      ? changedPaths(JSON.parse(was.entity), JSON.parse(now.entity))
      : ['(new)'];
    for (const p of paths) fields.set(p, (fields.get(p) ?? 0) + 1);
  }
  return {
    changed,
    fields: Object.fromEntries(
      [...fields].sort((x, y) => y[1] - x[1]).slice(0, 5),
    ),
  };
}

type Restitches = ReturnType<typeof restitches>;

interface Arrival {
  /** From starting the first backend until every entity was in. */
  totalMs: number;
  /** From the provider's first entity in `refresh_state` until every entity was in. */
  catalogMs: number;
  entities: number;
}

/**
 * Waits until every entity of a provider is in `final_entities`: as many as are in `refresh_state` (at least
 * `expected`), once neither number has changed for `settleMs` (15 s) after `ready()` holds. The time is taken at the
 * last change, so the settling wait is not counted.
 */
async function waitForArrival(options: {
  catalog: Knex;
  provider: string;
  startedAt: number;
  expected?: number;
  ready?: () => Promise<boolean>;
  settleMs?: number;
  timeoutMs: number;
}): Promise<Arrival> {
  const { catalog, provider, startedAt, expected, timeoutMs } = options;
  let firstKnownAt: number | undefined;
  let lastChangeAt = Date.now();
  let last = { known: -1, done: -1 };
  let lastReport = 0;
  for (;;) {
    const now = Date.now();
    const counts = await providerCounts(catalog, provider).catch(() => ({
      known: 0,
      done: 0,
    }));
    if (counts.known > 0 && firstKnownAt === undefined) firstKnownAt = now;
    if (counts.known !== last.known || counts.done !== last.done) {
      lastChangeAt = now;
      last = counts;
    }
    if (now - lastReport > 15_000) {
      process.stderr.write(
        `  ${seconds(now - startedAt)} s: ${counts.done} in final_entities, ${
          counts.known
        } in refresh_state (load ${load()})\n`,
      );
      lastReport = now;
    }
    const complete =
      counts.known >= (expected ?? 1) &&
      counts.done === counts.known &&
      (await (options.ready?.() ?? Promise.resolve(true))) &&
      now - lastChangeAt >= (options.settleMs ?? 15_000);
    if (complete) {
      return {
        totalMs: lastChangeAt - startedAt,
        catalogMs: lastChangeAt - (firstKnownAt ?? startedAt),
        entities: counts.done,
      };
    }
    if (now - startedAt > timeoutMs) {
      throw new Error(
        `not every entity of ${provider} reached the catalog within ${
          timeoutMs / 1000
        } s: ${counts.done} in final_entities, ${
          counts.known
        } in refresh_state${
          expected !== undefined ? `, ${expected} expected` : ''
        }`,
      );
    }
    await sleep(500);
  }
}

/** Waits until no stitch is queued (the catalog has stitched what it was asked to). */
async function waitForStitchQueue(catalog: Knex, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ queued }] = await catalog('stitch_queue').count({ queued: '*' });
    if (Number(queued) === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`${queued} stitches still queued after ${timeoutMs} ms`);
    }
    await sleep(500);
  }
}

async function api(baseUrl: string, method: string, route: string) {
  const response = await fetch(`${baseUrl}/api/azure-tenant${route}`, {
    method,
    headers: { authorization: asUser },
  });
  if (!response.ok) {
    throw new Error(`${method} ${route}: ${response.status}`);
  }
  return response.json();
}

/** Whether every subscription's last sync succeeded after `since`. */
async function syncedSince(baseUrl: string, since: number) {
  const { items } = await api(baseUrl, 'GET', '/subscriptions');
  return items.every(
    (s: any) =>
      s.lastSync?.status === 'succeeded' &&
      Date.parse(s.lastSync.finishedAt) >= since,
  );
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(500);
  }
}

/** Every synced resource, from the plugin's feed for the catalog (as a service). */
async function syncedResources(
  baseUrl: string,
): Promise<Array<{ resourceId: string; subscriptionId: string }>> {
  const all: Array<{ resourceId: string; subscriptionId: string }> = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({
      limit: '1000',
      ...(cursor ? { cursor } : {}),
    });
    const response = await fetch(
      `${baseUrl}/api/azure-tenant/catalog/resources?${query}`,
      { headers: { authorization: asService } },
    );
    if (!response.ok) {
      throw new Error(`GET catalog/resources: ${response.status}`);
    }
    const page = await response.json();
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** Samples the CPU time of the replicas over `windowS` seconds: CPU seconds per hour, summed over replicas. */
async function steadyCpu(pids: number[], windowS: number) {
  const before = pids.map(cpuSeconds);
  await sleep(windowS * 1000);
  const used = pids
    .map(cpuSeconds)
    .reduce((sum, after, i) => sum + after - before[i], 0);
  return { cpuSeconds: used, perHour: (used / windowS) * 3600 };
}

/** A final entity's hash, relation count and size, by entity ref. */
async function finalSummary(catalog: Knex, entityRef: string) {
  const row = await catalog('final_entities')
    .whereRaw('lower(entity_ref) = ?', [entityRef.toLowerCase()])
    .first('hash', 'final_entity');
  const entity = row?.final_entity ? JSON.parse(row.final_entity) : undefined;
  return {
    hash: row?.hash as string | undefined,
    relations: (entity?.relations?.length ?? 0) as number,
    bytes: (row?.final_entity?.length ?? 0) as number,
  };
}

async function finalEntity(catalog: Knex, entityRef: string) {
  const row = await catalog('final_entities')
    .whereRaw('lower(entity_ref) = ?', [entityRef.toLowerCase()])
    .first('final_entity');
  return row?.final_entity ? JSON.parse(row.final_entity) : undefined;
}

interface AzureRun {
  arrival: Arrival;
  syncMs: number;
  rssMb: Record<string, number>;
  restitchesAfterResync: Restitches;
  resyncMs: number;
  steady: { cpuSeconds: number; perHour: number; restitches: Restitches };
  relations?: Relations;
  loadBefore: string;
  loadAfter: string;
}

async function runAzure(
  options: Options,
  dir: string,
  emulator: RunningEmulator,
  subscriptionIds: string[],
): Promise<AzureRun> {
  const loadBefore = load();
  const database = databaseOf(options, dir, 'azure');
  const replicas: Replica[] = [];
  const catalog = database.catalog();
  try {
    const startedAt = Date.now();
    for (let i = 0; i < options.replicas; i++) {
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const config = {
        app: { baseUrl: 'http://localhost:3000' },
        backend: {
          baseUrl,
          listen: { host: '127.0.0.1', port },
          database: database.config,
        },
        catalog: {
          ...catalogSettings(options),
          providers: {
            azureTenant: {
              defaultOwner: 'group:default/azure-admins',
              // The demo portal's poll; events bring the changes at once.
              schedule: {
                frequency: { seconds: 30 },
                timeout: { minutes: 10 },
              },
              entities: { level: options.level },
            },
          },
        },
        azureTenant: {
          ...emulatorAzureTenant(emulator),
          tenants: [
            {
              tenantId: DEMO_TENANT_ID,
              displayName: 'Generated',
              subscriptions: subscriptionIds.map(subscriptionId => ({
                subscriptionId,
              })),
            },
          ],
          // Only the first sync and the ones the bench asks for; no spend work.
          sync: { frequency: { hours: 24 } },
          spend: {
            schedule: {
              frequency: { hours: 24 },
              timeout: { minutes: 5 },
              initialDelay: { hours: 24 },
            },
          },
        },
      };
      const child = await startReplica(
        'azure',
        config,
        path.join(dir, `azure-${i + 1}.log`),
      );
      replicas.push({ process: child, baseUrl });
    }
    const [first] = replicas;

    // The first sync, then every entity into the catalog.
    let syncMs = 0;
    const syncDone = waitFor(
      'the first sync',
      () => syncedSince(first.baseUrl, 0),
      options.timeout * 1000,
    ).then(() => {
      syncMs = Date.now() - startedAt;
    });
    const arrival = await waitForArrival({
      catalog,
      provider: AZURE_PROVIDER_NAME,
      startedAt,
      expected: subscriptionIds.length,
      ready: async () => {
        await syncDone;
        return true;
      },
      timeoutMs: options.timeout * 1000,
    });
    await syncDone;
    const resources = await syncedResources(first.baseUrl);
    await waitForStitchQueue(catalog, options.timeout * 1000);

    // A no-change re-sync of every subscription: nothing should be re-stitched.
    const beforeResync = await finalHashes(catalog, AZURE_PROVIDER_NAME);
    const resyncStarted = Date.now();
    for (const subscriptionId of subscriptionIds) {
      await api(first.baseUrl, 'POST', `/subscriptions/${subscriptionId}/sync`);
    }
    await waitFor(
      'the re-sync',
      () => syncedSince(first.baseUrl, resyncStarted),
      options.timeout * 1000,
    );
    const resyncMs = Date.now() - resyncStarted;
    // The provider acts on the plugin's event at once; give it and the stitcher a bounded while, then count.
    await sleep(10_000);
    await waitForStitchQueue(catalog, options.timeout * 1000);
    const afterResync = await finalHashes(catalog, AZURE_PROVIDER_NAME);
    const restitchesAfterResync = restitches(beforeResync, afterResync);

    // The steady state, with the processing loop running.
    process.stderr.write(`  steady window of ${options.window} s…\n`);
    const pids = replicas.map(r => r.process.pid!);
    const cpu = await steadyCpu(pids, options.window);
    const steadyRestitches = restitches(
      afterResync,
      await finalHashes(catalog, AZURE_PROVIDER_NAME),
    );

    process.stderr.write(
      `  in: ${arrival.entities} entities, ${seconds(
        arrival.totalMs,
      )} s after start (${seconds(
        arrival.catalogMs,
      )} s in the catalog); re-sync: ${describe(
        restitchesAfterResync,
      )}; steady: ${cpu.perHour.toFixed(0)} CPU s/hour, ${describe(
        steadyRestitches,
      )} (load ${load()})\n`,
    );
    let relations: AzureRun['relations'];
    if (options.relations) {
      relations = await measureRelations({
        options,
        emulator,
        catalog,
        baseUrl: first.baseUrl,
        pids,
        resources,
      });
    }

    const rssMb: Record<string, number> = {
      emulator: peakRssMb(emulator.process.pid!),
    };
    replicas.forEach((r, i) => {
      rssMb[`backend-${i + 1}`] = peakRssMb(r.process.pid!);
    });
    return {
      arrival,
      syncMs,
      rssMb,
      restitchesAfterResync,
      resyncMs,
      steady: { ...cpu, restitches: steadyRestitches },
      relations,
      loadBefore,
      loadAfter: load(),
    };
  } finally {
    await catalog.destroy();
    for (const r of replicas) await stopProcess(r.process);
    await database.drop();
  }
}

/**
 * What one changed resource and one new resource of the largest subscription cost the catalog: the time and the
 * backends' CPU from the change in Azure (and a sync asked for) until the catalog has stitched it, and whether the
 * entity it is a `dependencyOf` (its parent: its resource group's entity, or its subscription's), which has a relation
 * to each of its resources, and the subscription's entity were stitched again.
 */
async function measureRelations(options: {
  options: Options;
  emulator: RunningEmulator;
  catalog: Knex;
  baseUrl: string;
  pids: number[];
  resources: Array<{ resourceId: string; subscriptionId: string }>;
}): Promise<Relations | undefined> {
  const { emulator, catalog, baseUrl, pids, resources } = options;
  const timeoutMs = options.options.timeout * 1000;
  const bySubscription = new Map<string, string[]>();
  for (const r of resources) {
    const list = bySubscription.get(r.subscriptionId) ?? [];
    list.push(r.resourceId);
    bySubscription.set(r.subscriptionId, list);
  }
  const [subscriptionId, ids] = [...bySubscription].sort(
    (a, b) => b[1].length - a[1].length,
  )[0];
  const subscriptionRef = azureSubscriptionEntityRef(subscriptionId);
  const cpu = () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);

  // A resource that is an entity (under --level resources, every one not left out by a type preset).
  let resourceId: string | undefined;
  let resource: any;
  for (const id of ids.slice(Math.floor(ids.length / 2)).concat(ids)) {
    resource = await finalEntity(catalog, azureResourceEntityRef(id));
    if (resource) {
      resourceId = id;
      break;
    }
  }
  if (!resourceId) return undefined;
  const parentRef: string =
    resource.relations?.find((r: any) => r.type === 'dependencyOf')
      ?.targetRef ?? subscriptionRef;
  const parentBefore = await finalSummary(catalog, parentRef);
  const subscriptionBefore = await finalSummary(catalog, subscriptionRef);

  const marker = `bench-${Date.now()}`;
  let started = Date.now();
  let cpuStart = cpu();
  await control(emulator, 'PATCH', 'tags', {
    resourceId,
    set: { benchMarker: marker },
  });
  await api(baseUrl, 'POST', `/subscriptions/${subscriptionId}/sync`);
  await waitFor(
    'the changed resource in the catalog',
    async () =>
      (
        await finalEntity(catalog, azureResourceEntityRef(resourceId!))
      )?.spec?.azure?.tags?.benchMarker === marker,
    timeoutMs,
  );
  const tagMs = Date.now() - started;
  await waitForStitchQueue(catalog, timeoutMs);
  const tagCpu = cpu() - cpuStart;
  const parentAfterTag = await finalSummary(catalog, parentRef);
  const subscriptionAfterTag = await finalSummary(catalog, subscriptionRef);

  // /subscriptions/{id}/resourceGroups/{name}/providers/...
  const resourceGroup = resourceId.split('/')[4];
  started = Date.now();
  cpuStart = cpu();
  const added = await control(emulator, 'POST', 'resources', {
    subscriptionId,
    resourceGroup,
    type: 'Microsoft.Storage/storageAccounts',
    name: `benchnew${Date.now() % 1_000_000}`,
  });
  await api(baseUrl, 'POST', `/subscriptions/${subscriptionId}/sync`);
  await waitFor(
    'the new resource and its relation in the catalog',
    async () =>
      Boolean(await finalEntity(catalog, azureResourceEntityRef(added.id))) &&
      (await finalSummary(catalog, parentRef)).relations >
        parentAfterTag.relations,
    timeoutMs,
  );
  const addMs = Date.now() - started;
  await waitForStitchQueue(catalog, timeoutMs);
  const addCpu = cpu() - cpuStart;
  const parentAfterAdd = await finalSummary(catalog, parentRef);
  const subscriptionAfterAdd = await finalSummary(catalog, subscriptionRef);
  return {
    subscriptionResources: ids.length,
    parentRef,
    parentRelations: parentBefore.relations,
    parentBytes: parentBefore.bytes,
    subscriptionRelations: subscriptionBefore.relations,
    tagChange: {
      ms: tagMs,
      cpuSeconds: tagCpu,
      parentRestitched: parentAfterTag.hash !== parentBefore.hash,
      subscriptionRestitched:
        subscriptionAfterTag.hash !== subscriptionBefore.hash,
    },
    newResource: {
      ms: addMs,
      cpuSeconds: addCpu,
      parentRestitched: parentAfterAdd.hash !== parentAfterTag.hash,
      subscriptionRestitched:
        subscriptionAfterAdd.hash !== subscriptionAfterTag.hash,
    },
  };
}

interface RelationsChange {
  ms: number;
  cpuSeconds: number;
  parentRestitched: boolean;
  subscriptionRestitched: boolean;
}

interface Relations {
  subscriptionResources: number;
  parentRef: string;
  parentRelations: number;
  parentBytes: number;
  subscriptionRelations: number;
  tagChange: RelationsChange;
  newResource: RelationsChange;
}

interface TrivialRun {
  arrival: Arrival;
  rssMb: number;
  steady: { cpuSeconds: number; perHour: number; restitches: Restitches };
  loadBefore: string;
  loadAfter: string;
}

async function runTrivial(
  options: Options,
  dir: string,
  entities: number,
): Promise<TrivialRun> {
  const loadBefore = load();
  const database = databaseOf(options, dir, 'trivial');
  const catalog = database.catalog();
  const children: ChildProcess[] = [];
  try {
    const startedAt = Date.now();
    for (let i = 0; i < options.replicas; i++) {
      const port = await freePort();
      children.push(
        await startReplica(
          'trivial',
          {
            app: { baseUrl: 'http://localhost:3000' },
            backend: {
              baseUrl: `http://127.0.0.1:${port}`,
              listen: { host: '127.0.0.1', port },
              database: database.config,
            },
            catalog: catalogSettings(options),
            bench: { trivialEntities: entities },
          },
          path.join(dir, `trivial-${i + 1}.log`),
        ),
      );
    }
    const arrival = await waitForArrival({
      catalog,
      provider: TRIVIAL_PROVIDER_NAME,
      startedAt,
      expected: entities,
      timeoutMs: options.timeout * 1000,
    });
    await waitForStitchQueue(catalog, options.timeout * 1000);
    const before = await finalHashes(catalog, TRIVIAL_PROVIDER_NAME);
    process.stderr.write(`  steady window of ${options.window} s…\n`);
    const cpu = await steadyCpu(
      children.map(c => c.pid!),
      options.window,
    );
    const steadyRestitches = restitches(
      before,
      await finalHashes(catalog, TRIVIAL_PROVIDER_NAME),
    );
    return {
      arrival,
      rssMb: Math.max(...children.map(c => peakRssMb(c.pid!))),
      steady: { ...cpu, restitches: steadyRestitches },
      loadBefore,
      loadAfter: load(),
    };
  } finally {
    await catalog.destroy();
    for (const child of children) await stopProcess(child);
    await database.drop();
  }
}

function describe(r: Restitches) {
  const fields = Object.entries(r.fields)
    .map(([field, n]) => `${field} ${n}`)
    .join(', ');
  return `${r.changed} re-stitches${fields ? ` (changed: ${fields})` : ''}`;
}

export async function main(args: string[]) {
  const options = parseOptions(args);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-catalog-'));
  const settings = `processingInterval ${
    options.processingInterval ? `${options.processingInterval} s` : 'default'
  }, stitch polling ${options.stitchPolling ?? 1} s`;
  process.stderr.write(
    `bench:catalog: ${options.subscriptions} subscriptions, ${options.resources} resources, ${options.database}, ${options.replicas} replica(s), level ${options.level}, ${settings}; each wait bounded by ${options.timeout} s, steady window ${options.window} s\n`,
  );
  let emulator: RunningEmulator | undefined;
  try {
    emulator = await startEmulator({
      generate: {
        subscriptions: options.subscriptions,
        resources: options.resources,
        days: 1,
      },
      stateDir: path.join(dir, 'emulator'),
    });
    const subscriptionIds = (await grantDemoAppReader(emulator)).map(
      s => s.subscriptionId,
    );

    process.stderr.write('Our entities (emulator -> sync -> catalog)…\n');
    const azure = await runAzure(options, dir, emulator, subscriptionIds);
    const azureRate = azure.arrival.entities / (azure.arrival.catalogMs / 1000);
    const lines = [
      '',
      `bench:catalog on ${machineDescription()}: ${options.database}, ${
        options.replicas
      } replica(s), level ${options.level}, ${settings}`,
      `ours: ${azure.arrival.entities} entities (${options.subscriptions} subscriptions, ${options.resources} resources asked); load ${azure.loadBefore} before, ${azure.loadAfter} after`,
      `  first sync done:            ${seconds(azure.syncMs)} s after start`,
      `  every entity in the catalog: ${seconds(
        azure.arrival.totalMs,
      )} s after start; ${seconds(
        azure.arrival.catalogMs,
      )} s from the first in refresh_state, ${azureRate.toFixed(1)} entities/s`,
      `  no-change re-sync:          ${seconds(azure.resyncMs)} s, ${describe(
        azure.restitchesAfterResync,
      )}`,
      `  steady state:               ${azure.steady.perHour.toFixed(
        0,
      )} CPU s/hour (${azure.steady.cpuSeconds.toFixed(1)} s in ${
        options.window
      } s), ${describe(azure.steady.restitches)} in the window`,
      `  peak RSS:                   ${Object.entries(azure.rssMb)
        .map(([name, mb]) => `${name} ${mb} MB`)
        .join(', ')}`,
    ];
    if (azure.relations) {
      const r = azure.relations;
      const change = (c: RelationsChange) =>
        `${seconds(c.ms)} s, ${c.cpuSeconds.toFixed(
          1,
        )} CPU s until stitched; parent re-stitched: ${
          c.parentRestitched ? 'yes' : 'no'
        }, subscription re-stitched: ${
          c.subscriptionRestitched ? 'yes' : 'no'
        }`;
      lines.push(
        `  a subscription of ${r.subscriptionResources} resources (${
          r.subscriptionRelations
        } relations); a resource's parent ${r.parentRef}: ${
          r.parentRelations
        } relations, final entity ${Math.round(r.parentBytes / 1024)} kB`,
        `    a changed tag:  ${change(r.tagChange)}`,
        `    a new resource: ${change(r.newResource)}`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);

    let trivial: TrivialRun | undefined;
    if (options.trivial) {
      process.stderr.write(
        `Trivial provider, ${azure.arrival.entities} entities…\n`,
      );
      trivial = await runTrivial(options, dir, azure.arrival.entities);
      const trivialRate =
        trivial.arrival.entities / (trivial.arrival.catalogMs / 1000);
      process.stdout.write(
        `${[
          `trivial: ${trivial.arrival.entities} entities; load ${trivial.loadBefore} before, ${trivial.loadAfter} after`,
          `  every entity in the catalog: ${seconds(
            trivial.arrival.totalMs,
          )} s after start; ${seconds(
            trivial.arrival.catalogMs,
          )} s from the first in refresh_state, ${trivialRate.toFixed(
            1,
          )} entities/s`,
          `  steady state:               ${trivial.steady.perHour.toFixed(
            0,
          )} CPU s/hour, ${describe(trivial.steady.restitches)} in the window`,
          `  peak RSS:                   backend ${trivial.rssMb} MB`,
          `ours / trivial: ${((azureRate / trivialRate) * 100).toFixed(
            0,
          )}% of the catalog's rate (goal >= 90%), steady CPU ${(
            azure.steady.perHour / trivial.steady.perHour
          ).toFixed(2)}x`,
        ].join('\n')}\n`,
      );
    }
    process.stdout.write(
      `${JSON.stringify({
        machine: machineDescription(),
        options,
        azure: { ...azure, entitiesPerSecond: azureRate },
        trivial,
      })}\n`,
    );
  } finally {
    if (emulator) await stopProcess(emulator.process);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
