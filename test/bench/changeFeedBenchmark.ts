/*
 * bench:change-feed — what an incremental sync from Azure Resource Graph's change feed costs next to a full listing.
 *
 *   npm run bench:change-feed -- --subscriptions 50 --resources 100000 [--database sqlite|postgres]
 *                                [--changed-percent 1] [--timeout-minutes 20]
 *
 * It starts the Azure emulator in its own process with a generated tenant, then in this process the plugin's database
 * (SQLite in a temporary file, or a fresh PostgreSQL database at BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING)
 * and the change-feed sync (ChangeFeedSyncer, the real Azure SDKs over TLS), all subscriptions as one tenant's batch:
 *
 *   1. a first full sync (every subscription listed, every resource stored);
 *   2. --changed-percent of the resources changed through the emulator's control API (tag edits, creates, deletes, a
 *      few resource groups and one subscription retagged);
 *   3. an incremental run (two Resource Graph queries for the batch, and what the changes need);
 *   4. on a second database, synced in full from the same tenant before the changes, a full listing (the change feed
 *      off) that brings the same changes: the baseline an incremental run replaces. Both databases must then hold
 *      the same resources (ids and content hashes) and resource groups.
 *
 * For each run it prints the requests the emulator served (from its request log) and the time, and the incremental
 * run's share of the full listing's. Goal: at most 5% of the requests and 5% of the time. Bounded: it stops after
 * --timeout-minutes (default 20), killing the emulator, and fails.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { Knex } from 'knex';
import { AzureSubscription } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureConnection } from '../../plugins/azure-tenant-backend/src/azure/azureConnection';
import { readAzureTenantConfig } from '../../plugins/azure-tenant-backend/src/config/AzureTenantConfig';
import { DatabaseAzureTenantStore } from '../../plugins/azure-tenant-backend/src/database/DatabaseAzureTenantStore';
import { DatabaseResourceStore } from '../../plugins/azure-tenant-backend/src/database/DatabaseResourceStore';
import { migrateDatabase } from '../../plugins/azure-tenant-backend/src/database/migrations';
import { ChangeFeedSyncer } from '../../plugins/azure-tenant-backend/src/sync/changeFeed/ChangeFeedSyncer';
import { createResourceChangeReader } from '../../plugins/azure-tenant-backend/src/sync/changeFeed/resourceChangeQueries';
import {
  ResourceSyncer,
  SubscriptionSyncReport,
} from '../../plugins/azure-tenant-backend/src/sync/ResourceSyncer';
import { readSyncConfig } from '../../plugins/azure-tenant-backend/src/sync/SyncConfig';
import {
  BenchDatabase,
  BenchDatabaseHandle,
  RunningEmulator,
  control,
  emulatorAzureTenant,
  grantDemoAppReader,
  loadAverage,
  machineDescription,
  openDatabase,
  quietLogger,
  startEmulator,
} from './benchSupport';

interface Options {
  subscriptions: number;
  resources: number;
  database: BenchDatabase;
  changedPercent: number;
  timeoutMinutes: number;
}

function positive(name: string, value: string | undefined): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) {
    throw new Error(`${name} must be a positive whole number`);
  }
  return number;
}

export function parseOptions(args: string[]): Options {
  const options: Options = {
    subscriptions: 50,
    resources: 100_000,
    database: 'sqlite',
    changedPercent: 1,
    timeoutMinutes: 20,
  };
  for (let i = 0; i < args.length; i++) {
    const value = args[i + 1];
    switch (args[i]) {
      case '--subscriptions':
        options.subscriptions = positive('--subscriptions', value);
        break;
      case '--resources':
        options.resources = positive('--resources', value);
        break;
      case '--database':
        if (value !== 'sqlite' && value !== 'postgres')
          throw new Error('--database is sqlite or postgres');
        options.database = value;
        break;
      case '--changed-percent': {
        const percent = Number(value);
        if (!(percent > 0 && percent <= 50))
          throw new Error('--changed-percent is above 0 and at most 50');
        options.changedPercent = percent;
        break;
      }
      case '--timeout-minutes':
        options.timeoutMinutes = positive('--timeout-minutes', value);
        break;
      default:
        throw new Error(`Unknown option ${args[i]}`);
    }
    i++;
  }
  return options;
}

/** One measured run: its wall time, the Azure requests it made (by kind) and what its reports say. */
interface RunFigures {
  /** The sync of the batch (`syncTenantBatch`), until every subscription's writes are stored. */
  ms: number;
  /** Recording each subscription's outcome afterwards, as the sync service does (one update each). */
  recordMs: number;
  requests: {
    total: number;
    arm: number;
    resourceGraph: number;
    token: number;
  };
  kinds: Record<string, number>;
  failed: number;
  changed: number;
}

