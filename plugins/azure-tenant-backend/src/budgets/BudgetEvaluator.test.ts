import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Budget } from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { DatabaseResourceStore } from '../database/DatabaseResourceStore';
import { DatabaseSpendStore } from '../spend/DatabaseSpendStore';
import { DailyCost } from '../spend/SpendStore';
import { eachDay } from '../spend/spendDays';
import {
  DATA_EUROPE,
  PAYMENTS,
  PLATFORM,
  prepareSpendDatabase,
} from '../spend/__testUtils__/spendTestDatabase';
import { recordingAuditor } from '../tags/__testUtils__/tagsFixture';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import {
  budgetList,
  catalogEntity,
  dec,
  recordingNotifications,
  testBudget,
  vmId,
} from './__testUtils__/budgetTestData';
import { BudgetEvaluator } from './BudgetEvaluator';
import { BudgetScopeResolver } from './BudgetScopeResolver';
import { DatabaseBudgetEvaluationStore } from './DatabaseBudgetEvaluationStore';
import { ExchangeRates } from './exchangeRates';
import { ScopeSpendReader } from './ScopeSpendReader';
import { NotificationSpendAlertNotifier } from './SpendAlertNotifier';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const NOW = new Date('2026-12-10T12:00:00Z');
const TODAY = dec(10);
const PLATFORM_VM = vmId(PLATFORM, 'rg-web', 'vm-1');
const PAYMENTS_VM = vmId(PAYMENTS, 'rg-pay', 'vm-pay');
const EUROPE_VM = vmId(DATA_EUROPE, 'rg-eu', 'vm-eu');
const nov = (d: number) => `2026-11-${String(d).padStart(2, '0')}`;

