import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  ANNOTATION_AZURE_SUBSCRIPTION_ID,
  azureSubscriptionEntityName,
} from '@azure-tenant/plugin-azure-tenant-common';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../../__testUtils__/releaseTestDatabase';
import { DatabaseSpendStore } from '../../spend/DatabaseSpendStore';
import { addDays, eachDay } from '../../spend/spendDays';
import { DailyCost } from '../../spend/SpendStore';
import {
  PAYMENTS,
  PLATFORM,
  prepareSpendDatabase,
} from '../../spend/__testUtils__/spendTestDatabase';
import { DatabaseBudgetEvaluationStore } from '../DatabaseBudgetEvaluationStore';
import { NotificationSpendAlertNotifier } from '../SpendAlertNotifier';
import { SpendAnomalyDetector } from './SpendAnomalyDetector';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const TODAY = '2026-12-03';
const YESTERDAY = '2026-12-02';
const FIRST_DAY = '2026-10-20';

/** A resource of the subscription, costed the way the emulator's cost model does. */
interface ModelledResource {
  name: string;
  serviceName: string;
  dailyCost: number;
  /** What a weekend day costs, as a share of a weekday (the emulator: 0.7 for machines, 0.9 otherwise). */
  weekendFactor: number;
}

const PLATFORM_RESOURCES: ModelledResource[] = [
  {
    name: 'vm-1',
    serviceName: 'Virtual Machines',
    dailyCost: 40,
    weekendFactor: 0.7,
  },
  {
    name: 'vm-2',
    serviceName: 'Virtual Machines',
    dailyCost: 30,
    weekendFactor: 0.7,
  },
  {
    name: 'vm-3',
    serviceName: 'Virtual Machines',
    dailyCost: 25,
    weekendFactor: 0.7,
  },
  { name: 'st-1', serviceName: 'Storage', dailyCost: 8, weekendFactor: 0.9 },
  { name: 'st-2', serviceName: 'Storage', dailyCost: 6, weekendFactor: 0.9 },
  {
    name: 'sql-1',
    serviceName: 'SQL Database',
    dailyCost: 20,
    weekendFactor: 0.9,
  },
];

/** The emulator's cost scenarios (packages/azure-emulator README, "Cost scenarios"). */
type CostScenario =
  | {
      kind: 'spike';
      serviceName: string;
      factor: number;
      from: string;
      to?: string;
    }
  | { kind: 'steady-growth'; percentPerDay: number; from: string };

/** Deterministic noise in [-1, 1) per resource and day, as the emulator's seeded noise. */
function noiseOf(name: string, day: string): number {
  let hash = 2_166_136_261;
  for (const char of `${name}/${day}`) {
    hash = Math.imul(hash ^ char.charCodeAt(0), 16_777_619) >>> 0;
  }
  return (2 * hash) / 2 ** 32 - 1;
}

/**
 * Daily rows of a subscription like the emulator's cost model gives: each resource's base cost × weekly seasonality
 * (weekends lower, Tuesdays and Wednesdays 4% higher) × ±10% noise × the scenarios.
 */
function modelledCosts(
  subscriptionId: string,
  options: { from?: string; to?: string; scenarios?: CostScenario[] } = {},
): DailyCost[] {
  const costs: DailyCost[] = [];
  for (const day of eachDay(
    options.from ?? FIRST_DAY,
    options.to ?? YESTERDAY,
  )) {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    for (const resource of PLATFORM_RESOURCES) {
      let season = weekday === 2 || weekday === 3 ? 1.04 : 1;
      if (weekday === 0 || weekday === 6) season = resource.weekendFactor;
      let factor = 1;
      for (const scenario of options.scenarios ?? []) {
        if (
          scenario.kind === 'spike' &&
          scenario.serviceName === resource.serviceName &&
          day >= scenario.from &&
          (!scenario.to || day <= scenario.to)
        ) {
          factor *= scenario.factor;
        }
        if (scenario.kind === 'steady-growth' && day >= scenario.from) {
          const n = eachDay(scenario.from, day).length - 1;
          factor *= (1 + scenario.percentPerDay / 100) ** n;
        }
      }
      costs.push({
        date: day,
        resourceId: `/subscriptions/${subscriptionId}/resourceGroups/rg-platform/providers/Microsoft.Compute/virtualMachines/${resource.name}`,
        serviceName: resource.serviceName,
        location: 'westeurope',
        currency: 'USD',
        amount:
          resource.dailyCost *
          season *
          (1 + 0.1 * noiseOf(resource.name, day)) *
          factor,
      });
    }
  }
  return costs;
}

