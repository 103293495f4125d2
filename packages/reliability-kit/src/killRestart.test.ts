/*
 * Kill and restart: the demo backend's plugins in a child process on a file SQLite database, syncing a generated
 * tenant whose ARM pages are slowed down, is killed with SIGKILL in the middle of the sync, started again on the same
 * database, and left to finish. Then every resource must be there once, each subscription's sync recorded, and the
 * next sync must succeed without changing anything.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import { AzureEmulator } from '@azure-tenant/azure-emulator';
import {
  asUser,
  backendConfig,
  emulatorSubscriptions,
  eventually,
  freePort,
  grantPortalAccess,
  report,
  startTestEmulator,
} from '.';

jest.setTimeout(150_000);

const SUBSCRIPTIONS = 4;
const RESOURCES = 4000;
const PAGE_SIZE = 50;
/** The sync task's timeout, and how long a killed replica keeps its claims on subscriptions (its lease). */
const SYNC_TIMEOUT_S = 15;

let emulator: AzureEmulator;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-kill-'));
  emulator = await startTestEmulator({
    generate: {
      subscriptions: SUBSCRIPTIONS,
      resources: RESOURCES,
      days: 5,
      seed: 3,
    },
  });
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
  }
  await emulator?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts the backend in its own process and waits for its ready line. */
