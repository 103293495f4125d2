import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  azureTenantBudgetUpdatePermission,
  Budget,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  budgetConditions,
  createBudgetConditionalDecision,
  isBudgetOwner,
} from './budgetConditions';

const budget = { owner: 'group:default/team-a' } as Budget;

describe('budget conditions', () => {
  it('allow a budget owned by one of the claims, in any case', () => {
    expect(
      isBudgetOwner.apply(budget, {
        claims: ['user:default/alice', 'Group:Default/Team-A'],
      }),
    ).toBe(true);
    expect(
      isBudgetOwner.apply(budget, { claims: ['group:default/team-b'] }),
    ).toBe(false);
    expect(isBudgetOwner.apply(budget, { claims: [] })).toBe(false);
  });

  it('make the conditional decision a policy returns', () => {
    expect(
      createBudgetConditionalDecision(
        azureTenantBudgetUpdatePermission,
        budgetConditions.isBudgetOwner({ claims: ['group:default/team-a'] }),
      ),
    ).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'azure-tenant',
      resourceType: 'azure-tenant-budget',
      conditions: {
        rule: 'IS_BUDGET_OWNER',
        resourceType: 'azure-tenant-budget',
        params: { claims: ['group:default/team-a'] },
      },
    });
  });

  it('refuse params that are not a list of claims', () => {
    const schema = isBudgetOwner.paramsSchema as any;
    expect(
      schema['~standard'].validate({ claims: 'team-a' }).issues,
    ).toBeDefined();
    expect(
      schema['~standard'].validate({ claims: ['group:default/team-a'] }).issues,
    ).toBeUndefined();
  });
});
