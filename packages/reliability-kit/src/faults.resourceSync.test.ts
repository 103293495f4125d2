/*
 * Faults during the resource sync, injected on ARM's resource listing through the emulator. The subscriptions of a
 * generated tenant sync at once, each under its own fault: a failed run must keep every stored resource as it was and
 * record the failure, retries are counted in the emulator's log, and a run after the fault is cleared brings the
 * Azure-side changes made meanwhile.
 */
import { AzureEmulator, FaultSpec } from '@azure-tenant/azure-emulator';
import {
  backendConfig,
  testDatabaseConfig,
  dropTestDatabases,
  emulatorSubscriptions,
  FAULTS,
  grantPortalAccess,
  logMark,
  KitBackend,
  POSTGRES_URL,
  report,
  requestsSince,
  SDK_MAX_TRIES,
  startKitBackend,
  startTestEmulator,
  storedResources,
  syncAndWait,
  waitForSucceededSyncs,
} from '.';

jest.setTimeout(120_000);

const listPath = (subscriptionId: string) =>
  new RegExp(`^/subscriptions/${subscriptionId}/resources$`, 'i');
const onList = (
  subscriptionId: string,
  effect: Omit<FaultSpec, 'match'>,
): FaultSpec => ({
  match: {
    method: 'GET',
    pathPattern: `^/subscriptions/${subscriptionId}/resources$`,
  },
  ...effect,
});

/**
 * One fault per subscription of a generated tenant, all synced at once (pages of 25). `listRequests` is what the
 * run makes: the pages read before the fault plus the tries of the failing page.
 */
const CASES: Array<{
  name: string;
  effect: Omit<FaultSpec, 'match'>;
  listRequests: number;
  /** The run succeeds in spite of the fault. */
  succeeds?: boolean;
}> = [
  {
    name: '429 Retry-After',
    effect: { ...FAULTS['429 Retry-After'], times: 0 },
    listRequests: SDK_MAX_TRIES,
  },
  {
    name: '500',
    effect: { ...FAULTS['500'], times: 0 },
    listRequests: SDK_MAX_TRIES,
  },
  {
    name: '503 Retry-After',
    effect: { ...FAULTS['503 Retry-After'], times: 0 },
    listRequests: SDK_MAX_TRIES,
  },
  {
    name: 'connection reset',
    effect: { ...FAULTS['connection reset'], times: 0 },
    listRequests: SDK_MAX_TRIES,
  },
  {
    name: 'malformed JSON',
    effect: { ...FAULTS['malformed JSON'], times: 0 },
    listRequests: 1,
  },
  {
    name: 'page 3 fails (500, skip 2)',
    effect: { status: 500, skip: 2, times: 0 },
    listRequests: 2 + SDK_MAX_TRIES,
  },
  {
    name: '10 s stall on page 2 (within the default 60 s per-try timeout)',
    effect: { delayMs: 10_000, skip: 1 },
    listRequests: -1,
    succeeds: true,
  },
];

// SQLite in CI; RELIABILITY_POSTGRES=1 runs the matrix on PostgreSQL too (about 30 s more).
const databaseIds: Array<'SQLITE_3' | 'POSTGRES_15'> =
  POSTGRES_URL && process.env.RELIABILITY_POSTGRES === '1'
    ? ['SQLITE_3', 'POSTGRES_15']
    : ['SQLITE_3'];

