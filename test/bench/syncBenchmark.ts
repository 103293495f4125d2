/*
 * bench:sync — a full resource sync through the real code path, then a no-change re-sync.
 *
 *   npm run bench:sync -- --subscriptions 50 --resources 100000 [--database sqlite|postgres] [--concurrency 4]
 *
 * It starts the Azure emulator in its own process with a generated tenant (so its memory is not counted), then in
 * this process: the plugin's database (SQLite in a temporary file, or a fresh PostgreSQL database at
 * BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING, default postgresql://postgres@127.0.0.1:5432), the sync
 * (the real Azure SDKs over TLS, trusting the emulator's CA), and the catalog module's entity provider, whose
 * mutations are counted instead of written to a catalog.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AzureTenantEntityProvider } from '@azure-tenant/plugin-catalog-backend-module-azure-tenant';
import {
  control,
  machineDescription,
  openDatabase,
  quietLogger,
  startEmulator,
  startProfiler,
  createResourceSync,
} from './benchSupport';

interface Options {
  subscriptions: number;
  resources: number;
  database: 'sqlite' | 'postgres';
  concurrency: number;
  /** Where to write a CPU profile of the no-change re-sync (`.cpuprofile`, for Chrome's DevTools). */
  profile?: string;
}

/** User and system CPU time of this process, in milliseconds. */
function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

function parseOptions(args: string[]): Options {
  const options: Options = {
    subscriptions: 50,
    resources: 100_000,
    database: 'sqlite',
    concurrency: 4,
  };
  for (let i = 0; i < args.length; i++) {
    const value = args[i + 1];
    switch (args[i]) {
      case '--subscriptions':
        options.subscriptions = Number(value);
        i++;
        break;
      case '--resources':
        options.resources = Number(value);
        i++;
        break;
      case '--database':
        if (value !== 'sqlite' && value !== 'postgres')
          throw new Error('--database is sqlite or postgres');
        options.database = value;
        i++;
        break;
      case '--profile':
        options.profile = path.resolve(value);
        i++;
        break;
      case '--concurrency':
        options.concurrency = Number(value);
        i++;
        break;
      default:
        throw new Error(`Unknown argument ${args[i]}`);
    }
  }
  if (
    !(
      options.subscriptions > 0 &&
      options.resources > 0 &&
      options.concurrency > 0
    )
  ) {
    throw new Error(
      '--subscriptions, --resources and --concurrency must be positive numbers',
    );
  }
  return options;
}

export async function main(args: string[]) {
  const options = parseOptions(args);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sync-'));
  const emulator = await startEmulator({
    generate: {
      subscriptions: options.subscriptions,
      resources: options.resources,
      days: 1,
    },
    stateDir: dir,
  });
  const { knex, drop } = await openDatabase(options.database, dir);
  try {
    // The portal's service principal, with Reader on every generated subscription, and the real sync.
    const {
      subscriptions,
      tenantStore: store,
      resources,
      service,
    } = await createResourceSync({
      knex,
      emulator,
      azureTenant: { sync: { concurrency: options.concurrency } },
    });

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
    const provider = new AzureTenantEntityProvider({
      client: {
        listResources: cursor =>
          resources.listResources({ cursor, limit: 5000 }),
        listChanges: after => resources.listChanges({ after, limit: 5000 }),
        listSubscriptions: () => store.listSubscriptions(),
      },
      logger: quietLogger,
    });
    const armRequests = async () => {
      const log: any[] = (await control(emulator, 'GET', 'requests')).value;
      await control(emulator, 'DELETE', 'requests');
      return log.filter(r => !r.path.includes('/oauth2/')).length;
    };
    await armRequests();

    // Full sync: Azure → the plugin's tables → the provider's full mutation.
    let started = Date.now();
    let cpuStart = process.cpuUsage();
    const fullReports = await service.syncDue();
    await provider.connect(connection as any);
    await provider.idle();
    const fullMs = Date.now() - started;
    const fullCpuMs = cpuMs(process.cpuUsage(cpuStart));
    const fullEntities = entitiesWritten;
    const fullRequests = await armRequests();
    const failed = fullReports.filter(r => r.status === 'failed');
    if (failed.length > 0)
      throw new Error(
        `${failed.length} subscriptions failed: ${failed[0].error}`,
      );
    const synced = fullReports.reduce((sum, r) => sum + r.resourceCount, 0);

    // No-change re-sync of every subscription, then the provider's delta.
    for (const { subscriptionId } of subscriptions)
      await store.requestSync(subscriptionId, new Date());
    entitiesWritten = 0;
    const profiler = options.profile ? await startProfiler() : undefined;
    started = Date.now();
    cpuStart = process.cpuUsage();
    await service.syncDue();
    await provider.refresh('delta');
    const resyncMs = Date.now() - started;
    const resyncCpuMs = cpuMs(process.cpuUsage(cpuStart));
    if (profiler) await profiler.stop(options.profile!);
    const resyncRequests = await armRequests();

    const peakRssMb = (process.resourceUsage().maxRSS * 1024) / 1024 / 1024;
    const figures = {
      machine: machineDescription(),
      database: options.database,
      subscriptions: subscriptions.length,
      resources: synced,
      fullSync: {
        seconds: fullMs / 1000,
        resourcesPerSecond: Math.round(synced / (fullMs / 1000)),
        cpuSeconds: fullCpuMs / 1000,
        armRequests: fullRequests,
        entitiesWritten: fullEntities,
      },
      noChangeResync: {
        seconds: resyncMs / 1000,
        shareOfFullSync: Number((resyncMs / fullMs).toFixed(3)),
        cpuSeconds: resyncCpuMs / 1000,
        armRequests: resyncRequests,
        entitiesWritten,
      },
      peakRssMb: Math.round(peakRssMb),
    };
    process.stdout.write(
      [
        `bench:sync on ${figures.machine}, ${options.database}: ${synced} resources in ${subscriptions.length} subscriptions`,
        `full sync:        ${figures.fullSync.seconds.toFixed(1)} s, ${
          figures.fullSync.resourcesPerSecond
        } resources/s, ${fullRequests} ARM requests, ${fullEntities} entities written (CPU ${(
          fullCpuMs / 1000
        ).toFixed(1)} s)`,
        `no-change resync: ${figures.noChangeResync.seconds.toFixed(1)} s (${(
          figures.noChangeResync.shareOfFullSync * 100
        ).toFixed(
          0,
        )}% of the full sync), ${resyncRequests} ARM requests, ${entitiesWritten} entities written (CPU ${(
          resyncCpuMs / 1000
        ).toFixed(1)} s)`,
        `peak RSS:         ${figures.peakRssMb} MB (this process; the emulator runs in its own)`,
        JSON.stringify(figures),
        '',
      ].join('\n'),
    );
  } finally {
    await drop();
    emulator.process.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
