/*
 * Load, in a short bounded form for CI (`npm run bench:load` is the minute-long form): several clients edit tags and
 * query spend at once against a whole backend for a few seconds; then p95 and error rates are reported, and every
 * tag edit that answered 200 must be in Azure and in the stored resources. And two backend replicas on one PostgreSQL
 * run the schedules without duplicate work, counted in the emulator's request log.
 */
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { AzureEmulator } from '@azure-tenant/azure-emulator';
import {
  asUser,
  backendConfig,
  DEMO_SUBSCRIPTION_IDS,
  testDatabaseConfig,
  dropTestDatabases,
  eventually,
  grantPortalAccess,
  logMark,
  KitBackend,
  POSTGRES_URL,
  report,
  requestsSince,
  startKitBackend,
  startTestEmulator,
  storedResources,
  subscriptionOf,
  SUBSCRIPTIONS,
  machine,
  runLoad,
} from '.';

jest.setTimeout(180_000);

const LOAD_MS = 12_000;
const CLIENTS = 6;
const DAY = 86_400_000;
const day = (offset: number) =>
  new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);

let emulator: AzureEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
  grantPortalAccess(emulator);
});

afterAll(async () => {
  await emulator?.stop();
  await dropTestDatabases();
});

/** Spend synced at startup, and again every `frequency`. */
const spendSchedule = (frequencySeconds: number) => ({
  schedule: {
    // ISO strings: the suite's config merge would add object durations to the defaults.
    frequency: `PT${frequencySeconds}S`,
    timeout: 'PT2M',
    initialDelay: 'PT1S',
  },
});

async function spendSynced(backend: KitBackend) {
  await eventually(
    async () => {
      const states = await backend.knex('spend_sync_state');
      expect(
        states.filter((s: any) => s.last_status === 'succeeded'),
      ).toHaveLength(DEMO_SUBSCRIPTION_IDS.length);
    },
    { timeoutMs: 90_000 },
  );
}

async function resourcesSynced(backend: KitBackend) {
  await eventually(
    async () => {
      for (const subscriptionId of DEMO_SUBSCRIPTION_IDS) {
        expect(
          (await subscriptionOf(backend.server, subscriptionId)).lastSync
            ?.status,
        ).toBe('succeeded');
      }
    },
    { timeoutMs: 90_000 },
  );
}

describe('tag edits and spend queries under sustained load', () => {
  it(`${CLIENTS} clients for ${
    LOAD_MS / 1000
  } s: no errors, bounded p95, and every acknowledged edit in Azure and stored`, async () => {
    const backend = await startKitBackend(
      backendConfig(emulator, testDatabaseConfig('SQLITE_3', 'rel_load'), {
        azureTenant: { spend: spendSchedule(3600) },
      }),
    );
    try {
      await resourcesSynced(backend);
      await spendSynced(backend);
      const rows = await backend
        .knex('resources')
        .where({ subscription_id: SUBSCRIPTIONS.platform })
        .orderBy('resource_key')
        .select('resource_id');
      const resourceIds = rows.slice(0, 24).map((r: any) => r.resource_id);

      // The test backend listens on 127.0.0.1: the clients' requests are concurrent HTTP requests.
      const { port } = backend.server.address() as AddressInfo;
      const mark = logMark(emulator);
      const result = await runLoad({
        targets: [`http://127.0.0.1:${port}`],
        authorization: asUser,
        clients: CLIENTS,
        durationMs: LOAD_MS,
        resourceIds,
        subscriptionIds: DEMO_SUBSCRIPTION_IDS,
        from: day(-30),
        to: day(0),
      });

      expect(result.tags.count).toBeGreaterThan(0);
      expect(result.spend.count).toBeGreaterThan(0);
      expect(result.tags.errors).toBe(0);
      expect(result.spend.errors).toBe(0);
      expect(result.tags.p95Ms).toBeLessThan(10_000);
      expect(result.spend.p95Ms).toBeLessThan(10_000);

      // Every acknowledged edit is in Azure and in the stored resources, which match Azure.
      const stored = await storedResources(
        backend.knex,
        SUBSCRIPTIONS.platform,
      );
      for (const [client, written] of result.lastWritten.entries()) {
        for (const [resourceId, value] of written) {
          const azure = emulator.control.getTags(resourceId);
          expect(azure[result.keys[client]]).toBe(value);
          expect(stored.get(resourceId.toLowerCase())!.tags).toEqual(azure);
        }
      }
      const patches = requestsSince(emulator, mark, { method: 'PATCH' });
      expect(patches.length).toBe(result.tags.count);

      report({
        area: 'load',
        database: 'SQLITE_3',
        form: 'jest (CI)',
        machine: machine(),
        durationMs: result.durationMs,
        clients: CLIENTS,
        tags: result.tags,
        spend: result.spend,
        azurePatches: patches.length,
        loadAverage: result.loadAverage,
      });
    } finally {
      await backend.stop();
    }
  });
});

