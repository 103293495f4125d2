import { Entity } from '@backstage/catalog-model';
import { azureLocationAnnotations } from './entityLocation';

/**
 * The owner of subscriptions, and of resources whose owner tag names no known group or user, while
 * `catalog.providers.azureTenant.defaultOwner` is not set. The provider adds this group to the catalog itself, so
 * that no entity points at an owner that does not exist.
 *
 * @public
 */
export const AZURE_TENANT_UNOWNED_GROUP_REF =
  'group:default/azure-tenant-unowned';

/** The location key of the unowned group: it belongs to no subscription. */
export const AZURE_TENANT_UNOWNED_GROUP_LOCATION_KEY =
  'azure-tenant:unowned-group';

/**
 * The group behind {@link AZURE_TENANT_UNOWNED_GROUP_REF}. Its description tells whoever opens it how to replace it
 * with a real owner.
 *
 * @public
 */
export function buildAzureUnownedGroupEntity(): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: {
      name: 'azure-tenant-unowned',
      namespace: 'default',
      title: 'Azure resources without an owner',
      description:
        'Owns the Azure subscriptions, and the Azure resources whose owner tag names no group or user of the catalog. ' +
        'Added by the Azure tenant catalog module because catalog.providers.azureTenant.defaultOwner is not set: ' +
        'set it to a group of your catalog, and this group goes away.',
      annotations: azureLocationAnnotations('https://portal.azure.com/'),
    },
    spec: { type: 'team', children: [] },
  };
}
