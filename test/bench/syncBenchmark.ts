/*
 * bench:sync — a full resource sync through the real code path, then a no-change re-sync.
 *
 *   npm run bench:sync -- --subscriptions 1000 --resources 1000000 [--database sqlite|postgres] [--concurrency 4]
 *                         [--provider off|resources|resource-groups] [--replicas N] [--sharing database|none]
 *                         [--throttling off|on] [--timeout-minutes 30]
 *                         [--profile <file.cpuprofile>] [--profile-phase full|resync]
 *
 * It starts the Azure emulator in its own process with a generated tenant (so its memory is not counted), then in
 * this process: the plugin's database (SQLite in a temporary file, or a fresh PostgreSQL database at
 * BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING, default postgresql://postgres@127.0.0.1:5432) and the sync
 * (the real Azure SDKs over TLS, trusting the emulator's CA). The sync into the plugin's database is measured on its
 * own: from its start until every resource is stored. The catalog module's entity provider then runs separately
 * (its mutations are counted instead of written to a catalog): by default up to 100,000 resources, off above, since
 * its full run holds every entity in memory at once and no catalog ingests a million entities.
 *
 * Each run is bounded: it stops after --timeout-minutes (default 30), killing the emulator, and fails.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import knexFactory from 'knex';
import {
  AzureTenantEntitiesConfig,
  AzureTenantEntityProvider,
} from '@azure-tenant/plugin-catalog-backend-module-azure-tenant';
import {
  BenchDatabase,
  RunningEmulator,
  control,
  createResourceSync,
  createSyncService,
  loadAverage,
  machineDescription,
  openDatabase,
  processCpuSeconds,
  processMemoryMb,
  quietLogger,
  startEmulator,
  startProfiler,
} from './benchSupport';

/** What the catalog module's entity provider builds in the benchmark, or `off`. */
type ProviderRun = 'off' | 'resources' | 'resource-groups';

interface Options {
  subscriptions: number;
  resources: number;
  database: BenchDatabase;
  concurrency: number;
  provider: ProviderRun;
  /** Whether `--provider` was given, rather than chosen by the size. */
  providerChosen: boolean;
  replicas: number;
  /**
   * `database`: Azure's quotas and the subscriptions are shared through the database, as plugin.ts wires the sync;
   * `none`: a service on its own, to see what sharing costs.
   */
  sharing: 'database' | 'none';
  /** Azure's throttling in the emulator. */
  throttling: 'on' | 'off';
  timeoutMinutes: number;
  /** Where to write a CPU profile (`.cpuprofile`, for Chrome's DevTools). */
  profile?: string;
  /** Which phase the profile covers: the full sync into the database, or the no-change re-sync. */
  profilePhase: 'full' | 'resync';
}

/** Above this many resources the provider is off unless `--provider` asks for it. */
const PROVIDER_DEFAULT_LIMIT = 100_000;

/** User and system CPU time of this process, in milliseconds. */
function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

function positive(name: string, value: string | undefined): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) {
    throw new Error(`${name} must be a positive whole number`);
  }
  return number;
}

