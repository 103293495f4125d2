/*
 * bench:load — sustained tag edits and spend queries from several concurrent clients for a bounded time, against
 * backend replicas in their own processes, and a check that replicas sharing one PostgreSQL run the schedules without
 * duplicate work.
 *
 *   npm run bench:load -- [--seconds 60] [--clients 8] [--replicas 2] [--database postgres|sqlite]
 *                         [--subscriptions 4] [--resources 2000]
 *
 * It starts the Azure emulator in its own process with a generated tenant (throttling off), gives the portal's
 * service principal Reader and Tag Contributor on every subscription, and starts the replicas
 * (`packages/reliability-kit/src/childBackend.ts`: the azure-tenant and events plugins on backend-defaults'
 * real database manager, scheduler and HTTP server, with Backstage's mock auth) on one fresh PostgreSQL database
 * (BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING, default postgresql://postgres@127.0.0.1:5432; dropped
 * afterwards), or one replica on a file SQLite database. The resource sync runs every minute and the spend sync every
 * 20 seconds. After the first syncs, the clients (spread over the replicas) send `PATCH /tags` (each client its own
 * resources and key) and `GET /spend` (by subscription, 30 days, by service, resource group or location) for the
 * given time. It prints p50/p95/max and the error rate of each, and the resource and spend syncs each subscription
 * had during the run, from the emulator's request log.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import net from 'node:net';
import knexFactory from 'knex';
import {
  control,
  DEMO_CLIENT_ID,
  DEMO_TENANT_ID,
  emulatorAzureTenant,
  repoRoot,
  RunningEmulator,
  startEmulator,
} from './benchSupport';
import {
  machine,
  runLoad,
} from '../../packages/reliability-kit/src/loadGenerator';

interface Options {
  seconds: number;
  clients: number;
  replicas: number;
  database: 'postgres' | 'sqlite';
  subscriptions: number;
  resources: number;
}

const PAGE_SIZE = 100;
const SYNC_EVERY_S = 60;
const SPEND_EVERY_S = 20;
/** The user the clients act as, in the form of Backstage's mock credentials (the replicas use mock auth). */
const AUTHORIZATION = `Bearer mock-user-token:${JSON.stringify({
  sub: 'user:default/guest',
})}`;

