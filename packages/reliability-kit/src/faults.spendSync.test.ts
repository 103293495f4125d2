/*
 * Faults during the spend sync, injected on Cost Management's query API through the emulator. Each subscription of a
 * generated tenant gets its own fault and the scheduled spend task runs them all at once: a failed sync must keep the
 * spend stored earlier and record the failure, retries are counted in the emulator's log, and the next run recovers.
 */
import { AzureEmulator, FaultSpec } from '@azure-tenant/azure-emulator';
import {
  backendConfig,
  testDatabaseConfig,
  emulatorSubscriptions,
  eventually,
  FAULTS,
  grantPortalAccess,
  logMark,
  KitBackend,
  report,
  requestsSince,
  SDK_MAX_TRIES,
  startKitBackend,
  startTestEmulator,
} from '.';

jest.setTimeout(120_000);

const SPEND_TASK = 'azure-tenant-spend-sync';

const queryPath = (subscriptionId: string) =>
  new RegExp(
    `^/subscriptions/${subscriptionId}/providers/Microsoft\\.CostManagement/query$`,
    'i',
  );

const CASES: Array<{
  name: string;
  effect: Omit<FaultSpec, 'match'>;
  /** The most query requests the failed sync may make. */
  maxRequests: number;
  succeeds?: boolean;
}> = [
  {
    name: '429 Retry-After',
    effect: { ...FAULTS['429 Retry-After'], times: 0 },
    // One retry budget for throttling too (it was 16 tries before the fix of S1).
    maxRequests: SDK_MAX_TRIES,
  },
  {
    name: '500',
    effect: { ...FAULTS['500'], times: 0 },
    maxRequests: SDK_MAX_TRIES,
  },
  {
    name: '503 Retry-After',
    effect: { ...FAULTS['503 Retry-After'], times: 0 },
    maxRequests: SDK_MAX_TRIES,
  },
  {
    name: 'connection reset',
    effect: { ...FAULTS['connection reset'], times: 0 },
    maxRequests: SDK_MAX_TRIES,
  },
  {
    name: 'malformed JSON',
    effect: { ...FAULTS['malformed JSON'], times: 0 },
    maxRequests: 1,
  },
  {
    name: 'the 3rd page fails (500, skip 2)',
    effect: { status: 500, skip: 2, times: 0 },
    maxRequests: 2 + SDK_MAX_TRIES,
  },
  {
    name: '10 s stall (within the default 60 s per-try timeout)',
    effect: { delayMs: 10_000, skip: 1 },
    maxRequests: 50,
    succeeds: true,
  },
];

interface SpendSnapshot {
  rows: number;
  total: number;
  days: string[];
  resources: number;
}

let emulator: AzureEmulator;
let backend: KitBackend;
let subscriptions: string[];

async function spendOf(subscriptionId: string): Promise<SpendSnapshot> {
  const rows = await backend
    .knex('spend_daily')
    .where({ subscription_id: subscriptionId })
    .select('usage_date', 'resource_key', 'amount');
  return {
    rows: rows.length,
    total: Math.round(rows.reduce((sum, r) => sum + Number(r.amount), 0) * 100),
    days: [...new Set(rows.map(r => r.usage_date as string))].sort(),
    resources: new Set(rows.map(r => r.resource_key)).size,
  };
}

async function syncState(subscriptionId: string) {
  return backend
    .knex('spend_sync_state')
    .where({ subscription_id: subscriptionId })
    .first();
}

/** Runs the spend task now and waits until the run has ended and every subscription has an attempt after it began. */
async function runSpendSync() {
  const since = Date.now();
  await backend.scheduler.triggerTask(SPEND_TASK);
  await eventually(
    async () => {
      const task = await backend
        .knex('backstage_backend_tasks__tasks')
        .where({ id: SPEND_TASK })
        .first();
      expect(task.current_run_ticket).toBeNull();
      const ended =
        task.last_run_ended_at instanceof Date
          ? task.last_run_ended_at.getTime()
          : Date.parse(`${String(task.last_run_ended_at).replace(' ', 'T')}Z`);
      // The table keeps whole seconds.
      expect(ended).toBeGreaterThanOrEqual(Math.floor(since / 1000) * 1000);
      for (const subscriptionId of subscriptions) {
        const state = await syncState(subscriptionId);
        expect(
          Date.parse(state?.last_attempt_at ?? '0'),
        ).toBeGreaterThanOrEqual(since);
        expect(state.last_status).not.toBeNull();
      }
    },
    { timeoutMs: 90_000 },
  );
}

