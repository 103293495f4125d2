/*
 * bench:spend — spend ingestion through the real sync, then GET /spend latency through the real router.
 *
 *   npm run bench:spend -- --resources 10000 --days 90 [--database sqlite|postgres] [--requests 300] [--concurrency 4]
 *                      [--max-seconds 60] [--profile spend.cpuprofile]
 *
 * It starts the Azure emulator in its own process with a generated tenant of one subscription, then in this process:
 * the plugin's database (SQLite in a temporary file, or a fresh PostgreSQL database at
 * BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING, default postgresql://postgres@127.0.0.1:5432), the resource
 * sync (for the tags that tag grouping reads), the spend sync (the real Cost Management SDK over TLS, trusting the
 * emulator's CA), and `createSpendRouter` on an express app on 127.0.0.1, queried over keep-alive HTTP with a bounded
 * number of requests in flight (and a time limit per query). Only the permission and the caller's identity are stubbed: every request is allowed,
 * for one fixed user.
 */
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createCostManagementReader } from '../../plugins/azure-tenant-backend/src/spend/costManagementReader';
import { createSpendRouter } from '../../plugins/azure-tenant-backend/src/spend/createSpendRouter';
import { DatabaseSpendStore } from '../../plugins/azure-tenant-backend/src/spend/DatabaseSpendStore';
import { SpendQueryService } from '../../plugins/azure-tenant-backend/src/spend/SpendQueryService';
import { SpendSyncService } from '../../plugins/azure-tenant-backend/src/spend/SpendSyncService';
import { DatabaseResourceStore } from '../../plugins/azure-tenant-backend/src/database/DatabaseResourceStore';
import {
  BenchDatabase,
  machineDescription,
  openDatabase,
  percentile,
  quietLogger,
  startEmulator,
  startProfiler,
  createResourceSync,
} from './benchSupport';

interface Options {
  resources: number;
  days: number;
  database: BenchDatabase;
  requests: number;
  concurrency: number;
  /** Each query stops after this long even if fewer than `requests` were made, so that a slow query stays bounded. */
  maxSeconds: number;
  /** Where to write a CPU profile of the GET /spend measurements (`.cpuprofile`, for Chrome's DevTools). */
  profile?: string;
}

/** The p95 target of GET /spend on SQLite on the project machine. */
const P95_TARGET_MS = 50;

function parseOptions(args: string[]): Options {
  const options: Options = {
    resources: 10_000,
    days: 90,
    database: 'sqlite',
    requests: 300,
    concurrency: 4,
    maxSeconds: 60,
  };
  for (let i = 0; i < args.length; i++) {
    const value = args[i + 1];
    switch (args[i]) {
      case '--resources':
        options.resources = Number(value);
        break;
      case '--days':
        options.days = Number(value);
        break;
      case '--requests':
        options.requests = Number(value);
        break;
      case '--concurrency':
        options.concurrency = Number(value);
        break;
      case '--max-seconds':
        options.maxSeconds = Number(value);
        break;
      case '--profile':
        options.profile = path.resolve(value);
        break;
      case '--database':
        if (value !== 'sqlite' && value !== 'postgres') {
          throw new Error('--database is sqlite or postgres');
        }
        options.database = value;
        break;
      default:
        throw new Error(`Unknown argument ${args[i]}`);
    }
    i++;
  }
  for (const name of [
    'resources',
    'days',
    'requests',
    'concurrency',
  ] as const) {
    if (!(Number.isInteger(options[name]) && options[name] > 0)) {
      throw new Error(`--${name} must be a positive whole number`);
    }
  }
  return options;
}

/** One GET /spend, timed. */
function getSpend(agent: http.Agent, baseUrl: string, query: string) {
  return new Promise<{ ms: number; bytes: number }>((resolve, reject) => {
    const started = process.hrtime.bigint();
    http
      .get(`${baseUrl}/spend?${query}`, { agent }, response => {
        let bytes = 0;
        response.on('data', chunk => (bytes += chunk.length));
        response.on('end', () => {
          if (response.statusCode !== 200) {
            reject(new Error(`GET /spend?${query}: ${response.statusCode}`));
          } else {
            resolve({
              ms: Number(process.hrtime.bigint() - started) / 1e6,
              bytes,
            });
          }
        });
      })
      .on('error', reject);
  });
}

