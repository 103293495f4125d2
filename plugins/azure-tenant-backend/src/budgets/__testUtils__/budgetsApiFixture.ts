import express from 'express';
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  ANNOTATION_AZURE_RESOURCE_ID,
  ANNOTATION_AZURE_SUBSCRIPTION_ID,
  azureSubscriptionEntityRef,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  budgetConditions,
  createBudgetConditionalDecision,
} from '@azure-tenant/plugin-azure-tenant-node';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import { DatabaseAzureTenantStore } from '../../database/DatabaseAzureTenantStore';
import { DatabaseResourceStore } from '../../database/DatabaseResourceStore';
import { DatabaseSpendStore } from '../../spend/DatabaseSpendStore';
import {
  DATA_EUROPE,
  PAYMENTS,
  PLATFORM,
  prepareSpendDatabase,
} from '../../spend/__testUtils__/spendTestDatabase';
import { recordingAuditor } from '../../tags/__testUtils__/tagsFixture';
import { BudgetOperations } from '../BudgetOperations';
import { BudgetScopeResolver } from '../BudgetScopeResolver';
import { createBudgetsRouter } from '../createBudgetsRouter';
import { DatabaseBudgetEvaluationStore } from '../DatabaseBudgetEvaluationStore';
import { DatabaseBudgetStore } from '../DatabaseBudgetStore';
import { ExchangeRates } from '../exchangeRates';

export { DATA_EUROPE, PAYMENTS, PLATFORM };

export const TEAM_A = 'group:default/team-a';
export const TEAM_B = 'group:default/team-b';
export const ALICE = 'user:default/alice';
export const BOB = 'user:default/bob';
export const CHECKOUT = 'component:default/checkout';

/** The fixture's clock: 25 November 2026. */
export const NOW = new Date('2026-11-25T12:00:00Z');

function entity(
  ref: string,
  spec: JsonObject = {},
  annotations: Record<string, string> = {},
  relations: Array<[string, string]> = [],
): Entity {
  const [kind, rest] = ref.split(':');
  const [namespace, name] = rest.split('/');
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind:
      kind === 'resource' ? 'Resource' : kind[0].toUpperCase() + kind.slice(1),
    metadata: { name, namespace, annotations },
    spec,
    relations: relations.map(([type, targetRef]) => ({ type, targetRef })),
  };
}

function subscriptionEntity(subscriptionId: string, owner?: string): Entity {
  return entity(
    azureSubscriptionEntityRef(subscriptionId),
    { type: 'azure-subscription', ...(owner ? { owner } : {}) },
    {
      [ANNOTATION_AZURE_SUBSCRIPTION_ID]: subscriptionId,
      [ANNOTATION_AZURE_RESOURCE_ID]: `/subscriptions/${subscriptionId}`,
    },
  );
}

/**
 * The catalog: teams a and b, Alice and Bob; Platform's subscription entity owned by team-a (a short `spec.owner`),
 * Data Europe's by team-b, Payments' entity without an owner; the checkout component of team-a, which depends on
 * the Platform subscription.
 */
export const CATALOG: Entity[] = [
  entity(TEAM_A),
  entity(TEAM_B),
  entity(ALICE),
  entity(BOB),
  subscriptionEntity(PLATFORM, 'team-a'),
  subscriptionEntity(DATA_EUROPE, 'group:default/team-b'),
  subscriptionEntity(PAYMENTS),
  entity(CHECKOUT, { type: 'service', owner: 'team-a' }, {}, [
    ['ownedBy', TEAM_A],
    ['dependsOn', azureSubscriptionEntityRef(PLATFORM)],
  ]),
];

/**
 * A budget permission policy's answer: `allow`, `deny`, or allowed for what one of `claims` owns (the conditional
 * decision a policy makes with `budgetConditions.isBudgetOwner`).
 */
export type BudgetPolicy = 'allow' | 'deny' | { claims: string[] };

