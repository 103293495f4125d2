import express from 'express';
import request from 'supertest';
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  azureSubscriptionEntityRef,
  Budget,
  SpendAlert,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { migrateDatabase } from '../database/migrations';
import { PAYMENTS, PLATFORM } from '../spend/__testUtils__/spendTestDatabase';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import { testBudget } from './__testUtils__/budgetTestData';
import { createBudgetAlertsRouter } from './createBudgetAlertsRouter';
import { DatabaseBudgetEvaluationStore } from './DatabaseBudgetEvaluationStore';
import { NewSpendAlert } from './BudgetEvaluationStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const PAYMENTS_BUDGET = testBudget('payments', {
  scope: { kind: 'subscription', subscriptionId: PAYMENTS },
  amount: 100,
});
const PLATFORM_BUDGET = testBudget('platform', {
  scope: { kind: 'subscription', subscriptionId: PLATFORM },
  amount: 100,
});

function alertOf(budget: Budget, percent: number): NewSpendAlert {
  return {
    dedupeKey: `threshold:${budget.id}:2026-12-01:actual:${percent}`,
    kind: 'threshold',
    budgetId: budget.id,
    budgetName: budget.name,
    threshold: { type: 'actual', percent },
    periodStart: '2026-12-01',
    scopeRef: azureSubscriptionEntityRef(
      (budget.scope as { subscriptionId: string }).subscriptionId,
    ),
    recipients: [budget.owner],
    title: `Budget '${budget.name}' reached ${percent}%`,
    description: 'Figures',
    link: '/catalog/default/group/team-a',
    delivery: 'sent',
  };
}

describe.each(databases.eachSupportedId())('GET /budget-alerts (%s)', id => {
  let knex: Knex;
  /** What the caller may do: read every alert, and read the spend of these entities. */
  let allowed: { allAlerts: boolean; spendOf: string[] };

  beforeEach(async () => {
    knex = await databases.init(id);
    await migrateDatabase(knex);
    allowed = { allAlerts: false, spendOf: [] };
    // Every alert at the same instant: pages must still neither skip nor repeat one.
    const store = new DatabaseBudgetEvaluationStore(
      knex,
      () => new Date('2026-12-03T10:00:00.000Z'),
    );
    for (const percent of [50, 80, 100]) {
      await store.recordAlert(alertOf(PAYMENTS_BUDGET, percent));
    }
    await store.recordAlert(alertOf(PLATFORM_BUDGET, 50));
    await store.recordAlert({
      dedupeKey: `anomaly:${PAYMENTS}:2026-12-02`,
      kind: 'anomaly',
      day: '2026-12-02',
      scopeRef: azureSubscriptionEntityRef(PAYMENTS),
      recipients: ['group:default/team-a'],
      title: 'Spend anomaly',
      description: 'Figures',
      link: '/catalog',
      delivery: 'sent',
    });
  });
  afterEach(() => releaseTestDatabase(knex));

  async function get(query: string) {
    const budgets = new Map(
      [PAYMENTS_BUDGET, PLATFORM_BUDGET].map(b => [b.id, b]),
    );
    const app = express()
      .use(
        await createBudgetAlertsRouter({
          evaluations: new DatabaseBudgetEvaluationStore(knex),
          budgets: { get: async budgetId => budgets.get(budgetId) },
          permissions: {
            authorize: async (requests: any[]) =>
              requests.map(r => {
                const allow =
                  r.permission.name === 'azure-tenant.alerts.read'
                    ? allowed.allAlerts
                    : allowed.spendOf.includes(r.resourceRef);
                return {
                  result: allow ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
                };
              }),
          } as any,
          httpAuth: mockServices.httpAuth({
            defaultCredentials: mockCredentials.user(),
          }),
        }),
      )
      .use(mockErrorHandler());
    return request(app).get(`/budget-alerts${query}`);
  }

  it('lists every alert, newest first and page by page, for a caller who may read all alerts', async () => {
    allowed.allAlerts = true;
    const seen: SpendAlert[] = [];
    let query = '?limit=2';
    for (let page = 0; page < 5; page++) {
      const response = await get(query);
      expect(response.status).toBe(200);
      seen.push(...response.body.items);
      if (!response.body.nextBefore) break;
      query = `?limit=2&before=${encodeURIComponent(response.body.nextBefore)}`;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen.map(a => a.id)).size).toBe(5);
  });

  it('filters by kind and by time', async () => {
    allowed.allAlerts = true;
    const anomalies = await get('?kind=anomaly');
    expect(anomalies.body.items.map((a: SpendAlert) => a.kind)).toEqual([
      'anomaly',
    ]);
    const before = (time: string) => get(`?before=${encodeURIComponent(time)}`);
    expect((await before('2026-12-03T10:00:00Z')).body.items).toEqual([]);
    expect((await before('2026-12-03T10:00:00.001Z')).body.items).toHaveLength(
      5,
    );
    expect((await get('?before=2026-12-04')).body.items).toHaveLength(5);
  });

  it("refuses every alert to a caller without alerts.read, and shows a budget's alerts to one who may read its spend", async () => {
    allowed.spendOf = [azureSubscriptionEntityRef(PAYMENTS)];
    const all = await get('');
    expect(all.status).toBe(403);
    expect(all.body.error.message).toContain('azure-tenant.alerts.read');

    const mine = await get('?budgetId=payments');
    expect(mine.status).toBe(200);
    expect(
      mine.body.items.map((a: SpendAlert) => a.threshold?.percent),
    ).toEqual(expect.arrayContaining([50, 80, 100]));
    expect(
      mine.body.items.every((a: SpendAlert) => a.budgetId === 'payments'),
    ).toBe(true);

    const theirs = await get('?budgetId=platform');
    expect(theirs.status).toBe(403);
    expect(theirs.body.error.message).toContain('azure-tenant.spend.read');
  });

  it("answers 404 for an unknown budget, and lists a deleted budget's alerts to those who may read every alert", async () => {
    expect((await get('?budgetId=nope')).status).toBe(404);
    allowed.allAlerts = true;
    await knex('spend_alerts')
      .where({ budget_id: 'platform' })
      .update({ budget_id: 'deleted-budget' });
    const history = await get('?budgetId=deleted-budget');
    expect(history.status).toBe(200);
    expect(history.body.items).toHaveLength(1);
  });

  it.each([
    ['?limit=0', 'limit'],
    ['?limit=501', 'limit'],
    ['?kind=budget', 'kind'],
    ['?before=yesterday', 'before'],
    ['?before=2026-13-45', 'before'],
    [
      `?before=${encodeURIComponent("2026-12-01T00:00:00Z~' OR 1=1")}`,
      'before',
    ],
    ['?budgetId=..%2Fbudgets', 'budgetId'],
  ])('refuses %s with a 400 naming %s', async (query, name) => {
    allowed.allAlerts = true;
    const response = await get(query);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(name);
  });
});