/** Latency of one query: `requests` GETs (or as many as fit in `maxSeconds`), `concurrency` at a time, after a warm-up. */
async function measure(
  agent: http.Agent,
  baseUrl: string,
  query: string,
  options: Pick<Options, 'requests' | 'concurrency' | 'maxSeconds'>,
) {
  const { requests, concurrency, maxSeconds } = options;
  const round = (ms: number) => Number(ms.toFixed(1));
  const get = () => getSpend(agent, baseUrl, query);

  // The warm-up: the first request of a tag grouping builds that tag key's totals, so it is reported on its own.
  const first = await get();
  for (let i = 1; i < concurrency; i++) await get();
  const samples: number[] = [];
  let bytes = 0;
  let next = 0;
  const started = Date.now();
  const cpuStarted = process.cpuUsage();
  const deadline = started + maxSeconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests && Date.now() < deadline) {
        next++;
        const sample = await get();
        samples.push(sample.ms);
        bytes = sample.bytes;
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  samples.sort((a, b) => a - b);
  return {
    firstMs: round(first.ms),
    requests: samples.length,
    cutShort: samples.length < requests,
    concurrency,
    p50Ms: round(percentile(samples, 0.5)),
    p95Ms: round(percentile(samples, 0.95)),
    p99Ms: round(percentile(samples, 0.99)),
    maxMs: round(samples[samples.length - 1]),
    requestsPerSecond: Math.round(samples.length / seconds),
    // This process's CPU time (server and client) per request: steadier than latency on a shared machine.
    cpuMsPerRequest: round((cpu.user + cpu.system) / 1000 / samples.length),
    responseBytes: bytes,
  };
}

