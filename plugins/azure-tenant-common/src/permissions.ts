import { createPermission } from '@backstage/plugin-permission-common';

/**
 * See the connected tenants, their subscriptions and the results of onboardings.
 *
 * @public
 */
export const azureTenantReadPermission = createPermission({
  name: 'azure-tenant.tenant.read',
  attributes: { action: 'read' },
});

/**
 * Connect an Azure tenant, or add more of its subscriptions: start the consent and role-assignment flow.
 *
 * @public
 */
export const azureTenantConnectPermission = createPermission({
  name: 'azure-tenant.tenant.connect',
  attributes: { action: 'create' },
});

/**
 * Change a subscription's settings, such as its sync mode.
 *
 * @public
 */
export const azureTenantSubscriptionManagePermission = createPermission({
  name: 'azure-tenant.subscription.manage',
  attributes: { action: 'update' },
});

/**
 * Trigger a subscription's sync now, outside its schedule.
 *
 * @public
 */
export const azureTenantSubscriptionSyncPermission = createPermission({
  name: 'azure-tenant.subscription.sync',
  attributes: { action: 'update' },
});

/**
 * Read the spend of a catalog entity (a subscription, a resource, or the resources a group owns).
 *
 * @public
 */
export const azureTenantSpendReadPermission = createPermission({
  name: 'azure-tenant.spend.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/**
 * Edit the tags of a catalog entity that stands for an Azure resource.
 *
 * @public
 */
export const azureTenantTagsUpdatePermission = createPermission({
  name: 'azure-tenant.tags.update',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * The resource type of budget permissions: a budget, identified by its id. Policies decide on it with the conditions
 * of `@azure-tenant/plugin-azure-tenant-node` (`budgetConditions.isBudgetOwner`).
 *
 * @public
 */
export const AZURE_TENANT_BUDGET_RESOURCE_TYPE = 'azure-tenant-budget';

/**
 * Create a budget. Checked against the budget as it would be created, so that a condition such as "owned by one of
 * the user's groups" applies. Reading a budget follows `azure-tenant.spend.read` on its scope's entity.
 *
 * @public
 */
export const azureTenantBudgetCreatePermission = createPermission({
  name: 'azure-tenant.budget.create',
  attributes: { action: 'create' },
  resourceType: AZURE_TENANT_BUDGET_RESOURCE_TYPE,
});

/**
 * Change a budget, or mute its alerts for a while. Checked against the budget before and after the change.
 *
 * @public
 */
export const azureTenantBudgetUpdatePermission = createPermission({
  name: 'azure-tenant.budget.update',
  attributes: { action: 'update' },
  resourceType: AZURE_TENANT_BUDGET_RESOURCE_TYPE,
});

/**
 * Delete a budget.
 *
 * @public
 */
export const azureTenantBudgetDeletePermission = createPermission({
  name: 'azure-tenant.budget.delete',
  attributes: { action: 'delete' },
  resourceType: AZURE_TENANT_BUDGET_RESOURCE_TYPE,
});

/**
 * See every spend alert the portal sent, to everyone: for admins and auditors. Owners see their budgets' alerts
 * with the budgets.
 *
 * @public
 */
export const azureTenantAlertsReadPermission = createPermission({
  name: 'azure-tenant.alerts.read',
  attributes: { action: 'read' },
});

/**
 * Create, change and delete the portal's tag policies (`azure-tenant.io` tag governance): for admins. Anyone may read
 * the policies; compliance follows `catalog.entity.read` on each resource, subscription or group entity.
 *
 * @public
 */
export const azureTenantTagPolicyManagePermission = createPermission({
  name: 'azure-tenant.tag-policy.manage',
  attributes: { action: 'update' },
});

/**
 * Every permission of the Azure tenant plugins, for registration with the permissions registry.
 *
 * @public
 */
export const azureTenantPermissions = [
  azureTenantReadPermission,
  azureTenantConnectPermission,
  azureTenantSubscriptionManagePermission,
  azureTenantSubscriptionSyncPermission,
  azureTenantSpendReadPermission,
  azureTenantTagsUpdatePermission,
  azureTenantBudgetCreatePermission,
  azureTenantBudgetUpdatePermission,
  azureTenantBudgetDeletePermission,
  azureTenantAlertsReadPermission,
  azureTenantTagPolicyManagePermission,
];
