import {
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  AZURE_TENANT_BUDGET_RESOURCE_TYPE,
  Budget,
} from '@azure-tenant/plugin-azure-tenant-common';
// zod 4's schemas carry their JSON schema, which the permission framework shows to policy authors.
import { z } from 'zod/v4';

/**
 * A budget condition as a query: the budgets whose owner is one of `owners` (entity refs in lower case).
 *
 * @public
 */
export type BudgetQuery = { owners: string[] };

/**
 * The budget resource type of the Azure tenant plugin (`azure-tenant-budget`): a budget, referred to by its id.
 *
 * @public
 */
export const budgetPermissionResourceRef = createPermissionResourceRef<
  Budget,
  BudgetQuery
>().with({
  pluginId: 'azure-tenant',
  resourceType: AZURE_TENANT_BUDGET_RESOURCE_TYPE,
});

/**
 * Allows a budget whose owner is one of `claims`, compared without regard to case. Give it the user's ownership
 * claims (`user.info.ownershipEntityRefs`), so that a team's members may change the team's budgets.
 *
 * @public
 */
export const isBudgetOwner = createPermissionRule({
  name: 'IS_BUDGET_OWNER',
  description:
    'Allow budgets owned by one of the given entity refs, such as the ownership claims of the user',
  resourceRef: budgetPermissionResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe(
        'Entity refs of owners, e.g. the user and the groups it is a member of',
      ),
  }),
  apply: (budget: Budget, { claims }) => {
    const owner = budget.owner.toLocaleLowerCase('en-US');
    return claims.some(claim => claim.toLocaleLowerCase('en-US') === owner);
  },
  toQuery: ({ claims }) => ({
    owners: claims.map(claim => claim.toLocaleLowerCase('en-US')),
  }),
});

/**
 * The permission rules of budgets, by name: the backend plugin registers them with the budget resource type.
 *
 * @public
 */
export const budgetPermissionRules = { isBudgetOwner };

const { conditions, createConditionalDecision } = createConditionExports({
  resourceRef: budgetPermissionResourceRef,
  rules: budgetPermissionRules,
});

/**
 * Conditions on budgets, for permission policies: `budgetConditions.isBudgetOwner({ claims })`.
 *
 * @public
 */
export const budgetConditions = conditions;

/**
 * Wraps budget conditions into a conditional decision for one of the budget permissions
 * (`azure-tenant.budget.create`, `.update`, `.delete`), e.g.
 * `createBudgetConditionalDecision(permission, budgetConditions.isBudgetOwner({ claims: user.info.ownershipEntityRefs }))`.
 *
 * @public
 */
export const createBudgetConditionalDecision = createConditionalDecision;