beforeAll(async () => {
  emulator = await startTestEmulator({
    generate: {
      subscriptions: CASES.length,
      resources: CASES.length * 12,
      days: 60,
      seed: 11,
    },
    costQueryPageSize: 10,
  });
  subscriptions = emulatorSubscriptions(emulator);
  grantPortalAccess(emulator, ['Reader'], subscriptions);
  backend = await startKitBackend(
    backendConfig(
      emulator,
      testDatabaseConfig('SQLITE_3', 'rel_spend'),
      {
        azureTenant: {
          spend: {
            concurrency: CASES.length,
            // A short first backfill; the faulted run re-reads the last 3 days (several pages of 10 rows).
            lookbackDays: 5,
            // The scheduler's worker starts polling only after the initial delay, and triggers wait for it.
            schedule: { initialDelay: 'PT1S' },
          },
        },
      },
      subscriptions,
    ),
  );
  // A first good spend sync, so that there is spend to keep.
  await runSpendSync();
  for (const subscriptionId of subscriptions) {
    const { last_status: status } = await syncState(subscriptionId);
    if (status !== 'succeeded') {
      throw new Error(`The first spend sync of ${subscriptionId}: ${status}`);
    }
  }
});

afterAll(async () => {
  await backend?.stop();
  await emulator?.stop();
});

describe('spend sync under faults', () => {
  it('a failed sync keeps the stored spend and records the failure, retries are bounded, and the next run recovers', async () => {
    const before = new Map<string, SpendSnapshot>();
    const stateBefore = new Map<string, any>();
    for (const subscriptionId of subscriptions) {
      before.set(subscriptionId, await spendOf(subscriptionId));
      stateBefore.set(subscriptionId, await syncState(subscriptionId));
      // New spend in Azure meanwhile: a resource created now costs from today.
      emulator.control.addResource({
        subscriptionId,
        resourceGroup: 'rg-reliability',
        type: 'Microsoft.Compute/virtualMachines',
        name: `vm-rel-${subscriptionId.slice(0, 8)}`,
        location: 'westeurope',
      });
    }
    CASES.forEach((c, i) =>
      emulator.control.injectFault({
        match: {
          method: 'POST',
          pathPattern: queryPath(subscriptions[i]).source,
        },
        ...c.effect,
      }),
    );
    const mark = logMark(emulator);
    const t0 = Date.now();
    await runSpendSync();
    const runMs = Date.now() - t0;
    emulator.control.clearFaults();

    for (const [i, c] of CASES.entries()) {
      const subscriptionId = subscriptions[i];
      const state = await syncState(subscriptionId);
      const queries = requestsSince(emulator, mark, {
        method: 'POST',
        path: queryPath(subscriptionId),
      });
      const spend = await spendOf(subscriptionId);
      // A failed sync keeps the spend stored earlier, unchanged, and what the sync had read through; a sync that
      // waited out a stall brings the new resource's spend.
      const stateWas = stateBefore.get(subscriptionId);
      expect({
        fault: c.name,
        status: state.last_status,
        error: Boolean(state.last_error),
        spend: c.succeeds ? spend.resources : spend,
        syncedThrough: c.succeeds ? undefined : state.synced_through,
        lastSyncedAt: c.succeeds ? undefined : state.last_synced_at,
        bounded: queries.length >= 1 && queries.length <= c.maxRequests,
      }).toEqual({
        fault: c.name,
        status: c.succeeds ? 'succeeded' : 'failed',
        error: !c.succeeds,
        spend: c.succeeds
          ? before.get(subscriptionId)!.resources + 1
          : before.get(subscriptionId),
        syncedThrough: c.succeeds ? undefined : stateWas.synced_through,
        lastSyncedAt: c.succeeds ? undefined : stateWas.last_synced_at,
        bounded: true,
      });
      report({
        area: 'spend sync',
        database: 'SQLITE_3',
        fault: c.name,
        requests: queries.length,
        retries: c.succeeds
          ? queries.filter(q => q.faultId).length - 1
          : Math.max(0, queries.length - (c.effect.skip ?? 0) - 1),
        outcome: c.succeeds
          ? 'succeeded'
          : `failed (${String(state.last_error).slice(
              0,
              80,
            )}); stored spend unchanged`,
        ms: runMs,
      });
    }

    // The next run recovers and brings the new resource's spend.
    const mark2 = logMark(emulator);
    await runSpendSync();
    for (const subscriptionId of subscriptions) {
      expect((await syncState(subscriptionId)).last_status).toBe('succeeded');
      expect((await spendOf(subscriptionId)).resources).toBe(
        before.get(subscriptionId)!.resources + 1,
      );
      expect(
        requestsSince(emulator, mark2, {
          method: 'POST',
          path: queryPath(subscriptionId),
        }).every(r => r.status === 200),
      ).toBe(true);
    }
  });
});