describe('two backend replicas on one PostgreSQL', () => {
  if (!POSTGRES_URL) {
    it.skip('skipped: PostgreSQL is not reachable (set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING)', () => {});
    return;
  }

  it('run the resource and spend schedules without duplicate work', async () => {
    const SPEND_EVERY_S = 4;
    const WINDOW_MS = 14_000;
    emulator.control.clearRequests();
    const database = testDatabaseConfig('POSTGRES_15', 'rel_replicas');
    const config = backendConfig(emulator, database, {
      azureTenant: { spend: spendSchedule(SPEND_EVERY_S) },
    });
    // Started one after the other, as a rollout would.
    const first = await startKitBackend(config);
    const second = await startKitBackend(config);
    try {
      // The first scheduled resource sync: both replicas schedule it, one runs it.
      await resourcesSynced(first);
      await spendSynced(first);
      const pages: Record<string, number> = {
        [SUBSCRIPTIONS.platform]: 4,
        [SUBSCRIPTIONS.payments]: 3,
        [SUBSCRIPTIONS.dataEurope]: 2,
      };
      const lists = (subscriptionId: string, since = 0) =>
        requestsSince(emulator, since, {
          method: 'GET',
          path: new RegExp(`^/subscriptions/${subscriptionId}/resources$`),
        }).length;
      for (const subscriptionId of DEMO_SUBSCRIPTION_IDS) {
        // 25 resources a page: one sync of each subscription, not two.
        expect(lists(subscriptionId)).toBe(pages[subscriptionId]);
      }

      // A window of spend intervals, with Sync now asked on both replicas at once, three times.
      const mark = logMark(emulator);
      const started = Date.now();
      const rounds = 3;
      for (let round = 0; round < rounds; round++) {
        const before = Date.now();
        await Promise.all(
          [first, second].flatMap(replica =>
            DEMO_SUBSCRIPTION_IDS.map(subscriptionId =>
              request(replica.server)
                .post(`/api/azure-tenant/subscriptions/${subscriptionId}/sync`)
                .set('authorization', asUser)
                .expect(202),
            ),
          ),
        );
        await eventually(async () => {
          for (const subscriptionId of DEMO_SUBSCRIPTION_IDS) {
            const s = await subscriptionOf(second.server, subscriptionId);
            expect(s.syncRequestedAt).toBeUndefined();
            expect(Date.parse(s.lastSync.finishedAt)).toBeGreaterThanOrEqual(
              before,
            );
          }
        });
      }
      // One forecast query per spend sync of a subscription.
      const spendRunsOf = (subscriptionId: string) =>
        requestsSince(emulator, mark, {
          method: 'POST',
          path: new RegExp(
            `^/subscriptions/${subscriptionId}/providers/Microsoft\\.CostManagement/forecast$`,
            'i',
          ),
        }).length;
      // The window ends once every subscription has had two spend syncs (on a loaded machine that can take longer
      // than the schedule says), and lasts at least WINDOW_MS, so that a replica running them twice would show.
      await eventually(
        () => {
          for (const subscriptionId of DEMO_SUBSCRIPTION_IDS) {
            expect(spendRunsOf(subscriptionId)).toBeGreaterThanOrEqual(2);
          }
          expect(Date.now() - started).toBeGreaterThanOrEqual(WINDOW_MS);
        },
        { timeoutMs: 90_000 },
      );
      const windowMs = Date.now() - started;

      const syncs: Record<string, number> = {};
      const spendRuns: Record<string, number> = {};
      for (const subscriptionId of DEMO_SUBSCRIPTION_IDS) {
        syncs[subscriptionId] =
          lists(subscriptionId, mark) / pages[subscriptionId];
        spendRuns[subscriptionId] = spendRunsOf(subscriptionId);
      }
      const intervals = Math.ceil(windowMs / (SPEND_EVERY_S * 1000)) + 1;
      for (const subscriptionId of DEMO_SUBSCRIPTION_IDS) {
        // Each Sync now round syncs each subscription once (two simultaneous requests are one sync).
        expect(syncs[subscriptionId]).toBe(rounds);
        // At most one spend sync per interval: with both replicas running it, there would be about twice as many.
        expect(spendRuns[subscriptionId]).toBeGreaterThanOrEqual(2);
        expect(spendRuns[subscriptionId]).toBeLessThanOrEqual(intervals);
      }
      report({
        area: 'replicas',
        database: 'POSTGRES_15',
        windowMs,
        spendEveryS: SPEND_EVERY_S,
        spendIntervals: intervals,
        firstScheduledSyncListRequests: Object.fromEntries(
          DEMO_SUBSCRIPTION_IDS.map(s => [s, pages[s]]),
        ),
        syncNowRounds: rounds,
        syncsPerSubscription: syncs,
        spendSyncsPerSubscription: spendRuns,
      });
    } finally {
      await second.stop();
      await first.stop();
    }
  });
});
