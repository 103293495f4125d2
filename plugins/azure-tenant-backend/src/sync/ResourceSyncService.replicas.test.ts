import { ResourceManagementClient } from '@azure/arm-resources';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Knex } from 'knex';
import { AzureEmulator, DEMO_APP } from '@azure-tenant/azure-emulator';
import {
  emulatorConnectionConfig,
  eventually,
} from '@azure-tenant/test-support';
import { AzureConnection } from '../azure/azureConnection';
import { AzureQuotas, DEFAULT_AZURE_QUOTAS } from '../azure/quota/AzureQuotas';
import { DatabaseQuotaBudget } from '../azure/quota/DatabaseQuotaBudget';
import { readAzureTenantConfig } from '../config/AzureTenantConfig';
import { DatabaseAzureTenantStore } from '../database/DatabaseAzureTenantStore';
import { DatabaseResourceStore } from '../database/DatabaseResourceStore';
import { migrateDatabase } from '../database/migrations';
import { recordingEvents } from '../__testUtils__/syncFixture';
import { startTestEmulator } from '../__testUtils__/testEmulator';
import { DatabaseSyncClaims } from './claims/DatabaseSyncClaims';
import { ResourceSyncer, SubscriptionSyncReport } from './ResourceSyncer';
import { ResourceSyncService } from './ResourceSyncService';
import { readSyncConfig } from './SyncConfig';
import { TenantBatchSyncer } from './TenantBatchSyncer';

jest.setTimeout(240_000);

const SUBSCRIPTIONS = 300;
const RESOURCES = 900;
// The emulator's ARM read buckets, made much smaller than Azure's so that the shared budget has work to do.
const EMULATOR_READS = { capacity: 6, refillPerSecond: 4 };

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

let emulator: AzureEmulator;
let subscriptions: Array<{ subscriptionId: string; tenantId: string }>;

beforeAll(async () => {
  emulator = await startTestEmulator({
    generate: {
      subscriptions: SUBSCRIPTIONS,
      resources: RESOURCES,
      days: 1,
      seed: 7,
    },
    throttling: { enabled: true, reads: EMULATOR_READS },
    requestLogLimit: 50_000,
  });
  subscriptions = (emulator.control.summary().subscriptions as any[]).map(
    s => ({ subscriptionId: s.subscriptionId, tenantId: s.tenantId }),
  );
  const tenantId = subscriptions[0].tenantId;
  const principal = emulator.control.consent(tenantId, DEMO_APP.clientId);
  for (const { subscriptionId } of subscriptions) {
    emulator.control.assignRole({
      scope: `/subscriptions/${subscriptionId}`,
      principalId: principal.objectId,
      role: 'Reader',
    });
  }
});

afterAll(async () => {
  await emulator?.stop();
});

/** Three replicas' services on one database, each with its own Azure clients, claims and budget. */
async function createReplicas(
  knex: Knex,
  options: {
    lease?: { seconds: number };
    batchSyncers?: TenantBatchSyncer[];
    /** How many of the emulator's subscriptions are registered. Defaults to all. */
    count?: number;
  },
) {
  const registered = subscriptions.slice(0, options.count);
  const config = new ConfigReader({
    app: { baseUrl: 'http://localhost:3000' },
    backend: { baseUrl: 'http://localhost:7007' },
    azureTenant: { ...emulatorConnectionConfig(emulator), sync: {} },
  });
  await migrateDatabase(knex);
  const store = new DatabaseAzureTenantStore(knex);
  const resources = new DatabaseResourceStore(knex);
  const syncConfig = {
    ...readSyncConfig(config),
    ...(options.lease ? { lease: options.lease } : {}),
  };
  const at = new Date();
  await store.register(
    { tenantId: subscriptions[0].tenantId, source: 'config', at },
    registered.map(({ subscriptionId, tenantId }) => ({
      subscriptionId,
      tenantId,
      displayName: subscriptionId,
      source: 'config' as const,
      grantedRoles: [],
      roleStatus: 'unknown' as const,
      initialSyncMode: 'read-write-tags' as const,
      at,
    })),
  );
  const replicas = [0, 1, 2].map(i => {
    const connection = new AzureConnection(readAzureTenantConfig(config)!, {
      sharedQuota: {
        budget: new DatabaseQuotaBudget(knex),
        // A little under the emulator's buckets, as the defaults are under Azure's.
        quotas: {
          ...DEFAULT_AZURE_QUOTAS,
          armReads: { capacity: 5, refillPerSecond: 3.5 },
        },
      },
    });
    const syncer = new ResourceSyncer({
      connection,
      store: resources,
      config: syncConfig,
      logger: mockServices.logger.mock(),
    });
    return new ResourceSyncService({
      store,
      syncer,
      scheduler: mockServices.scheduler.mock(),
      events: recordingEvents(),
      config: syncConfig,
      logger: mockServices.logger.mock(),
      claims: new DatabaseSyncClaims(knex),
      replicaId: `replica-${i}`,
      batchSyncer: options.batchSyncers?.[i],
    });
  });
  return { store, resources, replicas, registered: registered.length };
}

