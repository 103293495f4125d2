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
];
