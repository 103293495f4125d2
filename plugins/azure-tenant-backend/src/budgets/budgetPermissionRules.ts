import { PermissionsRegistryService } from '@backstage/backend-plugin-api';
import { PermissionRuleset } from '@backstage/plugin-permission-node';
import {
  azureTenantBudgetCreatePermission,
  azureTenantBudgetDeletePermission,
  azureTenantBudgetUpdatePermission,
  Budget,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  budgetPermissionResourceRef,
  budgetPermissionRules,
  BudgetQuery,
} from '@azure-tenant/plugin-azure-tenant-node';
import { BudgetStore } from './BudgetStore';

/*
 * The rules themselves live in the node package (`budgetConditions.ts`), beside the conditions that permission
 * policies build from them, so that a policy and this plugin share one definition of each rule.
 */

const RULES = Object.values(budgetPermissionRules);

/**
 * Registers the budget resource type (`azure-tenant-budget`), its permissions and rules, so that the permission
 * framework can decide a conditional policy on a budget by its id (for the frontend's `usePermission`, say). Returns
 * the registry's ruleset of budgets, with which the plugin applies conditional decisions itself: it also holds the
 * rules that modules add.
 */
export function registerBudgetResourceType(
  registry: PermissionsRegistryService,
  store: Pick<BudgetStore, 'get'>,
): PermissionRuleset<
  Budget,
  BudgetQuery,
  typeof budgetPermissionResourceRef.resourceType
> {
  registry.addResourceType({
    resourceRef: budgetPermissionResourceRef,
    permissions: [
      azureTenantBudgetCreatePermission,
      azureTenantBudgetUpdatePermission,
      azureTenantBudgetDeletePermission,
    ],
    rules: RULES,
    getResources: ids => Promise.all(ids.map(id => store.get(id))),
  });
  return registry.getPermissionRuleset(budgetPermissionResourceRef);
}

/**
 * The plugin's own budget rules as a ruleset, for where no permissions registry is at hand (tests); the plugin
 * passes the registry's ruleset, which also holds the rules that modules add.
 */
export function ownBudgetRuleset(): PermissionRuleset<
  Budget,
  BudgetQuery,
  typeof budgetPermissionResourceRef.resourceType
> {
  return {
    getRuleByName(name) {
      const rule = RULES.find(r => r.name === name);
      if (!rule) {
        throw new Error(
          `Permission rule '${name}' does not exist for resource type '${budgetPermissionResourceRef.resourceType}'`,
        );
      }
      return rule;
    },
  };
}