const listings = () =>
  emulator.control
    .requests()
    .filter(
      r =>
        r.method === 'GET' &&
        /^\/subscriptions\/[^/]+\/resources$/.test(r.path),
    );

async function storedResourceCount(knex: Knex): Promise<number> {
  const [{ count }] = await knex('resources').count({ count: '*' });
  return Number(count);
}

describe.each(databases.eachSupportedId())(
  'replicas sharing the resource sync, on %s',
  databaseId => {
    let knex: Knex;

    beforeEach(async () => {
      emulator.control.clearRequests();
      emulator.control.configureThrottling({
        enabled: true,
        reads: EMULATOR_READS,
      });
      knex = await databases.init(databaseId);
    });

    it('share the subscriptions and the quota: each subscription synced once, none more than half, no 429', async () => {
      const { replicas, store } = await createReplicas(knex, {});
      await Promise.all(replicas.map(r => r.start()));

      const reports = await Promise.all(replicas.map(r => r.syncDue()));

      const synced = reports.flat();
      expect(synced.filter(r => r.status !== 'succeeded')).toEqual([]);
      expect(new Set(synced.map(r => r.subscriptionId)).size).toBe(
        SUBSCRIPTIONS,
      );
      expect(synced).toHaveLength(SUBSCRIPTIONS);
      for (const replicaReports of reports) {
        expect(replicaReports.length).toBeGreaterThan(0);
        expect(replicaReports.length).toBeLessThanOrEqual(SUBSCRIPTIONS / 2);
      }
      // One listing of each subscription (a page holds its few resources), and not one request throttled.
      const perSubscription = new Map<string, number>();
      for (const r of listings()) {
        perSubscription.set(r.path, (perSubscription.get(r.path) ?? 0) + 1);
      }
      expect(perSubscription.size).toBe(SUBSCRIPTIONS);
      expect([...perSubscription.values()].every(n => n === 1)).toBe(true);
      expect(emulator.control.requests().filter(r => r.status === 429)).toEqual(
        [],
      );
      expect(await storedResourceCount(knex)).toBe(
        synced.reduce((sum, r) => sum + r.resourceCount, 0),
      );
      expect(
        (await store.listSubscriptions()).every(
          s => s.lastSync?.status === 'succeeded',
        ),
      ).toBe(true);

      // Within the interval, nothing is due: no replica syncs anything again.
      const again = await Promise.all(replicas.map(r => r.syncDue()));
      expect(again.flat()).toEqual([]);
    });

    it("the replicas' Azure clients together stay under ARM's read quota of a subscription", async () => {
      await migrateDatabase(knex);
      const config = readAzureTenantConfig(
        new ConfigReader({
          app: { baseUrl: 'http://localhost:3000' },
          backend: { baseUrl: 'http://localhost:7007' },
          azureTenant: emulatorConnectionConfig(emulator),
        }),
      )!;
      const { subscriptionId, tenantId } = subscriptions[0];
      // 3 replicas read one subscription 12 times each: 36 reads against a bucket of 6 refilling 4 per second.
      const burst = async (quotas: AzureQuotas) => {
        emulator.control.configureThrottling({
          enabled: true,
          reads: EMULATOR_READS,
        });
        emulator.control.clearRequests();
        await Promise.all(
          [0, 1, 2].map(async () => {
            const connection = new AzureConnection(config, {
              sharedQuota: { budget: new DatabaseQuotaBudget(knex), quotas },
            });
            const client = new ResourceManagementClient(
              connection.appCredential(tenantId),
              subscriptionId,
              connection.armClientOptions(),
            );
            for (let i = 0; i < 12; i++) {
              for await (const _ of client.resourceGroups.list()) {
                // Reading the page is the request.
              }
            }
          }),
        );
        return emulator.control
          .requests()
          .filter(r => r.path.toLowerCase().endsWith('/resourcegroups'));
      };
      const shared = {
        ...DEFAULT_AZURE_QUOTAS,
        armReads: { capacity: 5, refillPerSecond: 3.5 },
      };

      const paced = await burst(shared);
      expect(paced.filter(r => r.status === 200)).toHaveLength(36);
      expect(paced.filter(r => r.status === 429)).toEqual([]);

      // Without the shared budget, the same burst is throttled (the SDK's retries still get every page).
      const unpaced = await burst({ ...shared, enabled: false });
      expect(unpaced.filter(r => r.status === 200)).toHaveLength(36);
      expect(unpaced.filter(r => r.status === 429).length).toBeGreaterThan(0);
    });

    it('a replica killed mid-sync loses nothing: its subscriptions are claimed and synced by the others', async () => {
      let killedBatch: string[] = [];
      let batchStarted!: () => void;
      const started = new Promise<void>(resolve => {
        batchStarted = resolve;
      });
      // The first replica takes a batch and never finishes it, as a process that dies in the middle of it.
      const dying: TenantBatchSyncer = {
        syncTenantBatch: batch => {
          killedBatch = batch.map(s => s.subscriptionId);
          batchStarted();
          return new Promise<SubscriptionSyncReport[]>(() => {});
        },
      };
      // Fewer subscriptions than above: the point here is the takeover, and each sync takes its time.
      const { replicas, store, registered } = await createReplicas(knex, {
        lease: { seconds: 2 },
        batchSyncers: [dying],
        count: 90,
      });
      await Promise.all(replicas.map(r => r.start()));
      const [killed, ...survivors] = replicas;
      void killed.syncDue();
      await started;
      killed.stop();
      expect(killedBatch.length).toBeGreaterThan(0);

      // The survivors sync what is due; the killed replica's batch once its leases lapse.
      const synced: SubscriptionSyncReport[] = [];
      await eventually(
        async () => {
          const rounds = await Promise.all(survivors.map(r => r.syncDue()));
          synced.push(...rounds.flat());
          const done = (await store.listSubscriptions()).filter(
            s => s.lastSync?.status === 'succeeded',
          ).length;
          expect(done).toBe(registered);
        },
        { timeoutMs: 120_000 },
      );

      expect(new Set(synced.map(r => r.subscriptionId)).size).toBe(registered);
      expect(synced).toHaveLength(registered);
      expect(
        synced.filter(r => killedBatch.includes(r.subscriptionId)),
      ).toHaveLength(killedBatch.length);
      expect(await storedResourceCount(knex)).toBe(
        synced.reduce((sum, r) => sum + r.resourceCount, 0),
      );
      expect(emulator.control.requests().filter(r => r.status === 429)).toEqual(
        [],
      );
    });
  },
);

const bothDatabases = TestDatabases.create({
  ids: ['POSTGRES_15', 'SQLITE_3'],
});

describe.each(bothDatabases.eachSupportedId())(
  'replicas and Sync now, on %s',
  databaseId => {
    it('a requested subscription is synced once by one replica, and the fresh ones not again', async () => {
      emulator.control.configureThrottling({ enabled: false });
      const knex = await bothDatabases.init(databaseId);
      const { replicas, store, registered } = await createReplicas(knex, {
        count: 6,
      });
      await Promise.all(replicas.map(r => r.start()));
      const first = (await Promise.all(replicas.map(r => r.syncDue()))).flat();
      expect(first.map(r => r.subscriptionId).sort()).toEqual(
        subscriptions
          .slice(0, registered)
          .map(s => s.subscriptionId)
          .sort(),
      );

      const requested = subscriptions[2].subscriptionId;
      await store.requestSync(requested, new Date());
      const second = (await Promise.all(replicas.map(r => r.syncDue()))).flat();

      expect(second.map(r => [r.subscriptionId, r.status])).toEqual([
        [requested, 'succeeded'],
      ]);
      expect((await store.getSubscription(requested))?.syncRequestedAt).toBe(
        undefined,
      );
    });
  },
);