describe.each(databaseIds)('resource sync under faults, on %s', databaseId => {
  let emulator: AzureEmulator;
  let backend: KitBackend;
  let subscriptions: string[];

  beforeAll(async () => {
    emulator = await startTestEmulator({
      generate: {
        subscriptions: CASES.length,
        resources: CASES.length * 90,
        days: 10,
        seed: 7,
      },
    });
    subscriptions = emulatorSubscriptions(emulator);
    grantPortalAccess(emulator, ['Reader'], subscriptions);
    backend = await startKitBackend(
      backendConfig(
        emulator,
        testDatabaseConfig(databaseId, 'rel_sync'),
        { azureTenant: { sync: { concurrency: CASES.length } } },
        subscriptions,
      ),
    );
    await waitForSucceededSyncs(backend.server, subscriptions);
  });

  afterAll(async () => {
    await backend?.stop();
    await emulator?.stop();
    await dropTestDatabases();
  });

  it('a failed run keeps every resource and records the failure, retries are bounded, and the next run recovers', async () => {
    // Azure changes meanwhile: an edited tag and a new resource in each subscription.
    const before = await storedResources(backend.knex);
    const edited = new Map<string, string>();
    for (const subscriptionId of subscriptions) {
      const [first] = [...before.values()]
        .filter(r => r.subscriptionId === subscriptionId)
        .sort((a, b) => (a.key < b.key ? -1 : 1));
      const row = await backend
        .knex('resources')
        .where({ resource_key: first.key })
        .first('resource_id');
      emulator.control.editTags({
        resourceId: row.resource_id,
        set: { 'rel-fault': 'after' },
      });
      edited.set(subscriptionId, first.key);
      emulator.control.addResource({
        subscriptionId,
        resourceGroup: 'rg-reliability',
        type: 'Microsoft.Storage/storageAccounts',
        name: `strel${subscriptionId.slice(0, 8)}`,
        location: 'westeurope',
      });
    }

    CASES.forEach((c, i) =>
      emulator.control.injectFault(onList(subscriptions[i], c.effect)),
    );
    const mark = logMark(emulator);
    const t0 = Date.now();
    const runs = await syncAndWait(backend.server, subscriptions);
    const runMs = Date.now() - t0;
    emulator.control.clearFaults();

    const after = await storedResources(backend.knex);
    for (const [i, c] of CASES.entries()) {
      const subscriptionId = subscriptions[i];
      const run = runs[subscriptionId];
      const lists = requestsSince(emulator, mark, {
        method: 'GET',
        path: listPath(subscriptionId),
      });
      const mineBefore = [...before.values()].filter(
        r => r.subscriptionId === subscriptionId,
      );
      const mineAfter = [...after.values()].filter(
        r => r.subscriptionId === subscriptionId,
      );
      // A failed run keeps every stored resource of the subscription as it was: nothing lost, nothing half-written.
      // A run that waited out a stall stores the new resource.
      expect({
        fault: c.name,
        status: run.lastSync.status,
        error: Boolean(run.lastSync.error),
        stored: c.succeeds ? mineAfter.length : mineAfter,
        requests: c.succeeds
          ? lists.every(r => r.status === 200)
          : lists.length,
      }).toEqual({
        fault: c.name,
        status: c.succeeds ? 'succeeded' : 'failed',
        error: !c.succeeds,
        stored: c.succeeds ? mineBefore.length + 1 : mineBefore,
        requests: c.succeeds ? true : c.listRequests,
      });
      report({
        area: 'resource sync',
        database: databaseId,
        fault: c.name,
        requests: lists.length,
        retries: c.succeeds
          ? 0
          : Math.max(0, lists.length - (c.effect.skip ?? 0) - 1),
        outcome: c.succeeds
          ? 'succeeded'
          : `failed (${String(run.lastSync.error).slice(
              0,
              80,
            )}); stored resources unchanged`,
        ms: runMs,
      });
    }

    // The next run recovers, with the changes made in Azure meanwhile.
    const mark2 = logMark(emulator);
    const recovered = await syncAndWait(backend.server, subscriptions);
    const final = await storedResources(backend.knex);
    for (const subscriptionId of subscriptions) {
      expect(recovered[subscriptionId].lastSync.status).toBe('succeeded');
      expect(
        [...final.values()].filter(r => r.subscriptionId === subscriptionId),
      ).toHaveLength(
        [...before.values()].filter(r => r.subscriptionId === subscriptionId)
          .length + 1,
      );
      expect(final.get(edited.get(subscriptionId)!)!.tags).toMatchObject({
        'rel-fault': 'after',
      });
      expect(
        requestsSince(emulator, mark2, {
          method: 'GET',
          path: listPath(subscriptionId),
        }).every(r => r.status === 200),
      ).toBe(true);
    }
  });
});