async function startChild(config: object, logName: string) {
  const log = fs.openSync(path.join(dir, logName), 'a');
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require('@backstage/cli/config/nodeTransform.cjs'); require(${JSON.stringify(
        path.join(__dirname, 'childBackend.ts'),
      )});`,
    ],
    {
      cwd: path.resolve(__dirname, '..'),
      env: {
        ...process.env,
        NODE_ENV: 'development',
        REL_BACKEND_CONFIG: JSON.stringify(config),
      },
      stdio: ['ignore', 'pipe', log],
    },
  );
  children.push(child);
  const lines = readline.createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    lines.on('line', line => {
      fs.appendFileSync(path.join(dir, logName), `${line}\n`);
      if (line.startsWith('{"event":"ready"')) resolve();
    });
    child.once('exit', code =>
      reject(
        new Error(
          `the backend exited with ${code}: ${fs.readFileSync(
            path.join(dir, logName),
            'utf8',
          )}`,
        ),
      ),
    );
  });
  return child;
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

describe('kill and restart during a sync', () => {
  it('leaves no duplicated or half-written resources, and the restarted backend finishes the sync', async () => {
    const subscriptions = emulatorSubscriptions(emulator);
    grantPortalAccess(emulator, ['Reader'], subscriptions);
    const port = await freePort();
    const config = backendConfig(
      emulator,
      {
        client: 'better-sqlite3',
        connection: { directory: path.join(dir, 'db') },
      },
      {
        backend: {
          baseUrl: `http://127.0.0.1:${port}`,
          listen: { host: '127.0.0.1', port },
        },
        azureTenant: {
          sync: {
            pageSize: PAGE_SIZE,
            concurrency: 1,
            timeout: { seconds: SYNC_TIMEOUT_S },
            // A killed replica's claims lapse after this; the next replica claims every few seconds.
            lease: { seconds: SYNC_TIMEOUT_S },
            claimInterval: { seconds: 2 },
          },
        },
      },
      subscriptions,
    );
    // Every ARM page of resources takes 100 ms more: a subscription takes a few seconds to read.
    emulator.control.injectFault({
      match: { method: 'GET', pathPattern: '^/subscriptions/[^/]+/resources$' },
      delayMs: 100,
      times: 0,
    });
    const lists = () =>
      emulator.control
        .requests()
        .filter(
          r =>
            r.method === 'GET' &&
            /^\/subscriptions\/[^/]+\/resources$/.test(r.path),
        );

    const first = await startChild(config, 'first.log');
    const pagesPerSubscription = Math.ceil(
      RESOURCES / SUBSCRIPTIONS / PAGE_SIZE,
    );
    // Kill it in the middle of the second subscription's pages.
    await eventually(
      () =>
        expect(lists().length).toBeGreaterThanOrEqual(
          Math.round(pagesPerSubscription * 1.5),
        ),
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const killedAt = Date.now();
    first.kill('SIGKILL');
    await killed(first);
    const pagesBeforeKill = lists().length;

    const dbFile = path.join(dir, 'db', 'azure-tenant.sqlite');
    expect(fs.existsSync(dbFile)).toBe(true);
    const db: Knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: dbFile },
      useNullAsDefault: true,
    });
    try {
      const countsAfterKill = await db('resources')
        .select('subscription_id')
        .count({ n: '*' })
        .groupBy('subscription_id');
      const statusAfterKill = await db('subscriptions').select(
        'subscription_id',
        'last_sync_status',
      );
      // The killed replica still holds its claims until their lease lapses.
      const held = await db('sync_claims').whereNotNull('replica_id');
      expect(held.length).toBeGreaterThan(0);

      emulator.control.clearFaults();
      const second = await startChild(config, 'second.log');
      const restartedAt = Date.now();
      const server = `http://127.0.0.1:${port}`;
      await eventually(
        async () => {
          const { body } = await request(server)
            .get('/api/azure-tenant/subscriptions')
            .set('authorization', asUser);
          expect(body.items).toHaveLength(SUBSCRIPTIONS);
          for (const s of body.items) {
            expect(s.lastSync?.status).toBe('succeeded');
          }
        },
        { timeoutMs: 90_000 },
      );
      const finishedAt = Date.now();

      // Every resource once, per subscription and in all.
      const total = await db('resources').count({ n: '*' }).first();
      const distinct = await db('resources')
        .countDistinct({ n: 'resource_key' })
        .first();
      expect(Number(total!.n)).toBe(RESOURCES);
      expect(Number(distinct!.n)).toBe(RESOURCES);
      const counts = await db('resources')
        .select('subscription_id')
        .count({ n: '*' })
        .groupBy('subscription_id');
      expect(counts).toHaveLength(SUBSCRIPTIONS);
      const snapshot = await db('resources')
        .select('resource_key', 'content_hash', 'revision')
        .orderBy('resource_key');

      // The next sync succeeds and changes nothing.
      const requested = Date.now();
      for (const subscriptionId of subscriptions) {
        const response = await request(server)
          .post(`/api/azure-tenant/subscriptions/${subscriptionId}/sync`)
          .set('authorization', asUser);
        expect(response.status).toBe(202);
      }
      await eventually(
        async () => {
          const { body } = await request(server)
            .get('/api/azure-tenant/subscriptions')
            .set('authorization', asUser);
          for (const s of body.items) {
            expect(s.syncRequestedAt).toBeUndefined();
            expect(s.lastSync.status).toBe('succeeded');
            expect(Date.parse(s.lastSync.finishedAt)).toBeGreaterThanOrEqual(
              requested,
            );
          }
        },
        { timeoutMs: 60_000 },
      );
      expect(
        await db('resources')
          .select('resource_key', 'content_hash', 'revision')
          .orderBy('resource_key'),
      ).toEqual(snapshot);

      second.kill('SIGTERM');
      await killed(second);
      report({
        area: 'kill/restart',
        database: 'SQLite file',
        subscriptions: SUBSCRIPTIONS,
        resources: RESOURCES,
        pagesBeforeKill,
        storedAtKill: countsAfterKill.map(c => Number(c.n)),
        statusAtKill: statusAfterKill.map(s => s.last_sync_status),
        lockHeldAfterKill: true,
        resumedAfterMs: finishedAt - restartedAt,
        killToFinishedMs: finishedAt - killedAt,
        syncTimeoutS: SYNC_TIMEOUT_S,
        final: `${RESOURCES} resources, ${RESOURCES} distinct, every subscription succeeded; next sync succeeded with 0 changes`,
      });
    } finally {
      await db.destroy();
    }
  });
});