export function parseOptions(args: string[]): Options {
  let provider: ProviderRun | undefined;
  const options: Omit<Options, 'provider' | 'providerChosen'> = {
    subscriptions: 50,
    resources: 100_000,
    database: 'sqlite',
    concurrency: 4,
    replicas: 1,
    sharing: 'database',
    throttling: 'off',
    timeoutMinutes: 30,
    profilePhase: 'resync',
  };
  for (let i = 0; i < args.length; i++) {
    const value = args[i + 1];
    switch (args[i]) {
      case '--subscriptions':
        options.subscriptions = positive('--subscriptions', value);
        i++;
        break;
      case '--resources':
        options.resources = positive('--resources', value);
        i++;
        break;
      case '--database':
        if (value !== 'sqlite' && value !== 'postgres')
          throw new Error('--database is sqlite or postgres');
        options.database = value;
        i++;
        break;
      case '--concurrency':
        options.concurrency = positive('--concurrency', value);
        i++;
        break;
      case '--provider':
        if (
          value !== 'off' &&
          value !== 'resources' &&
          value !== 'resource-groups'
        ) {
          throw new Error('--provider is off, resources or resource-groups');
        }
        provider = value;
        i++;
        break;
      case '--replicas':
        options.replicas = positive('--replicas', value);
        i++;
        break;
      case '--sharing':
        if (value !== 'database' && value !== 'none')
          throw new Error('--sharing is database or none');
        options.sharing = value;
        i++;
        break;
      case '--throttling':
        if (value !== 'on' && value !== 'off')
          throw new Error('--throttling is on or off');
        options.throttling = value;
        i++;
        break;
      case '--timeout-minutes':
        options.timeoutMinutes = positive('--timeout-minutes', value);
        i++;
        break;
      case '--profile':
        if (!value) throw new Error('--profile takes a file name');
        options.profile = path.resolve(value);
        i++;
        break;
      case '--profile-phase':
        if (value !== 'full' && value !== 'resync')
          throw new Error('--profile-phase is full or resync');
        options.profilePhase = value;
        i++;
        break;
      default:
        throw new Error(`Unknown argument ${args[i]}`);
    }
  }
  if (options.replicas > 1 && options.database !== 'postgres') {
    throw new Error(
      '--replicas above 1 needs --database postgres (replicas share one PostgreSQL)',
    );
  }
  if (options.replicas > 1 && options.sharing !== 'database') {
    throw new Error(
      '--replicas above 1 share through the database (--sharing database)',
    );
  }
  if (options.replicas > 1 && (provider ?? 'off') !== 'off') {
    throw new Error(
      '--replicas measures the sync into the database; the provider runs with one replica only (--provider off)',
    );
  }
  return {
    ...options,
    provider:
      provider ??
      (options.resources <= PROVIDER_DEFAULT_LIMIT ? 'resources' : 'off'),
    providerChosen: provider !== undefined,
  };
}

/** Counts the emulator's ARM requests (not token requests) and its 429s, reading its log as it grows. */
function watchRequests(emulator: RunningEmulator) {
  let since = 0;
  let arm = 0;
  let throttled = 0;
  const read = async () => {
    const log: any[] = (
      await control(emulator, 'GET', `requests?since=${since}`)
    ).value;
    for (const entry of log) {
      since = Math.max(since, entry.seq);
      if (entry.path.includes('/oauth2/')) continue;
      arm++;
      if (entry.status === 429) throttled++;
    }
  };
  return {
    /** Reads what is new, and returns the counts since the last `take` and starts counting afresh. */
    async take() {
      await read();
      const counts = { arm, throttled };
      arm = 0;
      throttled = 0;
      return counts;
    },
    /** Reads what is new; call it often enough that the emulator's bounded log (10,000 entries) keeps everything. */
    poll: read,
  };
}

/** The emulator's peak memory and CPU time so far. */
function emulatorFigures(emulator: RunningEmulator) {
  const pid = emulator.process.pid!;
  return {
    ...processMemoryMb(pid),
    cpuSeconds: Number(processCpuSeconds(pid).toFixed(1)),
  };
}

