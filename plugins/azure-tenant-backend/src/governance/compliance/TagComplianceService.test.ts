import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AZURE_TENANT_EVENTS_TOPIC,
  AzureSubscription,
  AzureTenantEvent,
  TagPolicy,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../../__testUtils__/releaseTestDatabase';
import { DatabaseResourceStore } from '../../database/DatabaseResourceStore';
import { migrateDatabase } from '../../database/migrations';
import { tagPolicy } from '../__testUtils__/tagPolicyRulesFixture';
import { DatabaseComplianceStore } from './DatabaseComplianceStore';
import {
  TAG_COMPLIANCE_SCHEDULE,
  TAG_COMPLIANCE_TASK_ID,
  TagComplianceService,
} from './TagComplianceService';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const TENANT = '7d3c2b1a-0000-4000-8000-000000000001';
const SUBSCRIPTION = '00000000-0000-0000-0000-0000000000c1';
const GROUP = 'rg-web';
const SHOP = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${GROUP}/providers/Microsoft.Web/sites/shop`;
/** How long the service gathers requests before it triggers a run. */
const DELAY_MS = 5_000;
/** Longer than the delay and every retry of `triggerTaskSoon` (6 tries, 10 seconds apart). */
const LONG_AFTER_MS = 120_000;

const OWNER_REQUIRED: TagPolicy[] = [
  tagPolicy({
    key: 'owner',
    required: true,
    values: { kind: 'catalog-entity' },
  }),
];

/** A logger whose lines the test reads; its children write to the same lines. */
function recordingLogger() {
  const lines: Array<{ level: string; message: string }> = [];
  const line = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  const logger: LoggerService = {
    child: () => logger,
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
  };
  return { logger, lines };
}

/**
 * A scheduler that starts a task's run as soon as it is triggered, as the real one does when the task is idle, and
 * keeps every run so that the test can wait for it to end.
 */
function startingScheduler() {
  const tasks = new Map<string, () => Promise<void>>();
  const runs: Array<Promise<void>> = [];
  const scheduler = mockServices.scheduler.mock({
    scheduleTask: jest.fn(async task => {
      tasks.set(task.id, () =>
        Promise.resolve(task.fn(new AbortController().signal)),
      );
    }),
    triggerTask: jest.fn(async (id: string) => {
      const fn = tasks.get(id);
      if (!fn) throw new Error(`No task ${id}`);
      runs.push(fn());
    }),
  });
  return {
    scheduler: scheduler as SchedulerService & typeof scheduler,
    runs,
    /** Every run started so far, ended. */
    settled: () => Promise.all(runs),
  };
}

describe.each(databases.eachSupportedId())(
  'TagComplianceService (%s)',
  databaseId => {
    let knex: Knex;
    let resources: DatabaseResourceStore;
    let compliance: DatabaseComplianceStore;
    let policies: TagPolicy[];
    let failNextPolicyRead: Error | undefined;
    let scheduling: ReturnType<typeof startingScheduler>;
    let logging: ReturnType<typeof recordingLogger>;
    let events: ReturnType<typeof mockServices.events>;
    /** Every event on the topic, as another subscriber (the catalog module) receives them. */
    let received: AzureTenantEvent[];
    let service: TagComplianceService;

    const subscription: AzureSubscription = {
      subscriptionId: SUBSCRIPTION,
      tenantId: TENANT,
      displayName: 'Web',
      syncMode: 'read-write-tags',
    } as AzureSubscription;

    const announce = (eventPayload: AzureTenantEvent) =>
      events.publish({ topic: AZURE_TENANT_EVENTS_TOPIC, eventPayload });

    /** Stores the shop with these tags, as a sync would, and announces the change as the sync does. */
    const syncShop = async (tags: Record<string, string>) => {
      const at = new Date();
      const { revision } = await resources.applySync({
        subscriptionId: SUBSCRIPTION,
        upserts: [
          {
            key: SHOP.toLowerCase(),
            resourceId: SHOP,
            subscriptionId: SUBSCRIPTION,
            tenantId: TENANT,
            resourceGroup: GROUP,
            name: 'shop',
            type: 'Microsoft.Web/sites',
            tags,
            contentHash: JSON.stringify(tags),
          },
        ],
        removedKeys: [],
        resourceGroups: [{ name: GROUP, tags: {} }],
        purgePortalTags: false,
        resourceCount: 1,
        startedAt: at,
        finishedAt: at,
      });
      await announce({
        type: 'resources-changed',
        subscriptionId: SUBSCRIPTION,
        revision,
      });
    };

    const shopStatus = async () =>
      (await compliance.getCompliance([SHOP.toLowerCase()])).get(
        SHOP.toLowerCase(),
      )?.status;

    const triggers = () =>
      scheduling.scheduler.triggerTask.mock.calls.map(([id]) => id);

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await migrateDatabase(knex);
      resources = new DatabaseResourceStore(knex);
      compliance = new DatabaseComplianceStore(knex);
      policies = OWNER_REQUIRED;
      failNextPolicyRead = undefined;
      scheduling = startingScheduler();
      logging = recordingLogger();
      events = mockServices.events();
      received = [];
      await events.subscribe({
        id: 'catalog',
        topics: [AZURE_TENANT_EVENTS_TOPIC],
        onEvent: async ({ eventPayload }) => {
          received.push(eventPayload as AzureTenantEvent);
        },
      });
      service = new TagComplianceService({
        store: compliance,
        resources,
        subscriptions: { listSubscriptions: async () => [subscription] },
        policies: {
          listPolicies: async () => {
            const error = failNextPolicyRead;
            failNextPolicyRead = undefined;
            if (error) throw error;
            return policies;
          },
        },
        catalog: catalogServiceMock({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Group',
              metadata: { name: 'web', namespace: 'default' },
              spec: { type: 'team', children: [] },
            },
          ],
        }),
        auth: mockServices.auth(),
        config: new ConfigReader({}),
        scheduler: scheduling.scheduler,
        events,
        logger: logging.logger,
        requestDelayMs: DELAY_MS,
      });
      await service.start();
      // Only the service's timers are faked: the databases' drivers keep their own.
      jest.useFakeTimers({
        doNotFake: [
          'nextTick',
          'setImmediate',
          'queueMicrotask',
          'setInterval',
          'clearInterval',
          'Date',
          'hrtime',
          'performance',
        ],
      });
    });

    afterEach(async () => {
      jest.useRealTimers();
      await scheduling?.settled();
      await releaseTestDatabase(knex);
    });

    it('schedules the azure-tenant-tag-compliance task', () => {
      expect(scheduling.scheduler.scheduleTask).toHaveBeenCalledWith(
        expect.objectContaining({
          id: TAG_COMPLIANCE_TASK_ID,
          ...TAG_COMPLIANCE_SCHEDULE,
        }),
      );
    });

    it('runs soon after others announce resource changes, and leaves its own announcements alone', async () => {
      await syncShop({ env: 'prod' });
      expect(received).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(DELAY_MS - 1);
      expect(triggers()).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(triggers()).toEqual([TAG_COMPLIANCE_TASK_ID]);
      await scheduling.settled();
      expect(await shopStatus()).toBe('non-compliant');

      // The run announced the shop's new compliance to the catalog; that announcement came back to the service too.
      const [synced, ...own] = received;
      expect(own).toEqual([
        {
          type: 'resources-changed',
          subscriptionId: SUBSCRIPTION,
          revision: expect.any(Number),
        },
      ]);
      expect(own[0]).not.toEqual(synced);
      expect(own).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(LONG_AFTER_MS);
      expect(triggers()).toHaveLength(1);

      // Another change, announced by someone else, is evaluated again.
      await syncShop({ owner: 'web', env: 'prod' });
      await jest.advanceTimersByTimeAsync(DELAY_MS);
      expect(triggers()).toHaveLength(2);
      await scheduling.settled();
      expect(await shopStatus()).toBe('compliant');

      // A subscription change (a new sync mode, new subscription tags) asks for a run as well.
      await announce({
        type: 'subscription-changed',
        subscriptionId: SUBSCRIPTION,
      });
      await jest.advanceTimersByTimeAsync(DELAY_MS);
      expect(triggers()).toHaveLength(3);
    });

    it('gathers the changes announced within its delay into one run', async () => {
      await syncShop({ env: 'prod' });
      for (let i = 0; i < 4; i++) {
        await jest.advanceTimersByTimeAsync(DELAY_MS / 5);
        await announce({
          type: 'subscription-changed',
          subscriptionId: SUBSCRIPTION,
        });
      }
      expect(triggers()).toEqual([]);
      await jest.advanceTimersByTimeAsync(DELAY_MS / 5);
      expect(triggers()).toEqual([TAG_COMPLIANCE_TASK_ID]);
      await scheduling.settled();
      await jest.advanceTimersByTimeAsync(LONG_AFTER_MS);
      expect(triggers()).toHaveLength(1);
      expect(await shopStatus()).toBe('non-compliant');

      // A change after that run is another request, and another run.
      await syncShop({ owner: 'web' });
      await jest.advanceTimersByTimeAsync(DELAY_MS);
      expect(triggers()).toHaveLength(2);
      await scheduling.settled();
      expect(await shopStatus()).toBe('compliant');
    });

    it('judges by new policies soon after they change', async () => {
      await syncShop({ env: 'prod' });
      await jest.advanceTimersByTimeAsync(DELAY_MS);
      await scheduling.settled();
      expect(await shopStatus()).toBe('non-compliant');

      policies = [tagPolicy({ key: 'env', required: true })];
      service.onPoliciesChanged();
      service.onPoliciesChanged();
      await jest.advanceTimersByTimeAsync(DELAY_MS - 1);
      expect(triggers()).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(triggers()).toHaveLength(2);
      await scheduling.settled();
      expect(await shopStatus()).toBe('compliant');
      await jest.advanceTimersByTimeAsync(LONG_AFTER_MS);
      expect(triggers()).toHaveLength(2);
    });

    it('logs a failed run, keeps the last results, and runs again at the next request', async () => {
      await syncShop({ env: 'prod' });
      await jest.advanceTimersByTimeAsync(DELAY_MS);
      await scheduling.settled();
      expect(await shopStatus()).toBe('non-compliant');

      failNextPolicyRead = new Error('the policy table is locked');
      await syncShop({ owner: 'web' });
      await jest.advanceTimersByTimeAsync(DELAY_MS);
      expect(triggers()).toHaveLength(2);
      // The task's function does not reject: the scheduler would only log it again.
      await expect(scheduling.settled()).resolves.toBeDefined();
      expect(logging.lines).toContainEqual({
        level: 'error',
        message:
          'Could not evaluate tag compliance; the last results stay: the policy table is locked',
      });
      expect(await shopStatus()).toBe('non-compliant');

      // The change that run missed is still pending in the feed: the next run evaluates it.
      service.onPoliciesChanged();
      await jest.advanceTimersByTimeAsync(DELAY_MS);
      expect(triggers()).toHaveLength(3);
      await scheduling.settled();
      expect(await shopStatus()).toBe('compliant');
      expect(logging.lines.filter(l => l.level === 'error')).toHaveLength(1);
      expect(logging.lines.at(-1)).toMatchObject({
        level: 'info',
        message: expect.stringMatching(
          /^Tag compliance evaluated \(incremental\)/,
        ),
      });
    });
  },
);