const dayTotal = (costs: DailyCost[], day: string, serviceName?: string) =>
  costs
    .filter(
      c => c.date === day && (!serviceName || c.serviceName === serviceName),
    )
    .reduce((sum, c) => sum + c.amount, 0);

/** The subscription's entity as the catalog module makes it. */
function subscriptionEntity(
  subscriptionId: string,
  title: string,
  owner?: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: azureSubscriptionEntityName(subscriptionId),
      namespace: 'default',
      title,
      annotations: { [ANNOTATION_AZURE_SUBSCRIPTION_ID]: subscriptionId },
    },
    spec: { type: 'azure-subscription', ...(owner ? { owner } : {}) },
  };
}

describe.each(databases.eachSupportedId())(
  'SpendAnomalyDetector (%s)',
  databaseId => {
    let knex: Knex;
    let spendStore: DatabaseSpendStore;
    let alertStore: DatabaseBudgetEvaluationStore;
    let send: jest.Mock;
    let logger: ReturnType<typeof mockServices.logger.mock>;
    let entities: Entity[];

    afterEach(() => releaseTestDatabase(knex));

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await prepareSpendDatabase(knex, [
        { subscriptionId: PLATFORM },
        { subscriptionId: PAYMENTS },
      ]);
      spendStore = new DatabaseSpendStore(knex);
      alertStore = new DatabaseBudgetEvaluationStore(knex);
      send = jest.fn().mockResolvedValue(undefined);
      logger = mockServices.logger.mock();
      entities = [
        subscriptionEntity(
          PLATFORM,
          'Contoso Platform Production',
          'team-platform',
        ),
        subscriptionEntity(PAYMENTS, 'Contoso Payments'),
      ];
    });

    /** A detector as one backend replica has it: its own notifier, on the shared database. */
    function detector(
      anomalies: JsonObject = {},
      catalog: CatalogService = catalogServiceMock({ entities }),
    ) {
      const notifier = new NotificationSpendAlertNotifier({
        store: alertStore,
        notifications: { send } as unknown as NotificationService,
        auditor: mockServices.auditor.mock(),
        logger,
      });
      return new SpendAnomalyDetector({
        spendStore,
        catalog,
        auth: mockServices.auth(),
        notifier,
        logger,
        config: new ConfigReader({ azureTenant: { budgets: { anomalies } } }),
      });
    }

    async function storeSpend(subscriptionId: string, costs: DailyCost[]) {
      const days = costs.map(c => c.date).sort();
      await spendStore.replaceDays({
        subscriptionId,
        from: days[0],
        to: days[days.length - 1],
        costs,
        at: new Date(),
      });
    }

    const sentPayloads = () => send.mock.calls.map(([request]) => request);

    it('alerts the owner of a spike on one service, naming the service and the figures', async () => {
      const costs = modelledCosts(PLATFORM, {
        scenarios: [
          {
            kind: 'spike',
            serviceName: 'Virtual Machines',
            factor: 5,
            from: YESTERDAY,
          },
        ],
      });
      await storeSpend(PLATFORM, costs);

      await expect(detector().run({ today: TODAY })).resolves.toEqual({
        alerts: 1,
      });

      expect(sentPayloads()).toHaveLength(1);
      const [{ recipients, payload }] = sentPayloads();
      expect(recipients).toEqual({
        type: 'entity',
        entityRef: ['group:default/team-platform'],
      });
      const actual = dayTotal(costs, YESTERDAY).toLocaleString('en-US', {
        minimumFractionDigits: 2,
        maximumFractionDigits: 2,
      });
      expect(payload.title).toMatch(
        new RegExp(
          `^Spend anomaly in Contoso Platform Production on ${YESTERDAY}: ${actual} USD against an expected [\\d,]+\\.\\d\\d USD$`,
        ),
      );
      const expected = Number(
        /expected ([\d,.]+) USD/.exec(payload.title)![1].replace(/,/g, ''),
      );
      // The usual weekday spend of the subscription, about 130 USD.
      expect(expected).toBeGreaterThan(110);
      expect(expected).toBeLessThan(150);
      // Machines usually cost about 95 USD a day: the rise is about 4 × 95.
      const driver = /^Driven by Virtual Machines \(\+([\d,.]+) USD\)\./.exec(
        payload.description,
      );
      expect(driver).not.toBeNull();
      const machinesRise = Number(driver![1].replace(/,/g, ''));
      expect(machinesRise).toBeGreaterThan(300);
      expect(machinesRise).toBeLessThan(450);
      expect(payload.description).not.toMatch(/Storage|SQL Database/);
      expect(payload).toMatchObject({
        link: `/catalog/default/resource/${azureSubscriptionEntityName(
          PLATFORM,
        )}/spend`,
        topic: 'azure-spend-anomaly',
        scope: `anomaly:${PLATFORM}:${YESTERDAY}`,
      });

      const [alert] = await alertStore.listAlerts({
        kind: 'anomaly',
        limit: 10,
      });
      expect(alert).toMatchObject({
        kind: 'anomaly',
        day: YESTERDAY,
        scopeRef: `resource:default/${azureSubscriptionEntityName(PLATFORM)}`,
        recipients: ['group:default/team-platform'],
        delivery: 'sent',
      });
    });

    it('does not alert steady growth of 3% a day, compounded', async () => {
      const growth: CostScenario[] = [
        { kind: 'steady-growth', percentPerDay: 3, from: '2026-10-25' },
      ];
      const costs = modelledCosts(PLATFORM, { scenarios: growth });
      await storeSpend(PLATFORM, costs);
      // Spend more than doubles in the four weeks before the days judged.
      expect(dayTotal(costs, '2026-11-25')).toBeGreaterThan(
        2 * dayTotal(costs, '2026-10-28'),
      );

      await expect(detector().run({ today: TODAY })).resolves.toEqual({
        alerts: 0,
      });
      expect(send).not.toHaveBeenCalled();
    });

    it('does not alert a flat, noisy series on any day', async () => {
      await storeSpend(PLATFORM, modelledCosts(PLATFORM));
      const instance = detector();
      for (const today of eachDay('2026-11-10', TODAY)) {
        await expect(instance.run({ today })).resolves.toEqual({ alerts: 0 });
      }
      expect(send).not.toHaveBeenCalled();
    });

    it('alerts once per subscription and day, with two replicas running at the same time', async () => {
      await storeSpend(
        PLATFORM,
        modelledCosts(PLATFORM, {
          scenarios: [
            {
              kind: 'spike',
              serviceName: 'Virtual Machines',
              factor: 5,
              from: YESTERDAY,
            },
          ],
        }),
      );
      const [a, b] = [detector(), detector()];

      const first = await Promise.all([
        a.run({ today: TODAY }),
        b.run({ today: TODAY }),
      ]);
      const second = await Promise.all([
        a.run({ today: TODAY }),
        b.run({ today: TODAY }),
      ]);

      expect(first.map(r => r.alerts).sort()).toEqual([0, 1]);
      expect(second).toEqual([{ alerts: 0 }, { alerts: 0 }]);
      expect(send).toHaveBeenCalledTimes(1);
      const [{ n }] = await knex('spend_alerts')
        .where('kind', 'anomaly')
        .count({ n: '*' });
      expect(Number(n)).toBe(1);
    });

    it('tells a lasting rise once, on its first day', async () => {
      const costs = modelledCosts(PLATFORM, {
        scenarios: [
          {
            kind: 'spike',
            serviceName: 'Virtual Machines',
            factor: 5,
            from: '2026-11-29',
          },
        ],
      });
      // Spend arrives day by day, and the detector runs each day.
      const instance = detector();
      const alerts: number[] = [];
      for (const today of eachDay('2026-11-25', TODAY)) {
        await storeSpend(
          PLATFORM,
          costs.filter(c => c.date < today),
        );
        alerts.push((await instance.run({ today })).alerts);
      }
      expect(alerts.reduce((sum, n) => sum + n, 0)).toBe(1);
      const recorded = await alertStore.listAlerts({
        kind: 'anomaly',
        limit: 10,
      });
      expect(recorded.map(alert => alert.day)).toEqual(['2026-11-29']);
    });

    it('catches up on a rise that began while it was not running', async () => {
      await storeSpend(
        PLATFORM,
        modelledCosts(PLATFORM, {
          scenarios: [
            {
              kind: 'spike',
              serviceName: 'Virtual Machines',
              factor: 5,
              from: '2026-11-29',
            },
          ],
        }),
      );
      await expect(detector().run({ today: TODAY })).resolves.toEqual({
        alerts: 1,
      });
      expect(sentPayloads()[0].payload.title).toContain('on 2026-11-29:');
    });

    it('needs 14 days of history before a day', async () => {
      const spike: CostScenario[] = [
        {
          kind: 'spike',
          serviceName: 'Virtual Machines',
          factor: 5,
          from: YESTERDAY,
        },
      ];
      await storeSpend(
        PLATFORM,
        modelledCosts(PLATFORM, {
          from: addDays(YESTERDAY, -13),
          scenarios: spike,
        }),
      );
      await expect(detector().run({ today: TODAY })).resolves.toEqual({
        alerts: 0,
      });

      await storeSpend(
        PLATFORM,
        modelledCosts(PLATFORM, {
          from: addDays(YESTERDAY, -14),
          scenarios: spike,
        }),
      );
      await expect(detector().run({ today: TODAY })).resolves.toEqual({
        alerts: 1,
      });
    });

    it('skips a subscription whose entity has no owner, or that has no entity', async () => {
      const spike: CostScenario[] = [
        {
          kind: 'spike',
          serviceName: 'Virtual Machines',
          factor: 5,
          from: YESTERDAY,
        },
      ];
      await storeSpend(PAYMENTS, modelledCosts(PAYMENTS, { scenarios: spike }));
      await expect(detector().run({ today: TODAY })).resolves.toEqual({
        alerts: 0,
      });
      expect(logger.debug).toHaveBeenCalledWith(
        `Spend anomaly of subscription ${PAYMENTS} on ${YESTERDAY} not sent: its catalog entity has no owner`,
      );

      entities = [];
      await expect(detector().run({ today: TODAY })).resolves.toEqual({
        alerts: 0,
      });
      expect(logger.debug).toHaveBeenCalledWith(
        `Spend anomaly of subscription ${PAYMENTS} on ${YESTERDAY} not sent: it has no catalog entity`,
      );
      expect(send).not.toHaveBeenCalled();
      expect(
        await alertStore.listAlerts({ kind: 'anomaly', limit: 10 }),
      ).toEqual([]);
    });

    it('sends nothing while the catalog cannot be read, and sends once it can', async () => {
      await storeSpend(
        PLATFORM,
        modelledCosts(PLATFORM, {
          scenarios: [
            {
              kind: 'spike',
              serviceName: 'Virtual Machines',
              factor: 5,
              from: YESTERDAY,
            },
          ],
        }),
      );
      const unreadable = catalogServiceMock.mock({
        getEntitiesByRefs: jest
          .fn()
          .mockRejectedValue(new Error('connect ECONNREFUSED')),
      });

      await expect(
        detector({}, unreadable).run({ today: TODAY }),
      ).resolves.toEqual({ alerts: 0 });
      expect(logger.warn).toHaveBeenCalledWith(
        'Spend anomalies not sent: the catalog could not be read: Error: connect ECONNREFUSED',
      );
      expect(send).not.toHaveBeenCalled();

      await expect(detector().run({ today: TODAY })).resolves.toEqual({
        alerts: 1,
      });
    });

    it('does nothing when disabled in config', async () => {
      await storeSpend(
        PLATFORM,
        modelledCosts(PLATFORM, {
          scenarios: [
            {
              kind: 'spike',
              serviceName: 'Virtual Machines',
              factor: 5,
              from: YESTERDAY,
            },
          ],
        }),
      );
      await expect(
        detector({ enabled: false }).run({ today: TODAY }),
      ).resolves.toEqual({
        alerts: 0,
      });
      expect(send).not.toHaveBeenCalled();
      // The same spend with detection on is an anomaly: it was the setting that kept it quiet.
      await expect(detector().run({ today: TODAY })).resolves.toEqual({
        alerts: 1,
      });
    });

    it('follows the configured thresholds', async () => {
      await storeSpend(
        PLATFORM,
        modelledCosts(PLATFORM, {
          scenarios: [
            {
              kind: 'spike',
              serviceName: 'Virtual Machines',
              factor: 5,
              from: YESTERDAY,
            },
          ],
        }),
      );
      // The day is about 400 USD over an expected 130: neither 500% nor 1,000 USD.
      await expect(
        detector({ minimumIncreasePercent: 500 }).run({ today: TODAY }),
      ).resolves.toEqual({ alerts: 0 });
      await expect(
        detector({ minimumAmount: 1000 }).run({ today: TODAY }),
      ).resolves.toEqual({
        alerts: 0,
      });
      await expect(
        detector({ minimumAmount: 100 }).run({ today: TODAY }),
      ).resolves.toEqual({
        alerts: 1,
      });
    });
  },
);