async function requestsSince(emulator: RunningEmulator, since: number) {
  const { value } = await control(emulator, 'GET', `requests?since=${since}`);
  const entries: Array<{ seq: number; method: string; path: string }> =
    value.filter((r: { path: string }) => !r.path.startsWith('/_emulator'));
  return entries;
}

async function lastSeq(emulator: RunningEmulator): Promise<number> {
  const { value } = await control(emulator, 'GET', 'requests');
  return value.length ? value[value.length - 1].seq : 0;
}

async function measure(
  emulator: RunningEmulator,
  run: () => Promise<{
    reports: SubscriptionSyncReport[];
    syncMs: number;
    recordMs: number;
  }>,
): Promise<RunFigures> {
  const since = await lastSeq(emulator);
  const { reports, syncMs: ms, recordMs } = await run();
  const requests = await requestsSince(emulator, since);
  const kinds: Record<string, number> = {};
  for (const report of reports) {
    const kind = `${report.status} ${report.kind ?? 'none'}`;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return {
    ms,
    recordMs,
    requests: {
      total: requests.length,
      resourceGraph: requests.filter(r =>
        /^\/providers\/Microsoft\.ResourceGraph\//i.test(r.path),
      ).length,
      token: requests.filter(r => /\/oauth2\//i.test(r.path)).length,
      arm: requests.filter(
        r =>
          /^\/subscriptions/i.test(r.path) ||
          (/^\/providers\//i.test(r.path) &&
            !/^\/providers\/Microsoft\.ResourceGraph\//i.test(r.path)),
      ).length,
    },
    kinds,
    failed: reports.filter(r => r.status === 'failed').length,
    changed: reports.reduce((sum, r) => sum + r.changed, 0),
  };
}

/**
 * Changes `count` resources in Azure through the control API, spread over the stored resources: 40% tag edits, 30%
 * deletes, 30% new resources (in existing resource groups); and retags a resource group in every tenth subscription
 * and one subscription.
 */
async function changeInAzure(
  emulator: RunningEmulator,
  stored: Array<{
    resource_id: string;
    subscription_id: string;
    resource_group: string;
  }>,
  count: number,
) {
  const step = Math.max(1, Math.floor(stored.length / count));
  const picked = stored.filter((_, i) => i % step === 0).slice(0, count);
  const tally = { tagEdits: 0, deletes: 0, creates: 0, groups: 0, subs: 0 };
  for (const [i, row] of picked.entries()) {
    const slot = i % 10;
    if (slot < 4) {
      await control(emulator, 'PATCH', 'tags', {
        resourceId: row.resource_id,
        set: { 'bench-change': `edit-${i}` },
      });
      tally.tagEdits++;
    } else if (slot < 7) {
      await control(
        emulator,
        'DELETE',
        `resources?id=${encodeURIComponent(row.resource_id)}`,
      );
      tally.deletes++;
    } else {
      await control(emulator, 'POST', 'resources', {
        subscriptionId: row.subscription_id,
        resourceGroup: row.resource_group,
        type: 'Microsoft.Storage/storageAccounts',
        name: `stbench${i}`,
        tags: { env: 'bench', owner: 'team-bench' },
      });
      tally.creates++;
    }
  }
  const subscriptions = [...new Set(stored.map(r => r.subscription_id))];
  for (const [i, subscriptionId] of subscriptions.entries()) {
    if (i % 10 !== 0) continue;
    const group = stored.find(r => r.subscription_id === subscriptionId)!;
    await control(emulator, 'PATCH', 'tags', {
      resourceId: `/subscriptions/${subscriptionId}/resourceGroups/${group.resource_group}`,
      set: { 'bench-change': 'group' },
    });
    tally.groups++;
  }
  await control(emulator, 'PATCH', 'tags', {
    resourceId: `/subscriptions/${subscriptions[0]}`,
    set: { 'bench-change': 'subscription' },
  });
  tally.subs++;
  return tally;
}

function line(name: string, figures: RunFigures) {
  const { requests } = figures;
  return `${name.padEnd(34)} ${figures.ms
    .toFixed(0)
    .padStart(8)} ms (+${figures.recordMs.toFixed(
    0,
  )} ms recording outcomes)  ${String(requests.total).padStart(
    6,
  )} requests (ARM ${requests.arm}, Resource Graph ${
    requests.resourceGraph
  }, token ${requests.token})  ${figures.changed} written  ${JSON.stringify(
    figures.kinds,
  )}`;
}

const percent = (part: number, whole: number) =>
  whole > 0 ? `${((100 * part) / whole).toFixed(2)}%` : 'n/a';

/** The plugin's sync on one database: the tenant's subscriptions registered, and a run over them. */
async function setUpSync(
  emulator: RunningEmulator,
  database: BenchDatabaseHandle,
  registered: Array<{ subscriptionId: string; tenantId: string }>,
  changeFeedEnabled: boolean,
) {
  const { knex } = database;
  const config = new ConfigReader({
    app: { baseUrl: 'http://127.0.0.1:3999' },
    backend: { baseUrl: 'http://127.0.0.1:7999' },
    azureTenant: {
      ...emulatorAzureTenant(emulator),
      sync: { changeFeed: { enabled: changeFeedEnabled } },
    },
  });
  const connection = new AzureConnection(readAzureTenantConfig(config)!);
  await migrateDatabase(knex);
  const tenantStore = new DatabaseAzureTenantStore(knex);
  const resources = new DatabaseResourceStore(knex);
  const at = new Date();
  for (const tenantId of new Set(registered.map(s => s.tenantId))) {
    await tenantStore.register(
      { tenantId, source: 'config', at },
      registered
        .filter(s => s.tenantId === tenantId)
        .map(s => ({
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
  }
  const syncConfig = readSyncConfig(config);
  // The time spent in Resource Graph's queries (both, every page), apart from applying what they return.
  const reader = createResourceChangeReader({ connection });
  const timing = { readMs: 0 };
  const syncer = new ChangeFeedSyncer({
    syncer: new ResourceSyncer({
      connection,
      store: resources,
      config: syncConfig,
      logger: quietLogger,
    }),
    store: resources,
    reader: {
      async readChangesSince(query) {
        const started = process.hrtime.bigint();
        try {
          return await reader.readChangesSince(query);
        } finally {
          timing.readMs += Number(process.hrtime.bigint() - started) / 1e6;
        }
      },
    },
    config: syncConfig,
    logger: quietLogger,
  });
  // One batch per tenant, as the sync service hands them over; each outcome recorded as the service records it.
  const run = async () => {
    const subscriptions: AzureSubscription[] =
      await tenantStore.listSubscriptions();
    const reports: SubscriptionSyncReport[] = [];
    const started = process.hrtime.bigint();
    for (const tenantId of new Set(subscriptions.map(s => s.tenantId))) {
      reports.push(
        ...(await syncer.syncTenantBatch(
          subscriptions.filter(s => s.tenantId === tenantId),
        )),
      );
    }
    const synced = process.hrtime.bigint();
    for (const report of reports) {
      if (report.status !== 'succeeded') continue;
      await tenantStore.recordSyncOutcome({
        subscriptionId: report.subscriptionId,
        startedAt: report.startedAt,
        finishedAt: report.finishedAt,
        status: 'succeeded',
        resourceCount: report.resourceCount,
        displayName: report.displayName,
        tags: report.tags,
      });
    }
    return {
      reports,
      syncMs: Number(synced - started) / 1e6,
      recordMs: Number(process.hrtime.bigint() - synced) / 1e6,
    };
  };
  return { knex, run, timing };
}

/** Every stored resource's key and content hash, and every resource group: what two syncs must agree on. */
async function storedState(knex: Knex) {
  const resources = await knex('resources')
    .orderBy('resource_key')
    .select('resource_key', 'content_hash');
  const groups = await knex('resource_groups')
    .orderBy(['subscription_id', 'name'])
    .select('subscription_id', 'name', 'location', 'tags');
  return JSON.stringify({ resources, groups });
}

export async function main(args: string[]) {
  const options = parseOptions(args);
  const loadAtStart = loadAverage();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-change-feed-'));
  let emulator: RunningEmulator | undefined;
  const deadline = setTimeout(() => {
    process.stderr.write(
      `bench:change-feed stopped after ${options.timeoutMinutes} minutes (--timeout-minutes)\n`,
    );
    emulator?.process.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(2);
  }, options.timeoutMinutes * 60_000);
  deadline.unref();

  emulator = await startEmulator({
    generate: {
      subscriptions: options.subscriptions,
      resources: options.resources,
      days: 1,
    },
    stateDir: dir,
  });
  // Two databases synced from the same tenant: one kept current from the change feed, one by full listings.
  fs.mkdirSync(path.join(dir, 'feed'));
  fs.mkdirSync(path.join(dir, 'full'));
  const feedDatabase = await openDatabase(
    options.database,
    path.join(dir, 'feed'),
  );
  await new Promise(resolve => setTimeout(resolve, 5));
  const fullDatabase = await openDatabase(
    options.database,
    path.join(dir, 'full'),
  );
  try {
    const registered = await grantDemoAppReader(emulator);
    const feed = await setUpSync(emulator, feedDatabase, registered, true);
    const full = await setUpSync(emulator, fullDatabase, registered, false);

    const first = await measure(emulator, feed.run);
    const firstFull = await measure(emulator, full.run);
    const stored: Array<{
      resource_id: string;
      subscription_id: string;
      resource_group: string;
    }> = await feed
      .knex('resources')
      .orderBy('resource_key')
      .select('resource_id', 'subscription_id', 'resource_group');
    const changeCount = Math.max(
      1,
      Math.round((stored.length * options.changedPercent) / 100),
    );
    const changeStarted = Date.now();
    const tally = await changeInAzure(emulator, stored, changeCount);
    const changeSeconds = (Date.now() - changeStarted) / 1000;

    const loadBefore = loadAverage();
    const incremental = await measure(emulator, feed.run);
    const listing = await measure(emulator, full.run);
    const loadAtEnd = loadAverage();
    const equal =
      (await storedState(feed.knex)) === (await storedState(full.knex));

    const out = [
      `bench:change-feed — ${options.subscriptions} subscriptions, ${stored.length} resources stored, ${options.database}`,
      `machine: ${machineDescription()}`,
      `load average at start: ${loadAtStart.join(
        ' ',
      )}; before the measured runs: ${loadBefore.join(
        ' ',
      )}; at end: ${loadAtEnd.join(' ')}`,
      `changed in Azure (${options.changedPercent}%, ${changeSeconds.toFixed(
        1,
      )} s): ${tally.tagEdits} tag edits, ${tally.deletes} deletes, ${
        tally.creates
      } creates, ${tally.groups} resource groups and ${
        tally.subs
      } subscription retagged`,
      line('first full sync (feed database)', first),
      line('first full sync (listing database)', firstFull),
      line('incremental (change feed)', incremental),
      `   of which the Resource Graph queries: ${feed.timing.readMs.toFixed(
        0,
      )} ms`,
      line('full listing of the same changes', listing),
      `incremental / full listing: ${percent(
        incremental.requests.total,
        listing.requests.total,
      )} of the requests, ${percent(
        incremental.ms,
        listing.ms,
      )} of the time (goal: at most 5% of each)`,
      `incremental / first full sync: ${percent(
        incremental.requests.total,
        first.requests.total,
      )} of the requests, ${percent(incremental.ms, first.ms)} of the time`,
      `stored resources (ids and content hashes) and resource groups: ${
        equal ? 'equal' : 'DIFFERENT'
      } after the incremental run and after the full listing`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    if (
      !equal ||
      [first, firstFull, incremental, listing].some(f => f.failed > 0)
    ) {
      throw new Error(
        'the databases differ, or some subscriptions failed to sync (see warnings above)',
      );
    }
  } finally {
    await feedDatabase.drop();
    await fullDatabase.drop();
    emulator.process.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
    clearTimeout(deadline);
  }
}
