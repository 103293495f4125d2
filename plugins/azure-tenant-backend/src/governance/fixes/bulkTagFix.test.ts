import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  AzureEmulator,
  DEMO_SUBSCRIPTIONS,
  RequestLogEntry,
} from '@azure-tenant/azure-emulator';
import { TagFixJob } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import { Knex } from 'knex';
import { grantPortalAccess } from '../../__testUtils__/syncFixture';
import { releaseTestDatabase } from '../../__testUtils__/releaseTestDatabase';
import { startTestEmulator } from '../../__testUtils__/testEmulator';
import { TAG_WRITE_PATH } from '../../tags/__testUtils__/tagsFixture';
import { DatabaseComplianceStore } from '../compliance/DatabaseComplianceStore';
import { TagComplianceEvaluator } from '../compliance/TagComplianceEvaluator';
import { ArmTokenBuckets } from './ArmTokenBuckets';
import { TagFixPlanner } from './TagFixPlanner';
import {
  addMessyResources,
  createTagFixFixture,
  FIX_POLICIES,
} from './__testUtils__/tagFixFixture';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const PER_SUBSCRIPTION = 500;

let emulator: AzureEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator?.stop();
});

const caller = { credentials: mockCredentials.user('user:default/alice') };

/** Tag reads and writes at a resource: the only ARM requests a fix may send. */
const TAG_READ_OR_WRITE = TAG_WRITE_PATH;

const isArm = (r: RequestLogEntry) =>
  !r.path.includes('/oauth2/') &&
  !r.path.startsWith('/_emulator') &&
  !/\/\.well-known\//.test(r.path) &&
  !/\/discovery\//.test(r.path);

/** Waits for a condition the test observes, checking every 50 ms, up to `timeoutMs`. */
async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('Timed out waiting');
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