function parseOptions(args: string[]): Options {
  const options: Options = {
    seconds: 60,
    clients: 8,
    replicas: 2,
    database: 'postgres',
    subscriptions: 4,
    resources: 2000,
  };
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i].replace(/^--/, '');
    const value = args[i + 1];
    if (name === 'database') {
      if (value !== 'postgres' && value !== 'sqlite') {
        throw new Error('--database is postgres or sqlite');
      }
      options.database = value;
    } else if (name in options) {
      const number = Number(value);
      if (!Number.isInteger(number) || number < 1) {
        throw new Error(`--${name} must be a positive whole number`);
      }
      (options as any)[name] = number;
    } else {
      throw new Error(`Unknown argument ${args[i]}`);
    }
  }
  if (options.database === 'sqlite' && options.replicas > 1) {
    process.stderr.write('SQLite: one replica (replicas need PostgreSQL)\n');
    options.replicas = 1;
  }
  return options;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startReplica(
  config: object,
  logFile: string,
): Promise<ChildProcess> {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require('@backstage/cli/config/nodeTransform.cjs'); require(${JSON.stringify(
        path.join(repoRoot, 'packages/reliability-kit/src/childBackend.ts'),
      )});`,
    ],
    {
      cwd: path.join(repoRoot, 'packages/backend'),
      env: {
        ...process.env,
        NODE_ENV: 'development',
        REL_BACKEND_CONFIG: JSON.stringify(config),
      },
      stdio: ['ignore', 'pipe', log],
    },
  );
  const lines = readline.createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    lines.on('line', line => {
      fs.appendFileSync(logFile, `${line}\n`);
      if (line.startsWith('{"event":"ready"')) resolve();
    });
    child.once('exit', code =>
      reject(new Error(`a replica exited with ${code}; see ${logFile}`)),
    );
  });
  return child;
}

async function getJson(url: string): Promise<any> {
  const response = await fetch(url, {
    headers: { authorization: AUTHORIZATION },
  });
  if (response.status !== 200) {
    throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  }
  return response.json();
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
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
}

const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

export async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-load-'));
  const children: ChildProcess[] = [];
  let emulator: RunningEmulator | undefined;
  let dropDatabases: (() => Promise<void>) | undefined;
  try {
    process.stderr.write('Starting the emulator…\n');
    emulator = await startEmulator({
      generate: {
        subscriptions: options.subscriptions,
        resources: options.resources,
        days: 40,
      },
      stateDir: path.join(dir, 'emulator'),
    });
    const principal = await control(emulator, 'POST', 'consents', {
      tenantId: DEMO_TENANT_ID,
      clientId: DEMO_CLIENT_ID,
    });
    const state = await control(emulator, 'GET', 'state');
    const subscriptionIds: string[] = state.subscriptions.map(
      (s: any) => s.subscriptionId,
    );
    for (const subscriptionId of subscriptionIds) {
      for (const role of ['Reader', 'Tag Contributor']) {
        await control(emulator, 'POST', 'role-assignments', {
          scope: `/subscriptions/${subscriptionId}`,
          principalId: principal.objectId,
          role,
        });
      }
    }

    let database: object;
    if (options.database === 'postgres') {
      const url =
        process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
        'postgresql://postgres@127.0.0.1:5432';
      const prefix = `bench_load_${Date.now()}_`;
      database = { client: 'pg', connection: url, prefix };
      dropDatabases = async () => {
        const admin = knexFactory({ client: 'pg', connection: url });
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
      };
    } else {
      database = {
        client: 'better-sqlite3',
        connection: { directory: path.join(dir, 'db') },
      };
    }

    const targets: string[] = [];
    for (let i = 0; i < options.replicas; i++) {
      const port = await freePort();
      const config = {
        app: { baseUrl: 'http://localhost:3000' },
        backend: {
          baseUrl: `http://127.0.0.1:${port}`,
          listen: { host: '127.0.0.1', port },
          database,
        },
        azureTenant: {
          ...emulatorAzureTenant(emulator),
          tenants: [
            {
              tenantId: DEMO_TENANT_ID,
              subscriptions: subscriptionIds.map(subscriptionId => ({
                subscriptionId,
              })),
            },
          ],
          sync: {
            frequency: `PT${SYNC_EVERY_S}S`,
            timeout: 'PT2M',
            pageSize: PAGE_SIZE,
          },
          spend: {
            schedule: {
              frequency: `PT${SPEND_EVERY_S}S`,
              timeout: 'PT2M',
              initialDelay: 'PT1S',
            },
            lookbackDays: 30,
            restatementDays: 2,
          },
        },
      };
      process.stderr.write(`Starting replica ${i + 1} on port ${port}…\n`);
      children.push(
        await startReplica(config, path.join(dir, `replica-${i + 1}.log`)),
      );
      targets.push(`http://127.0.0.1:${port}`);
    }

    // The first resource and spend syncs.
    const first = targets[0];
    await waitFor(
      'the first resource sync',
      async () => {
        const { items } = await getJson(
          `${first}/api/azure-tenant/subscriptions`,
        );
        return (
          items.length === subscriptionIds.length &&
          items.every((s: any) => s.lastSync?.status === 'succeeded')
        );
      },
      180_000,
    );
    await waitFor(
      'the first spend sync',
      async () => {
        for (const subscriptionId of subscriptionIds) {
          const report = await getJson(
            `${first}/api/azure-tenant/spend?subscriptionId=${subscriptionId}&from=${day(
              -30,
            )}&to=${day(0)}`,
          );
          if (report.status !== 'ok') return false;
        }
        return true;
      },
      180_000,
    );

    const resourceIds: string[] = [];
    // The list requests of one sync of each subscription: the first one, before the run.
    const pagesPerSync = new Map<string, number>();
    const startSeq =
      (await control(emulator, 'GET', 'requests')).value.at(-1)?.seq ?? 0;
    const initial = await control(emulator, 'GET', 'requests?since=0');
    for (const subscriptionId of subscriptionIds) {
      const lists = initial.value.filter(
        (r: any) =>
          r.method === 'GET' &&
          r.path === `/subscriptions/${subscriptionId}/resources`,
      );
      pagesPerSync.set(subscriptionId, Math.max(1, lists.length));
    }
    resourceIds.push(
      ...(await sampleResources(targets[0], options.clients * 4)),
    );

    // Count the syncs during the run from the emulator's request log, read every few seconds (it keeps 10,000).
    const listRequests = new Map<string, number>();
    const forecasts = new Map<string, number>();
    let seq = startSeq;
    const drain = async () => {
      const { value } = await control(
        emulator!,
        'GET',
        `requests?since=${seq}`,
      );
      for (const r of value) {
        seq = Math.max(seq, r.seq);
        const list = /^\/subscriptions\/([^/]+)\/resources$/.exec(r.path);
        if (list && r.method === 'GET') {
          listRequests.set(list[1], (listRequests.get(list[1]) ?? 0) + 1);
        }
        const forecast =
          /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.CostManagement\/forecast$/i.exec(
            r.path,
          );
        if (forecast) {
          forecasts.set(forecast[1], (forecasts.get(forecast[1]) ?? 0) + 1);
        }
      }
    };
    const poller = setInterval(() => {
      drain().catch(() => {});
    }, 3000);

    process.stderr.write(
      `Load: ${options.clients} clients on ${targets.length} replica(s) for ${options.seconds} s…\n`,
    );
    const loadBefore = os.loadavg();
    const result = await runLoad({
      targets,
      authorization: AUTHORIZATION,
      clients: options.clients,
      durationMs: options.seconds * 1000,
      resourceIds,
      subscriptionIds,
      from: day(-30),
      to: day(0),
    });
    clearInterval(poller);
    await drain();

    const row = (name: string, s: typeof result.tags) =>
      `| ${name} | ${s.count} | ${(
        s.count /
        (result.durationMs / 1000)
      ).toFixed(1)} | ${s.p50Ms} | ${s.p95Ms} | ${s.maxMs} | ${s.errors} (${(
        s.errorRate * 100
      ).toFixed(2)} %) |`;
    const out = [
      '',
      `bench:load — ${machine()}, load average ${loadBefore
        .map(l => l.toFixed(2))
        .join(' ')} before, ${result.loadAverage.join(' ')} after; ${
        options.database
      }, ${targets.length} replica(s), ${options.clients} clients, ${(
        result.durationMs / 1000
      ).toFixed(1)} s; ${options.subscriptions} subscriptions, ${
        options.resources
      } resources`,
      '',
      '| Request | Count | Per second | p50 ms | p95 ms | max ms | Errors |',
      '| ------- | ----- | ---------- | ------ | ------ | ------ | ------ |',
      row('PATCH /tags', result.tags),
      row('GET /spend', result.spend),
      '',
      `Schedules during the run (resource sync every ${SYNC_EVERY_S} s, spend every ${SPEND_EVERY_S} s; at most ${
        Math.floor(result.durationMs / 1000 / SYNC_EVERY_S) + 1
      } resource and ${
        Math.floor(result.durationMs / 1000 / SPEND_EVERY_S) + 1
      } spend syncs per subscription without duplicate work):`,
      '',
      '| Subscription | ARM list requests | Resource syncs | Spend syncs |',
      '| ------------ | ----------------- | -------------- | ----------- |',
      ...subscriptionIds.map(
        s =>
          `| ${s} | ${listRequests.get(s) ?? 0} | ${(
            (listRequests.get(s) ?? 0) / pagesPerSync.get(s)!
          ).toFixed(1)} | ${forecasts.get(s) ?? 0} |`,
      ),
      '',
    ];
    process.stdout.write(out.join('\n'));
    const duplicate =
      subscriptionIds.some(
        s =>
          (listRequests.get(s) ?? 0) / pagesPerSync.get(s)! >
          Math.floor(result.durationMs / 1000 / SYNC_EVERY_S) + 1,
      ) ||
      subscriptionIds.some(
        s =>
          (forecasts.get(s) ?? 0) >
          Math.floor(result.durationMs / 1000 / SPEND_EVERY_S) + 1,
      );
    process.stdout.write(
      `\nDuplicate scheduled work: ${duplicate ? 'YES' : 'none'}\n`,
    );
    if (duplicate || result.tags.errors + result.spend.errors > 0) {
      process.exitCode = 1;
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map(
        child =>
          new Promise<void>(resolve => {
            if (child.exitCode !== null) resolve();
            else {
              const timer = setTimeout(() => {
                child.kill('SIGKILL');
              }, 10_000);
              child.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
            }
          }),
      ),
    );
    emulator?.process.kill('SIGTERM');
    await dropDatabases?.();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Resource ids of synced resources, from the plugin's feed for the catalog (as a service). */
async function sampleResources(target: string, count: number) {
  const response = await fetch(
    `${target}/api/azure-tenant/catalog/resources?limit=${count}`,
    {
      headers: {
        authorization: `Bearer mock-service-token:${JSON.stringify({
          sub: 'plugin:catalog',
        })}`,
      },
    },
  );
  if (response.status !== 200) {
    throw new Error(`GET catalog/resources: ${response.status}`);
  }
  const { items } = await response.json();
  return items.map((r: any) => r.resourceId as string);
}