/**
 * The budgets API on a test database: Platform (USD spend), Payments (no spend) and Data Europe (EUR spend)
 * connected, the catalog above, a recording auditor, and a permission policy each test sets: who may read spend of
 * which entity (`spendReadable`), and the decision of each budget permission (`budgetPolicy`).
 */
export async function createBudgetsFixture(
  knex: Knex,
  options: { exchangeRates?: ExchangeRates } = {},
) {
  await prepareSpendDatabase(knex, [
    { subscriptionId: PLATFORM },
    { subscriptionId: PAYMENTS },
    { subscriptionId: DATA_EUROPE },
  ]);
  const spend = new DatabaseSpendStore(knex);
  for (const [subscriptionId, currency] of [
    [PLATFORM, 'USD'],
    [DATA_EUROPE, 'EUR'],
  ]) {
    await spend.replaceDays({
      subscriptionId,
      from: '2026-11-01',
      to: '2026-11-20',
      costs: Array.from({ length: 20 }, (_, i) => ({
        date: `2026-11-${String(i + 1).padStart(2, '0')}`,
        resourceId: `/subscriptions/${subscriptionId}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/vm-1`,
        serviceName: 'Virtual Machines',
        location: 'westeurope',
        currency,
        amount: 10,
      })),
      at: NOW,
    });
  }

  const store = new DatabaseBudgetStore(knex);
  const evaluations = new DatabaseBudgetEvaluationStore(knex, () => NOW);
  const auditor = recordingAuditor();
  const policy = {
    spendReadable: (_entityRef: string) => true,
    budgetPolicy: 'allow' as BudgetPolicy,
  };
  const decisionOf = (permission: any): PolicyDecision => {
    const { budgetPolicy } = policy;
    if (budgetPolicy === 'allow') return { result: AuthorizeResult.ALLOW };
    if (budgetPolicy === 'deny') return { result: AuthorizeResult.DENY };
    return createBudgetConditionalDecision(
      permission,
      budgetConditions.isBudgetOwner({ claims: budgetPolicy.claims }),
    );
  };
  const permissions = {
    authorize: jest.fn(async (requests: any[]) =>
      requests.map(r => ({
        result: policy.spendReadable(r.resourceRef)
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      })),
    ),
    authorizeConditional: jest.fn(async (requests: any[]) =>
      requests.map(r => decisionOf(r.permission)),
    ),
  };
  const changed: string[] = [];
  const catalog = catalogServiceMock({ entities: CATALOG });
  const auth = mockServices.auth();
  const operations = new BudgetOperations({
    store,
    evaluations,
    subscriptions: new DatabaseAzureTenantStore(knex),
    spend,
    scopes: new BudgetScopeResolver({
      catalog,
      auth,
      resources: new DatabaseResourceStore(knex),
    }),
    catalog,
    auth,
    permissions: permissions as any,
    auditor,
    exchangeRates: options.exchangeRates,
    onBudgetChanged: id => {
      changed.push(id);
    },
    now: () => NOW,
  });
  const app = express()
    .use(
      await createBudgetsRouter({
        operations,
        httpAuth: mockServices.httpAuth({
          defaultCredentials: mockCredentials.user(ALICE),
        }),
      }),
    )
    .use(mockErrorHandler());
  return {
    app,
    operations,
    store,
    evaluations,
    auditor,
    permissions,
    policy,
    changed,
    /** Every row of the budgets table, to show that a refused request wrote nothing. */
    rows: () => knex('budgets').select().orderBy('id'),
  };
}

/** A valid budget body: 1,000 USD a month on the Platform subscription. */
export function platformBudget(fields: Record<string, unknown> = {}) {
  return {
    name: 'Platform monthly',
    scope: { kind: 'subscription', subscriptionId: PLATFORM },
    amount: 1000,
    currency: 'USD',
    period: { type: 'monthly' },
    ...fields,
  };
}