export async function main(args: string[]) {
  const options = parseOptions(args);
  const loadAtStart = loadAverage();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sync-'));
  let emulator: RunningEmulator | undefined;
  // The bound of the whole run: past it, the emulator is stopped and the run fails.
  const deadline = setTimeout(() => {
    process.stderr.write(
      `bench:sync stopped after ${options.timeoutMinutes} minutes (--timeout-minutes)\n`,
    );
    emulator?.process.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(2);
  }, options.timeoutMinutes * 60_000);
  deadline.unref();

  let started = Date.now();
  emulator = await startEmulator({
    generate: {
      subscriptions: options.subscriptions,
      resources: options.resources,
      days: 1,
    },
    stateDir: dir,
    throttling: options.throttling,
  });
  const emulatorStartSeconds = (Date.now() - started) / 1000;
  const database = await openDatabase(options.database, dir);
  const { knex } = database;
  if (options.replicas > 1) {
    try {
      await runReplicas(options, emulator, database, {
        loadAtStart,
        emulatorStartSeconds,
      });
    } finally {
      await database.drop();
      emulator.process.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
      clearTimeout(deadline);
    }
    return;
  }
  try {
    // The portal's service principal, with Reader on every generated subscription, and the real sync.
    started = Date.now();
    const {
      subscriptions,
      tenantStore: store,
      resources,
      service,
    } = await createResourceSync({
      knex,
      emulator,
      azureTenant: { sync: { concurrency: options.concurrency } },
      shareThroughDatabase: options.sharing === 'database',
    });
    const setupSeconds = (Date.now() - started) / 1000;
    const requests = watchRequests(emulator);
    await requests.take();
    const polling = setInterval(() => {
      requests.poll().catch(() => {});
    }, 2000);
    const storedResources = async () =>
      Number(
        (await knex('resources').count({ count: '*' }).first())?.count ?? 0,
      );

    // 1. The full sync: from its start until every resource is in the plugin's database.
    let profiler =
      options.profile && options.profilePhase === 'full'
        ? await startProfiler()
        : undefined;
    started = Date.now();
    let cpuStart = process.cpuUsage();
    const fullReports = await service.syncDue();
    const fullMs = Date.now() - started;
    const fullCpuMs = cpuMs(process.cpuUsage(cpuStart));
    if (profiler) await profiler.stop(options.profile!);
    const fullRequests = await requests.take();
    const failed = fullReports.filter(r => r.status === 'failed');
    if (failed.length > 0)
      throw new Error(
        `${failed.length} subscriptions failed: ${failed[0].error}`,
      );
    const synced = fullReports.reduce((sum, r) => sum + r.resourceCount, 0);
    const stored = await storedResources();
    if (stored !== synced) {
      throw new Error(
        `the sync reported ${synced} resources, the database holds ${stored}`,
      );
    }
    const afterSync = processMemoryMb(process.pid);
    const emulatorAfterSync = emulatorFigures(emulator);

    // 2. The catalog module's entity provider, on its own: its full run over what the sync stored.
    let entitiesWritten = 0;
    const connection = {
      applyMutation: async (mutation: any) => {
        entitiesWritten +=
          mutation.type === 'full'
            ? mutation.entities.length
            : mutation.added.length + mutation.removed.length;
      },
      refresh: async () => {},
    };
    const provider =
      options.provider === 'off'
        ? undefined
        : new AzureTenantEntityProvider({
            client: {
              listResources: cursor =>
                resources.listResources({ cursor, limit: 5000 }),
              listResourceGroups: ({ subscriptionId, cursor }) =>
                resources.listResourceGroupSummaries({
                  subscriptionId,
                  cursor,
                  limit: 5000,
                }),
              listChanges: after =>
                resources.listChanges({ after, limit: 5000 }),
              listSubscriptions: () => store.listSubscriptions(),
            },
            logger: quietLogger,
            ...providerLevel(options.provider),
          });
    let providerFull: { seconds: number; entitiesWritten: number } | undefined;
    if (provider) {
      started = Date.now();
      await provider.connect(connection as any);
      await provider.idle();
      providerFull = {
        seconds: (Date.now() - started) / 1000,
        entitiesWritten,
      };
    }
    const afterProvider = processMemoryMb(process.pid);

    // 3. A no-change re-sync of every subscription, then the provider's delta.
    for (const { subscriptionId } of subscriptions)
      await store.requestSync(subscriptionId, new Date());
    entitiesWritten = 0;
    profiler =
      options.profile && options.profilePhase === 'resync'
        ? await startProfiler()
        : undefined;
    started = Date.now();
    cpuStart = process.cpuUsage();
    await service.syncDue();
    const resyncMs = Date.now() - started;
    const resyncCpuMs = cpuMs(process.cpuUsage(cpuStart));
    if (profiler) await profiler.stop(options.profile!);
    let providerDelta: { seconds: number; entitiesWritten: number } | undefined;
    if (provider) {
      started = Date.now();
      await provider.refresh('delta');
      providerDelta = {
        seconds: (Date.now() - started) / 1000,
        entitiesWritten,
      };
    }
    const resyncRequests = await requests.take();
    clearInterval(polling);

    const figures = {
      machine: machineDescription(),
      database: options.database,
      replicas: 1,
      concurrency: options.concurrency,
      sharing: options.sharing,
      subscriptions: subscriptions.length,
      resources: synced,
      setupSeconds: { emulator: emulatorStartSeconds, grants: setupSeconds },
      fullSync: {
        seconds: fullMs / 1000,
        resourcesPerSecond: Math.round(synced / (fullMs / 1000)),
        cpuSeconds: Number((fullCpuMs / 1000).toFixed(1)),
        armRequests: fullRequests.arm,
        throttled: fullRequests.throttled,
        peakRssMb: afterSync.peakRssMb,
      },
      provider: {
        run: options.provider,
        chosen: options.providerChosen ? 'by --provider' : 'by size',
        full: providerFull,
        delta: providerDelta,
        peakRssMb: provider ? afterProvider.peakRssMb : undefined,
      },
      noChangeResync: {
        seconds: resyncMs / 1000,
        shareOfFullSync: Number((resyncMs / fullMs).toFixed(3)),
        cpuSeconds: Number((resyncCpuMs / 1000).toFixed(1)),
        armRequests: resyncRequests.arm,
        throttled: resyncRequests.throttled,
      },
      peakRssMb: processMemoryMb(process.pid).peakRssMb,
      emulator: {
        afterFullSync: emulatorAfterSync,
        atEnd: emulatorFigures(emulator),
      },
      loadAverage: { atStart: loadAtStart, atEnd: loadAverage() },
    };
    const providerLine = provider
      ? `provider (${options.provider}, ${
          figures.provider.chosen
        }): full run ${providerFull!.seconds.toFixed(1)} s, ${
          providerFull!.entitiesWritten
        } entities; delta after the re-sync ${providerDelta!.seconds.toFixed(
          1,
        )} s, ${providerDelta!.entitiesWritten} entities; peak RSS after it ${
          afterProvider.peakRssMb
        } MB`
      : `provider: off (${
          figures.provider.chosen
        }; above ${PROVIDER_DEFAULT_LIMIT.toLocaleString(
          'en',
        )} resources it is off unless --provider asks for it)`;
    process.stdout.write(
      [
        `bench:sync on ${figures.machine}, ${options.database}, 1 replica (concurrency ${options.concurrency}, sharing through ${options.sharing}): ${synced} resources in ${subscriptions.length} subscriptions`,
        `load average:     ${loadAtStart.join(
          ' ',
        )} at the start, ${figures.loadAverage.atEnd.join(' ')} at the end`,
        `setup:            emulator ready in ${emulatorStartSeconds.toFixed(
          1,
        )} s, grants and registration ${setupSeconds.toFixed(1)} s (not timed)`,
        `full sync:        ${figures.fullSync.seconds.toFixed(
          1,
        )} s until every resource is in the database, ${
          figures.fullSync.resourcesPerSecond
        } resources/s, ${fullRequests.arm} ARM requests, ${
          fullRequests.throttled
        } throttled (CPU ${figures.fullSync.cpuSeconds.toFixed(
          1,
        )} s); peak RSS after it ${afterSync.peakRssMb} MB`,
        providerLine,
        `no-change resync: ${figures.noChangeResync.seconds.toFixed(1)} s (${(
          figures.noChangeResync.shareOfFullSync * 100
        ).toFixed(0)}% of the full sync), ${
          resyncRequests.arm
        } ARM requests (CPU ${(resyncCpuMs / 1000).toFixed(1)} s)`,
        `peak RSS:         ${figures.peakRssMb} MB this process (VmHWM); emulator ${figures.emulator.atEnd.peakRssMb} MB, CPU ${figures.emulator.atEnd.cpuSeconds} s (its own process)`,
        JSON.stringify(figures),
        '',
      ].join('\n'),
    );
  } finally {
    await database.drop();
    emulator.process.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
    clearTimeout(deadline);
  }
}