describe.each(databases.eachSupportedId())(
  'bulk tag fixes on the emulator (%s)',
  databaseId => {
    let knex: Knex;
    let fixture: Awaited<ReturnType<typeof createTagFixFixture>>;
    /** Compliance as the plugin keeps it: the real evaluator writing the real store, which the planner reads. */
    let compliance: DatabaseComplianceStore;
    let evaluator: TagComplianceEvaluator;
    let planner: TagFixPlanner;
    let ids: string[];
    let writeSubscription: string;
    let portalSubscription: string;

    afterEach(() => releaseTestDatabase(knex));

    beforeEach(async () => {
      emulator.control.reset();
      grantPortalAccess(emulator, 'Reader');
      grantPortalAccess(emulator, 'Tag Contributor');
      knex = await databases.init(databaseId);
      writeSubscription = DEMO_SUBSCRIPTIONS.platform;
      portalSubscription = DEMO_SUBSCRIPTIONS.payments;
      ids = addMessyResources(
        emulator,
        [writeSubscription, portalSubscription],
        PER_SUBSCRIPTION,
      );
      fixture = await createTagFixFixture(knex, emulator);
      await fixture.store.setSyncMode(
        portalSubscription,
        'read-tags',
        new Date(),
      );
      compliance = new DatabaseComplianceStore(knex);
      const policies = { listPolicies: async () => FIX_POLICIES };
      // The fix policies name no catalog entity: an empty directory resolves every owner as the catalog would.
      const owners = AzureOwnerDirectory.fromEntities([]);
      evaluator = new TagComplianceEvaluator({
        store: compliance,
        resources: fixture.resources,
        subscriptions: fixture.store,
        policies,
        loadOwners: async () => owners,
      });
      planner = new TagFixPlanner({
        compliance,
        resources: fixture.resources,
        subscriptions: fixture.store,
        policies,
        owners: async () => owners,
        permissions: fixture.permissions,
      });
    });

    /** The stored compliance of these resources, by key: what the portal shows of them. */
    const storedCompliance = async (resourceIds: string[]) =>
      compliance.getCompliance(resourceIds.map(id => id.toLowerCase()));

    it('fixes 1,000 resources: read-tags kept portal-only, read-write-tags written to Azure within its write limit, every one compliant after', async () => {
      const subscriptionOf = (id: string) => id.split('/')[2].toLowerCase();
      const selection = { resourceIds: ids };

      // The planner reads what the evaluator stored: before its first run, nothing needs a fix.
      expect(
        (await planner.plan(caller, selection, { keepItems: false })).preview
          .resources,
      ).toBe(0);
      expect(await evaluator.evaluate()).toMatchObject({ mode: 'full' });
      const before = await storedCompliance(ids);
      expect(before.size).toBe(1000);
      expect(
        [...before.values()].filter(c => c.status !== 'non-compliant'),
      ).toEqual([]);

      const preview = await planner.plan(caller, selection, {
        keepItems: false,
      });
      expect(preview.preview.resources).toBe(2 * PER_SUBSCRIPTION);
      expect(preview.preview.byKind).toEqual({
        'canonical-key': PER_SUBSCRIPTION,
        'canonical-value': 2 * PER_SUBSCRIPTION,
        inherit: PER_SUBSCRIPTION,
      });
      expect(preview.preview.subscriptions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            subscriptionId: writeSubscription,
            outcome: 'write-to-azure',
            resources: PER_SUBSCRIPTION,
          }),
          expect.objectContaining({
            subscriptionId: portalSubscription,
            outcome: 'portal-only',
            resources: PER_SUBSCRIPTION,
          }),
        ]),
      );
      expect(preview.preview.sample).toHaveLength(100);

      const plan = await planner.plan(caller, selection, {
        keepItems: true,
      });
      const job = await fixture.jobs.createJob(
        {
          selection,
          createdBy: 'user:default/alice',
          leftOut: plan.leftOut,
          items: plan.items,
        },
        new Date(),
      );
      expect(job).toMatchObject({ state: 'pending', total: 1000 });

      // Azure's write bucket, small: 20 writes, 100 a second. The runner's is smaller still, so that the requests'
      // jitter on the way cannot empty Azure's.
      emulator.control.configureThrottling({
        enabled: true,
        writes: { capacity: 20, refillPerSecond: 100 },
        reads: { capacity: 60, refillPerSecond: 300 },
      });
      const logStart = emulator.control.requests().at(-1)?.seq ?? 0;
      const started = Date.now();
      await fixture
        .runner({
          buckets: {
            writes: new ArmTokenBuckets({ capacity: 10, refillPerSecond: 80 }),
            reads: new ArmTokenBuckets({ capacity: 30, refillPerSecond: 240 }),
          },
        })
        .run();
      const elapsed = Date.now() - started;
      emulator.control.configureThrottling({ enabled: false });

      const done = (await fixture.jobs.getJob(job.id))!;
      expect(done).toMatchObject({
        state: 'done',
        total: 1000,
        applied: 1000,
        skipped: 0,
        failed: 0,
        failures: [],
      });

      const requests = emulator.control.requests(logStart).filter(isArm);
      expect(requests.filter(r => r.status === 429)).toEqual([]);
      // Only tag reads and tag writes at the resources of the read-write-tags subscription.
      for (const r of requests) {
        expect(`${r.method} ${r.path}`).toMatch(
          /^(GET|PATCH) \/subscriptions\//,
        );
        expect(r.path).toMatch(TAG_READ_OR_WRITE);
        expect(subscriptionOf(r.path)).toBe(writeSubscription.toLowerCase());
      }
      const patches = requests.filter(r => r.method === 'PATCH');
      expect(patches).toHaveLength(PER_SUBSCRIPTION);
      expect(new Set(patches.map(r => r.path.toLowerCase())).size).toBe(
        PER_SUBSCRIPTION,
      );
      // 490 writes past the first 10 at 80 a second take at least 6 seconds.
      expect(elapsed).toBeGreaterThanOrEqual(5_500);

      // Azure holds the fixes of the read-write-tags subscription, and nothing changed in the read-tags one.
      const writeIds = ids.filter(
        id => subscriptionOf(id) === writeSubscription.toLowerCase(),
      );
      const portalIds = ids.filter(id => !writeIds.includes(id));
      for (const id of writeIds) {
        const inAzure = emulator.control.getTags(id);
        expect(inAzure.owner).toBeDefined();
        expect(Object.keys(inAzure)).not.toContain('Owner');
        expect(['prod', 'dev']).toContain(inAzure.env);
      }
      for (const id of portalIds) {
        expect(['Prod', 'DEV']).toContain(emulator.control.getTags(id).env);
        const stored = await fixture.tags.getResource(id);
        expect(stored!.portalTags!.env).toMatch(/^(prod|dev)$/);
      }

      // One audit event per resource, under the job's creator.
      const applies = fixture.auditor.events.filter(
        e => e.eventId === 'tag-fix-apply',
      );
      expect(applies).toHaveLength(1000);
      expect(applies.every(e => e.meta?.actor === 'user:default/alice')).toBe(
        true,
      );

      // The next run reads the fixed resources from the feed's changes, without evaluating everything again.
      const rerun = await evaluator.evaluate();
      expect(rerun).toMatchObject({ mode: 'incremental', changed: 1000 });
      const after = await storedCompliance(ids);
      expect(after.size).toBe(1000);
      expect([...after.values()].filter(c => c.status !== 'compliant')).toEqual(
        [],
      );
      expect(
        (await planner.plan(caller, selection, { keepItems: false })).preview
          .resources,
      ).toBe(0);
    });

    it('resumes a job whose runner stopped mid-way once its lease expires, applying no resource twice', async () => {
      const selection = {
        resourceIds: ids
          .filter(id =>
            id.toLowerCase().includes(writeSubscription.toLowerCase()),
          )
          .slice(0, 200),
      };
      await evaluator.evaluate();
      const plan = await planner.plan(caller, selection, {
        keepItems: true,
      });
      const job = await fixture.jobs.createJob(
        {
          selection,
          createdBy: 'user:default/alice',
          leftOut: plan.leftOut,
          items: plan.items,
        },
        new Date(),
      );
      const logStart = emulator.control.requests().at(-1)?.seq ?? 0;
      const first = fixture.runner({ owner: 'replica-1', leaseMs: 1500 });
      const firstRun = first.run();
      await waitFor(async () => {
        const now = await fixture.jobs.getJob(job.id);
        return now!.applied >= 40 ? now : undefined;
      });
      // The replica dies: it keeps its lease, which expires.
      await first.stop({ release: false });
      await firstRun;
      const halfway = (await fixture.jobs.getJob(job.id))!;
      expect(halfway.state).toBe('running');
      expect(halfway.applied).toBeLessThan(200);

      const second = fixture.runner({ owner: 'replica-2', leaseMs: 1500 });
      // Nothing to claim while the first lease holds; then the second runner takes the job over and ends it.
      await second.run();
      const finished = await waitFor<TagFixJob>(async () => {
        await second.run();
        const now = await fixture.jobs.getJob(job.id);
        return now!.state === 'done' ? now : undefined;
      }, 90_000);
      expect(finished).toMatchObject({
        total: 200,
        applied: 200,
        skipped: 0,
        failed: 0,
      });
      const patches = emulator.control
        .requests(logStart)
        .filter(r => r.method === 'PATCH');
      expect(patches).toHaveLength(200);
      expect(new Set(patches.map(r => r.path.toLowerCase())).size).toBe(200);
      const applies = fixture.auditor.events.filter(
        e => e.eventId === 'tag-fix-apply',
      );
      expect(applies).toHaveLength(200);
    });
  },
);