describe.each(databases.eachSupportedId())('BudgetEvaluator (%s)', id => {
  let knex: Knex;
  let spendStore: DatabaseSpendStore;
  let notifications: ReturnType<typeof recordingNotifications>;
  let auditor: ReturnType<typeof recordingAuditor>;

  beforeEach(async () => {
    knex = await databases.init(id);
    await prepareSpendDatabase(knex, [
      { subscriptionId: PLATFORM },
      { subscriptionId: PAYMENTS },
      { subscriptionId: DATA_EUROPE },
    ]);
    spendStore = new DatabaseSpendStore(knex);
    notifications = recordingNotifications();
    auditor = recordingAuditor();
  });
  afterEach(() => releaseTestDatabase(knex));

  /** Stores the spend of a resource for each day of `from`..`to`, as the spend sync does, replacing those days. */
  async function spend(
    resourceId: string,
    from: string,
    to: string,
    amountOf: (day: string) => number,
    currency = 'USD',
  ) {
    const subscriptionId = resourceId.split('/')[2];
    const costs: DailyCost[] = eachDay(from, to).map(day => ({
      date: day,
      resourceId,
      serviceName: 'Virtual Machines',
      location: 'westeurope',
      currency,
      amount: amountOf(day),
    }));
    await spendStore.replaceDays({ subscriptionId, from, to, costs, at: NOW });
  }

  /** One backend replica: its own stores and services, on the shared database. */
  function replica(
    budgets: Budget[],
    options: { rates?: ExchangeRates; now?: Date } = {},
  ) {
    const now = () => options.now ?? NOW;
    const store = new DatabaseBudgetEvaluationStore(knex, now);
    const logger = mockServices.logger.mock();
    const notifier = new NotificationSpendAlertNotifier({
      store,
      notifications,
      auditor,
      logger,
      now,
    });
    const evaluator = new BudgetEvaluator({
      budgets: budgetList(budgets),
      evaluations: store,
      scopes: new BudgetScopeResolver({
        catalog: catalogServiceMock({
          entities: [
            catalogEntity('group:default/team-a', {
              relations: [
                ['ownerOf', 'component:default/checkout'],
                ['ownerOf', 'resource:azure/payments-sub'],
              ],
            }),
            catalogEntity('component:default/checkout', {
              relations: [['dependsOn', 'resource:azure/vm-1']],
            }),
            catalogEntity('resource:azure/vm-1', { azureId: PLATFORM_VM }),
            catalogEntity('resource:azure/payments-sub', {
              azureId: `/subscriptions/${PAYMENTS}`,
            }),
          ],
        }),
        auth: mockServices.auth(),
        resources: new DatabaseResourceStore(knex),
      }),
      spend: new ScopeSpendReader({ store: spendStore }),
      rates: options.rates ?? new ExchangeRates(),
      notifier,
      logger,
      now,
    });
    return { store, notifier, evaluator };
  }

  const platformBudget = (
    amount: number,
    extra: Partial<Budget> = {},
  ): Budget =>
    testBudget(
      'b1',
      {
        name: 'Team A monthly',
        scope: { kind: 'subscription', subscriptionId: PLATFORM },
        amount,
      },
      extra,
    );

  const alertRows = () => knex('spend_alerts').orderBy('dedupe_key').select();

  describe('figures', () => {
    beforeEach(async () => {
      // 100 a day since November; today's figure is incomplete.
      await spend(PLATFORM_VM, nov(1), TODAY, day =>
        day === TODAY ? 40 : 100,
      );
    });

    it('sums the period so far and forecasts the run rate of the last 7 complete days', async () => {
      const { evaluator, store } = replica([platformBudget(4000)]);
      await evaluator.evaluate({ today: TODAY });
      const evaluation = (await store.getEvaluations(['b1'])).get('b1');
      // 9 whole days and today's 40; then 100 a day for today and the 21 days left.
      expect(evaluation).toEqual({
        periodStart: dec(1),
        periodEnd: dec(31),
        spendThrough: TODAY,
        actual: 940,
        forecast: 900 + 100 * 22,
        actualPercent: 23.5,
        forecastPercent: 77.5,
        state: 'on-track',
        conversions: [],
        evaluatedAt: NOW.toISOString(),
      });
    });

    it('tells on track, at risk and over apart', async () => {
      const budgets = [
        testBudget('on-track', {
          scope: platformBudget(1).scope,
          amount: 4000,
        }),
        testBudget('at-risk', { scope: platformBudget(1).scope, amount: 3000 }),
        testBudget('over', { scope: platformBudget(1).scope, amount: 900 }),
      ];
      const { evaluator, store } = replica(budgets);
      await evaluator.evaluate({ today: TODAY });
      const states = [...(await store.getEvaluations()).entries()].map(
        ([budgetId, e]) => [budgetId, e.state] as const,
      );
      expect(new Map(states)).toEqual(
        new Map([
          ['on-track', 'on-track'],
          ['at-risk', 'at-risk'],
          ['over', 'over'],
        ]),
      );
    });

    it("forecasts a month's first days from the days before it", async () => {
      const { evaluator, store } = replica([platformBudget(4000)]);
      await evaluator.evaluate({ today: dec(2) });
      const evaluation = (await store.getEvaluations(['b1'])).get('b1')!;
      expect(evaluation.spendThrough).toBe(dec(2));
      // 1 December complete, then the rate of 25 November..1 December for the 30 days from 2 December.
      expect(evaluation.actual).toBe(200);
      expect(evaluation.forecast).toBe(100 + 100 * 30);
    });

    it('evaluates a fiscal quarter from its start month', async () => {
      const { evaluator, store } = replica([
        platformBudget(12_000, {
          period: { type: 'quarterly', startMonth: 5 },
        }),
      ]);
      await evaluator.evaluate({ today: TODAY });
      const evaluation = (await store.getEvaluations(['b1'])).get('b1')!;
      // The quarter from November: all of November, then December so far.
      expect(evaluation).toMatchObject({
        periodStart: nov(1),
        periodEnd: '2027-01-31',
        actual: 3000 + 940,
      });
    });

    it('keeps the final figures of a custom period that ended, and waits for one that has not started', async () => {
      const { evaluator, store } = replica([
        testBudget('november', {
          scope: platformBudget(1).scope,
          amount: 5000,
          period: { type: 'custom', startDate: nov(1), endDate: nov(30) },
        }),
        testBudget('next-year', {
          scope: platformBudget(1).scope,
          amount: 5000,
          period: {
            type: 'custom',
            startDate: '2027-01-01',
            endDate: '2027-06-30',
          },
        }),
      ]);
      await evaluator.evaluate({ today: TODAY });
      const evaluations = await store.getEvaluations();
      expect(evaluations.get('november')).toMatchObject({
        spendThrough: nov(30),
        actual: 3000,
        forecast: 3000,
        state: 'on-track',
      });
      expect(evaluations.get('next-year')).toMatchObject({
        periodStart: '2027-01-01',
        actual: 0,
        state: 'no-data',
      });
    });

    it('sums resource groups from their totals and entities through what they own', async () => {
      await spend(PAYMENTS_VM, dec(1), TODAY, () => 7);
      const { evaluator, store } = replica([
        testBudget('group', {
          scope: {
            kind: 'resourceGroup',
            subscriptionId: PLATFORM,
            resourceGroup: 'RG-WEB',
          },
          amount: 10_000,
        }),
        testBudget('team', {
          scope: { kind: 'entity', entityRef: 'group:default/team-a' },
          amount: 10_000,
        }),
        testBudget('empty', {
          scope: {
            kind: 'resourceGroup',
            subscriptionId: PLATFORM,
            resourceGroup: 'rg-none',
          },
          amount: 10_000,
        }),
      ]);
      await evaluator.evaluate({ today: TODAY });
      const evaluations = await store.getEvaluations();
      expect(evaluations.get('group')?.actual).toBe(940);
      // The checkout's VM, and the Payments subscription team-a owns.
      expect(evaluations.get('team')?.actual).toBe(940 + 70);
      // Synced, with nothing spent: known to be zero.
      expect(evaluations.get('empty')).toMatchObject({
        actual: 0,
        state: 'on-track',
      });
    });

    it('has no data for a scope whose spend was never synced, or that is not in the catalog', async () => {
      const { evaluator, store } = replica([
        testBudget('unsynced', {
          scope: { kind: 'subscription', subscriptionId: PAYMENTS },
          amount: 10,
        }),
        testBudget('unknown', {
          scope: { kind: 'entity', entityRef: 'group:default/nobody' },
          amount: 10,
        }),
      ]);
      expect(await evaluator.evaluate({ today: TODAY })).toEqual({
        evaluated: 2,
        alerts: 0,
      });
      const evaluations = await store.getEvaluations();
      expect(evaluations.get('unsynced')?.state).toBe('no-data');
      expect(evaluations.get('unknown')).toMatchObject({
        state: 'no-data',
        problem: 'group:default/nobody was not found in the catalog',
      });
      expect(notifications.sent).toEqual([]);
    });
  });

  describe('threshold alerts', () => {
    beforeEach(async () => {
      await spend(PLATFORM_VM, nov(20), TODAY, () => 100);
    });

    it('alerts each threshold crossed once, also with two replicas evaluating at the same time', async () => {
      const budget = platformBudget(1600);
      const [a, b] = [replica([budget]), replica([budget])];
      for (let round = 0; round < 3; round++) {
        await Promise.all([
          a.evaluator.evaluate({ today: TODAY }),
          b.evaluator.evaluate({ today: TODAY }),
        ]);
      }
      // 1,000 of 1,600 is 62.5%: the 50% actual threshold; the forecast (3,100) is over 100%.
      expect(notifications.sent).toHaveLength(2);
      const actual = notifications.sent.find(
        n => n.payload.scope === `threshold:b1:${dec(1)}:actual:50`,
      );
      expect(actual).toEqual({
        recipients: { type: 'entity', entityRef: ['group:default/team-a'] },
        payload: {
          title: `Budget 'Team A monthly' passed 50%: 62.5% (1,000 of 1,600 USD) on ${TODAY}`,
          description: expect.stringContaining(
            `from ${dec(
              1,
            )} through ${TODAY}: 1,000 USD; forecast for the period to ${dec(
              31,
            )}: 3,100 USD.`,
          ),
          link: expect.stringMatching(
            /^\/catalog\/[a-z-]+\/resource\/[^/]+\/spend$/,
          ),
          severity: 'normal',
          topic: 'azure-budget',
          scope: `threshold:b1:${dec(1)}:actual:50`,
        },
      });
      expect(
        notifications.sent.find(
          n => n.payload.scope === `threshold:b1:${dec(1)}:forecast:100`,
        )?.payload.title,
      ).toBe(
        `Budget 'Team A monthly' is forecast past 100%: 193.7% (3,100 of 1,600 USD) by ${dec(
          31,
        )}`,
      );
      expect((await alertRows()).map(row => row.delivery)).toEqual([
        'sent',
        'sent',
      ]);
      expect(
        auditor.events.map(e => [e.eventId, e.meta?.delivery, e.outcome]),
      ).toEqual([
        ['spend-alert', 'sent', 'success'],
        ['spend-alert', 'sent', 'success'],
      ]);

      // More spend today: 80% is crossed, and alerted once; 50% is not alerted again.
      await spend(PLATFORM_VM, TODAY, TODAY, () => 400);
      await Promise.all([
        a.evaluator.evaluate({ today: TODAY }),
        b.evaluator.evaluate({ today: TODAY }),
      ]);
      expect(notifications.sent.map(n => n.payload.scope)).toEqual([
        expect.any(String),
        expect.any(String),
        `threshold:b1:${dec(1)}:actual:80`,
      ]);
    });

    it('does not alert again when a restatement takes spend under a threshold and back, and alerts one newly crossed', async () => {
      const budget = platformBudget(2000, {
        thresholds: [
          { type: 'actual', percent: 50 },
          { type: 'actual', percent: 80 },
        ],
      });
      const { evaluator, store } = replica([budget]);
      await evaluator.evaluate({ today: TODAY });
      expect(notifications.sent.map(n => n.payload.scope)).toEqual([
        `threshold:b1:${dec(1)}:actual:50`,
      ]);

      await spend(PLATFORM_VM, dec(1), TODAY, () => 50);
      await evaluator.evaluate({ today: TODAY });
      expect((await store.getEvaluations()).get('b1')?.actualPercent).toBe(25);
      expect(notifications.sent).toHaveLength(1);

      await spend(PLATFORM_VM, dec(1), TODAY, () => 170);
      await evaluator.evaluate({ today: TODAY });
      expect(notifications.sent.map(n => n.payload.scope)).toEqual([
        `threshold:b1:${dec(1)}:actual:50`,
        `threshold:b1:${dec(1)}:actual:80`,
      ]);
      expect((await store.crossedThresholds(['b1'])).get('b1')).toEqual([
        { periodStart: dec(1), threshold: { type: 'actual', percent: 50 } },
        { periodStart: dec(1), threshold: { type: 'actual', percent: 80 } },
      ]);
    });

    it('alerts a threshold again in the next period', async () => {
      const budget = platformBudget(2000, {
        thresholds: [{ type: 'actual', percent: 50 }],
      });
      await spend(PLATFORM_VM, nov(1), nov(30), () => 100);
      const { evaluator } = replica([budget]);
      await evaluator.evaluate({ today: nov(30) });
      await evaluator.evaluate({ today: TODAY });
      expect(notifications.sent.map(n => n.payload.scope)).toEqual([
        `threshold:b1:${nov(1)}:actual:50`,
        `threshold:b1:${dec(1)}:actual:50`,
      ]);
    });

    it('records the alerts of a muted budget without sending them, then or later', async () => {
      const muted = platformBudget(1000, {
        mutedUntil: '2026-12-20T00:00:00Z',
      });
      const { evaluator, notifier } = replica([muted]);
      expect(await evaluator.evaluate({ today: TODAY })).toMatchObject({
        alerts: 4,
      });
      expect(notifications.sent).toEqual([]);
      expect(new Set((await alertRows()).map(row => row.delivery))).toEqual(
        new Set(['muted']),
      );
      expect(auditor.events[0]).toMatchObject({
        eventId: 'spend-alert',
        meta: { delivery: 'muted', budgetId: 'b1' },
      });

      // The mute is over: what was muted stays so; the retry sends nothing.
      const later = new Date('2026-12-21T00:00:00Z');
      const unmuted = replica([{ ...muted, mutedUntil: undefined }], {
        now: later,
      });
      await unmuted.evaluator.evaluate({ today: TODAY });
      expect(await notifier.retryFailed()).toBe(0);
      expect(await unmuted.notifier.retryFailed()).toBe(0);
      expect(notifications.sent).toEqual([]);
    });

    it('sends a failed notification again once the notifications service works, one replica at a time', async () => {
      const budget = platformBudget(10_000, {
        thresholds: [{ type: 'forecast', percent: 25 }],
      });
      const [a, b] = [replica([budget]), replica([budget])];
      notifications.failing = true;
      await a.evaluator.evaluate({ today: TODAY });
      expect((await alertRows()).map(r => [r.delivery, r.attempts])).toEqual([
        ['failed', 1],
      ]);
      expect(await a.notifier.retryFailed()).toBe(0);
      expect((await alertRows())[0].attempts).toBe(2);

      notifications.failing = false;
      const sent = await Promise.all([
        a.notifier.retryFailed(),
        b.notifier.retryFailed(),
      ]);
      expect(sent.sort()).toEqual([0, 1]);
      expect(notifications.sent).toHaveLength(1);
      expect((await alertRows()).map(r => r.delivery)).toEqual(['sent']);
      expect(await a.notifier.retryFailed()).toBe(0);
      expect(notifications.sent).toHaveLength(1);
    });

    it('gives up on a notification after 5 attempts', async () => {
      const { evaluator, notifier } = replica([
        platformBudget(10_000, {
          thresholds: [{ type: 'forecast', percent: 25 }],
        }),
      ]);
      notifications.failing = true;
      await evaluator.evaluate({ today: TODAY });
      for (let i = 0; i < 8; i++) await notifier.retryFailed();
      expect((await alertRows()).map(r => [r.delivery, r.attempts])).toEqual([
        ['failed', 5],
      ]);
    });
  });

  describe('currencies', () => {
    beforeEach(async () => {
      await spend(EUROPE_VM, dec(1), TODAY, () => 10, 'EUR');
      await spend(PLATFORM_VM, dec(1), TODAY, () => 100);
    });

    const europeBudget = testBudget('eu', {
      scope: { kind: 'subscription', subscriptionId: DATA_EUROPE },
      amount: 100,
      currency: 'USD',
    });

    it('compares nothing, and alerts nothing, when a currency has no rate', async () => {
      const { evaluator, store } = replica([europeBudget]);
      await evaluator.evaluate({ today: TODAY });
      expect((await store.getEvaluations()).get('eu')).toMatchObject({
        state: 'currency-mismatch',
        spendThrough: TODAY,
        problem: expect.stringMatching(
          /Part of the spend is in EUR, and azureTenant\.budgets\.exchangeRates has no rate from it to USD/,
        ),
      });
      expect(notifications.sent).toEqual([]);
    });

    it('converts at the configured rate and says so', async () => {
      const rates = new ExchangeRates([{ from: 'USD', to: 'EUR', rate: 0.8 }]);
      const mixed = testBudget('mixed', {
        scope: {
          kind: 'customGroup',
          name: 'Europe and Platform',
          subscriptionIds: [DATA_EUROPE, PLATFORM],
        },
        amount: 10_000,
        currency: 'USD',
      });
      const { evaluator, store } = replica([europeBudget, mixed], { rates });
      await evaluator.evaluate({ today: TODAY });
      const evaluations = await store.getEvaluations();
      // 100 EUR at 1/0.8.
      expect(evaluations.get('eu')).toMatchObject({
        actual: 125,
        state: 'over',
        conversions: [
          'EUR converted to USD at 1.25 (1/0.8, the USD to EUR rate of azureTenant.budgets.exchangeRates)',
        ],
      });
      expect(evaluations.get('mixed')?.actual).toBe(1000 + 125);
      expect(
        notifications.sent.find(
          n => n.payload.scope === `threshold:eu:${dec(1)}:actual:100`,
        )?.payload.description,
      ).toContain('EUR converted to USD at 1.25');
    });
  });
});