export async function main(args: string[]) {
  const options = parseOptions(args);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-spend-'));
  const emulator = await startEmulator({
    generate: {
      subscriptions: 1,
      resources: options.resources,
      days: options.days,
    },
    stateDir: dir,
  });
  const database = await openDatabase(options.database, dir);
  const { knex } = database;
  let server: http.Server | undefined;
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: options.concurrency,
  });
  try {
    const { subscriptions, connection, service } = await createResourceSync({
      knex,
      emulator,
    });
    const [{ subscriptionId }] = subscriptions;

    // The resource sync fills the resources table, whose tags grouping by tag reads.
    let started = Date.now();
    const resourceReports = await service.syncDue();
    const resourceSyncMs = Date.now() - started;
    const resourceFailure = resourceReports.find(r => r.status === 'failed');
    if (resourceFailure) {
      throw new Error(`The resource sync failed: ${resourceFailure.error}`);
    }

    // Spend ingestion: the whole look-back, as on a subscription's first spend sync.
    const store = new DatabaseSpendStore(knex);
    const spendSync = new SpendSyncService({
      store,
      reader: createCostManagementReader({ connection }),
      logger: quietLogger,
      config: {
        lookbackDays: options.days,
        restatementDays: 3,
        concurrency: 1,
      },
    });
    started = Date.now();
    const [spendResult] = await spendSync.syncAll();
    const ingestionMs = Date.now() - started;
    if (spendResult?.status !== 'succeeded') {
      throw new Error(`The spend sync failed: ${spendResult?.error}`);
    }
    process.stderr.write(
      `bench:spend: ingestion took ${(ingestionMs / 1000).toFixed(1)} s\n`,
    );
    const [{ rows }] = await knex('spend_daily').count({ rows: '*' });
    if (options.database === 'sqlite') await knex.raw('pragma wal_checkpoint');
    const sizeBytes = await database.sizeBytes();

    const app = express()
      .use(
        await createSpendRouter({
          store,
          queryService: new SpendQueryService({ store }),
          httpAuth: {
            credentials: async () => ({
              $$type: '@backstage/BackstageCredentials',
              principal: { type: 'user', userEntityRef: 'user:default/bench' },
            }),
          } as any,
          permissions: {
            authorize: async (requests: unknown[]) =>
              requests.map(() => ({ result: AuthorizeResult.ALLOW })),
          } as any,
          // A subscription target needs neither the catalog nor the plugin's own credentials.
          catalog: {} as any,
          auth: {} as any,
        }),
      )
      .use(
        (
          error: Error,
          _req: express.Request,
          res: express.Response,
          _next: express.NextFunction,
        ) => {
          res.status(500).json({ error: error.message });
        },
      );
    server = await new Promise<http.Server>(resolve => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    // A request can block SQLite's (synchronous) driver for seconds; keep-alive sockets must outlive that, or the
    // server closes one while the client sends on it (ECONNRESET).
    server.keepAliveTimeout = 300_000;
    server.headersTimeout = 301_000;
    const baseUrl = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }`;

    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - (options.days - 1) * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const period = `subscriptionId=${subscriptionId}&from=${from}&to=${today}`;
    const queries = {
      service: `${period}&groupBy=service`,
      tagOwner: `${period}&groupBy=${encodeURIComponent('tag:owner')}`,
    };
    const latency: Record<string, Awaited<ReturnType<typeof measure>>> = {};
    const profiler = options.profile ? await startProfiler() : undefined;
    for (const [name, query] of Object.entries(queries)) {
      process.stderr.write(`bench:spend: measuring GET /spend by ${name}\n`);
      latency[name] = await measure(agent, baseUrl, query, options);
    }

    // A service owner edits one resource's owner tag on the Tags tab, then looks at spend by owner again: the tag
    // totals follow the edit (that resource's spend moves), they are not built again.
    const [tagged] = await knex('resources')
      .select('resource_id', 'tags')
      .where('subscription_id', subscriptionId)
      .whereNotNull('tags')
      .limit(1);
    await new DatabaseResourceStore(knex).writeAzureTags(tagged.resource_id, {
      ...JSON.parse(tagged.tags),
      owner: 'bench-edited-owner',
    });
    const afterTagEditMs = Number(
      (await getSpend(agent, baseUrl, queries.tagOwner)).ms.toFixed(1),
    );
    if (profiler) {
      await profiler.stop(options.profile!);
      process.stderr.write(`bench:spend: CPU profile in ${options.profile}\n`);
    }

    const figures = {
      machine: machineDescription(),
      loadAverage: os.loadavg().map(l => Number(l.toFixed(2))),
      database: options.database,
      resources: resourceReports.reduce((sum, r) => sum + r.resourceCount, 0),
      days: options.days,
      resourceSyncSeconds: resourceSyncMs / 1000,
      ingestion: {
        seconds: ingestionMs / 1000,
        rows: Number(rows),
        rowsPerSecond: Math.round(Number(rows) / (ingestionMs / 1000)),
        databaseMb: Number((sizeBytes / 2 ** 20).toFixed(1)),
      },
      getSpend: latency,
      tagOwnerAfterOneTagEditMs: afterTagEditMs,
      p95TargetMs: P95_TARGET_MS,
    };
    const line = (name: string) =>
      `GET /spend ${options.days} days by ${name.padEnd(9)} p50 ${
        latency[name].p50Ms
      } ms, p95 ${latency[name].p95Ms} ms, p99 ${latency[name].p99Ms} ms (${
        latency[name].requests
      } requests, ${latency[name].concurrency} at a time, ${
        latency[name].requestsPerSecond
      }/s, ${latency[name].cpuMsPerRequest} ms CPU each, ${
        latency[name].responseBytes
      } bytes; first request ${latency[name].firstMs} ms)`;
    process.stdout.write(
      [
        `bench:spend on ${figures.machine}, load ${figures.loadAverage.join(
          ' ',
        )}, ${options.database}: ${figures.resources} resources, ${
          options.days
        } days`,
        `resource sync:  ${figures.resourceSyncSeconds.toFixed(1)} s`,
        `spend ingestion: ${figures.ingestion.seconds.toFixed(1)} s, ${
          figures.ingestion.rows
        } rows (${figures.ingestion.rowsPerSecond} rows/s), database ${
          figures.ingestion.databaseMb
        } MB`,
        ...Object.keys(queries).map(line),
        `GET /spend by tagOwner, first request after one resource's owner tag was edited: ${afterTagEditMs} ms`,
        JSON.stringify(figures),
        '',
      ].join('\n'),
    );
  } finally {
    agent.destroy();
    await new Promise(resolve => (server ? server.close(resolve) : resolve(0)));
    await database.drop();
    emulator.process.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
