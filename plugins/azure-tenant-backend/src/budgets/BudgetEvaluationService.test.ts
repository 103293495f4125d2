import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Knex } from 'knex';
import { DatabaseResourceStore } from '../database/DatabaseResourceStore';
import { DatabaseSpendStore } from '../spend/DatabaseSpendStore';
import {
  PLATFORM,
  prepareSpendDatabase,
} from '../spend/__testUtils__/spendTestDatabase';
import { recordingAuditor } from '../tags/__testUtils__/tagsFixture';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import {
  budgetList,
  recordingNotifications,
  testBudget,
} from './__testUtils__/budgetTestData';
import {
  BudgetEvaluationService,
  BUDGET_EVALUATION_TASK_ID,
  DEFAULT_BUDGET_EVALUATION_SCHEDULE,
  readBudgetEvaluationSchedule,
} from './BudgetEvaluationService';
import { BudgetStore } from './BudgetStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe('readBudgetEvaluationSchedule', () => {
  it('runs every 30 minutes unless configured', () => {
    expect(readBudgetEvaluationSchedule(new ConfigReader({}))).toEqual(
      DEFAULT_BUDGET_EVALUATION_SCHEDULE,
    );
    expect(
      readBudgetEvaluationSchedule(
        new ConfigReader({
          azureTenant: {
            budgets: {
              schedule: { frequency: { hours: 1 }, timeout: { minutes: 5 } },
            },
          },
        }),
      ),
    ).toEqual({ frequency: { hours: 1 }, timeout: { minutes: 5 } });
  });

  it('stops the backend with a message naming the key', () => {
    expect(() =>
      readBudgetEvaluationSchedule(
        new ConfigReader({
          azureTenant: { budgets: { schedule: { frequency: 'often' } } },
        }),
      ),
    ).toThrow(
      /^Invalid config: azureTenant\.budgets\.schedule is not a valid schedule/,
    );
  });
});

describe.each(databases.eachSupportedId())(
  'BudgetEvaluationService (%s)',
  id => {
    let knex: Knex;
    let scheduler: ReturnType<typeof mockServices.scheduler.mock>;
    let notifications: ReturnType<typeof recordingNotifications>;
    let logger: ReturnType<typeof mockServices.logger.mock>;

    beforeEach(async () => {
      knex = await databases.init(id);
      await prepareSpendDatabase(knex, [{ subscriptionId: PLATFORM }]);
      scheduler = mockServices.scheduler.mock();
      notifications = recordingNotifications();
      logger = mockServices.logger.mock();
      logger.child.mockReturnValue(logger);
    });
    afterEach(() => releaseTestDatabase(knex));

    function service(budgets: Pick<BudgetStore, 'list'>) {
      return BudgetEvaluationService.create({
        knex,
        config: new ConfigReader({}),
        scheduler,
        logger,
        auditor: recordingAuditor(),
        notifications,
        catalog: catalogServiceMock(),
        auth: mockServices.auth(),
        spendStore: new DatabaseSpendStore(knex),
        resources: new DatabaseResourceStore(knex),
        budgets,
      });
    }

    it('schedules its task, and triggers it after a spend sync that read spend', async () => {
      const evaluation = service(budgetList([]));
      await evaluation.start();
      expect(scheduler.scheduleTask).toHaveBeenCalledWith(
        expect.objectContaining({
          id: BUDGET_EVALUATION_TASK_ID,
          frequency: { minutes: 30 },
        }),
      );
      const result = (status: 'succeeded' | 'failed') => ({
        subscriptionId: PLATFORM,
        status,
        ranges: [],
        rows: 0,
      });
      await evaluation.afterSpendSync([result('failed')]);
      expect(scheduler.triggerTask).not.toHaveBeenCalled();
      await evaluation.afterSpendSync([result('failed'), result('succeeded')]);
      expect(scheduler.triggerTask).toHaveBeenCalledWith(
        BUDGET_EVALUATION_TASK_ID,
      );
    });

    it('evaluates a changed budget at once, and never fails the change', async () => {
      const budget = testBudget('b1', {
        scope: { kind: 'subscription', subscriptionId: PLATFORM },
        amount: 100,
      });
      const evaluation = service(budgetList([budget]));
      await evaluation.onBudgetChanged('b1');
      expect(
        (await evaluation.evaluations.getEvaluations(['b1'])).get('b1')?.state,
      ).toBe('no-data');

      const failing = service({
        list: async () => {
          throw new Error('database is locked');
        },
      });
      await expect(failing.onBudgetChanged('b1')).resolves.toBeUndefined();
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining(
          'Could not evaluate budget b1 after its change; the next run will: database is locked',
        ),
        { budgetId: 'b1' },
      );
    });

    it('sends failed alerts again in a run whose budget evaluation failed', async () => {
      const evaluation = service({
        list: async () => {
          throw new Error('database is locked');
        },
      });
      notifications.failing = true;
      await evaluation.notifier.notify({
        dedupeKey: `anomaly:${PLATFORM}:2026-12-02`,
        kind: 'anomaly',
        day: '2026-12-02',
        scopeRef: 'resource:azure/platform',
        recipients: ['group:default/team-a'],
        title: 'Spend anomaly',
        description: 'Figures',
        link: '/catalog',
        delivery: 'pending',
      });
      // Another replica's retry would wait 10 minutes for a pending one; a failed one is due at once.
      notifications.failing = false;
      await evaluation.run();
      expect(logger.error).toHaveBeenCalledWith(
        'Could not evaluate budgets: database is locked',
      );
      expect(notifications.sent.map(n => n.payload.title)).toEqual([
        'Spend anomaly',
      ]);
    });
  },
);