/** What becomes an entity (`catalog.providers.azureTenant.entities.level`), every type included. */
function providerLevel(run: ProviderRun): {
  entities: AzureTenantEntitiesConfig;
} {
  return {
    entities: {
      level: run === 'resource-groups' ? run : 'resources',
      resourceTypes: { presets: [], include: [], exclude: [] },
      overrides: [],
    },
  };
}

/** What the parent hands each replica process: the shared database, the emulator, and the replica's place. */
interface ReplicaOptions {
  index: number;
  connection: string;
  emulator: { url: string; caCertFile: string };
  concurrency: number;
}

/** What each replica process reports when it has nothing left to claim. */
interface ReplicaReport {
  index: number;
  replicaId: string;
  subscriptions: number;
  failed: number;
  resources: number;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
}

/**
 * `--replicas N`: N processes (so that each one's memory is its own) each run the sync service with the database's
 * claims and its own replica id, on one PostgreSQL, started together once all are ready. Each syncs what it claims
 * until nothing is due; the run ends when all have exited, and every resource must then be stored.
 */
async function runReplicas(
  options: Options,
  emulator: RunningEmulator,
  database: Awaited<ReturnType<typeof openDatabase>>,
  context: { loadAtStart: number[]; emulatorStartSeconds: number },
) {
  const { knex } = database;
  let started = Date.now();
  // Grants, migrations and the registered subscriptions, through the same code as one replica; it syncs nothing.
  const { subscriptions } = await createResourceSync({
    knex,
    emulator,
    shareThroughDatabase: true,
  });
  const setupSeconds = (Date.now() - started) / 1000;
  const requests = watchRequests(emulator);
  await requests.take();
  const polling = setInterval(() => {
    requests.poll().catch(() => {});
  }, 2000);

  const children = Array.from({ length: options.replicas }, (_, index) => {
    const replicaOptions: ReplicaOptions = {
      index: index + 1,
      connection: database.connection,
      emulator: { url: emulator.url, caCertFile: emulator.caCertFile },
      concurrency: options.concurrency,
    };
    const child = spawn(
      process.execPath,
      [
        path.join(__dirname, 'sync.js'),
        '--replica',
        JSON.stringify(replicaOptions),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const lines = readline.createInterface({ input: child.stdout! });
    let onReady: () => void;
    const ready = new Promise<void>(resolve => (onReady = resolve));
    const report = new Promise<ReplicaReport>((resolve, reject) => {
      lines.on('line', line => {
        if (line === 'ready') onReady();
        else if (line.startsWith('{')) resolve(JSON.parse(line));
      });
      child.on('exit', code =>
        reject(new Error(`replica ${index + 1} exited with ${code}`)),
      );
    });
    return { child, ready, report };
  });
  try {
    await Promise.all(children.map(c => c.ready));
    started = Date.now();
    const emulatorCpuAtStart = processCpuSeconds(emulator.process.pid!);
    for (const { child } of children) child.stdin!.end('go\n');
    const reports = await Promise.all(children.map(c => c.report));
    const seconds = (Date.now() - started) / 1000;
    const emulatorCpu =
      processCpuSeconds(emulator.process.pid!) - emulatorCpuAtStart;
    const counted = await requests.take();
    clearInterval(polling);

    const stored = Number(
      (await knex('resources').count({ count: '*' }).first())?.count ?? 0,
    );
    const synced = reports.reduce((sum, r) => sum + r.resources, 0);
    const covered = reports.reduce((sum, r) => sum + r.subscriptions, 0);
    const failed = reports.reduce((sum, r) => sum + r.failed, 0);
    if (failed > 0) throw new Error(`${failed} subscription syncs failed`);
    if (covered !== subscriptions.length || stored !== synced) {
      throw new Error(
        `the replicas synced ${covered} of ${subscriptions.length} subscriptions and ${synced} resources; the database holds ${stored}`,
      );
    }
    const figures = {
      machine: machineDescription(),
      database: options.database,
      replicas: options.replicas,
      concurrency: options.concurrency,
      throttling: options.throttling,
      subscriptions: subscriptions.length,
      resources: stored,
      setupSeconds: {
        emulator: context.emulatorStartSeconds,
        grants: setupSeconds,
      },
      fullSync: {
        seconds,
        resourcesPerSecond: Math.round(stored / seconds),
        armRequests: counted.arm,
        throttled: counted.throttled,
      },
      perReplica: reports,
      emulator: {
        ...emulatorFigures(emulator),
        cpuSecondsDuringSync: Number(emulatorCpu.toFixed(1)),
      },
      benchProcessPeakRssMb: processMemoryMb(process.pid).peakRssMb,
      loadAverage: { atStart: context.loadAtStart, atEnd: loadAverage() },
    };
    process.stdout.write(
      [
        `bench:sync on ${figures.machine}, ${options.database}, ${options.replicas} replicas (concurrency ${options.concurrency} each, emulator throttling ${options.throttling}): ${stored} resources in ${subscriptions.length} subscriptions`,
        `load average:     ${context.loadAtStart.join(
          ' ',
        )} at the start, ${figures.loadAverage.atEnd.join(' ')} at the end`,
        `full sync:        ${seconds.toFixed(
          1,
        )} s until every resource is in the database, ${
          figures.fullSync.resourcesPerSecond
        } resources/s, ${counted.arm} ARM requests, ${
          counted.throttled
        } answered 429 by the emulator`,
        ...reports.map(
          r =>
            `replica ${r.index}:        ${
              r.subscriptions
            } subscriptions (${Math.round(
              (100 * r.subscriptions) / subscriptions.length,
            )}%), ${r.resources} resources, ${r.seconds.toFixed(
              1,
            )} s, CPU ${r.cpuSeconds.toFixed(1)} s, peak RSS ${r.peakRssMb} MB`,
        ),
        `emulator:         peak RSS ${figures.emulator.peakRssMb} MB, CPU ${figures.emulator.cpuSecondsDuringSync} s during the sync; this process (setup, no sync) ${figures.benchProcessPeakRssMb} MB`,
        JSON.stringify(figures),
        '',
      ].join('\n'),
    );
  } finally {
    clearInterval(polling);
    for (const { child } of children) {
      if (child.exitCode === null) child.kill('SIGTERM');
    }
  }
}

/**
 * One replica of `--replicas`, in its own process: the sync service with the database's claims, started when the
 * parent says `go`; it syncs what it can claim until nothing is due, prints its report and exits.
 */
export async function replica(json: string) {
  const options: ReplicaOptions = JSON.parse(json);
  const knex = knexFactory({ client: 'pg', connection: options.connection });
  const replicaId = `replica-${options.index}`;
  try {
    const { service } = createSyncService({
      knex,
      emulator: options.emulator,
      azureTenant: { sync: { concurrency: options.concurrency } },
      shareThroughDatabase: true,
      service: { replicaId },
    });
    const lines = readline.createInterface({ input: process.stdin });
    const go = new Promise<void>(resolve =>
      lines.on('line', line => line === 'go' && resolve()),
    );
    process.stdout.write('ready\n');
    await go;
    const started = Date.now();
    const cpuStart = process.cpuUsage();
    const reports = await service.syncDue();
    const report: ReplicaReport = {
      index: options.index,
      replicaId,
      subscriptions: reports.length,
      failed: reports.filter(r => r.status === 'failed').length,
      resources: reports.reduce((sum, r) => sum + r.resourceCount, 0),
      seconds: (Date.now() - started) / 1000,
      cpuSeconds: cpuMs(process.cpuUsage(cpuStart)) / 1000,
      peakRssMb: processMemoryMb(process.pid).peakRssMb,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await knex.destroy();
  }
}
