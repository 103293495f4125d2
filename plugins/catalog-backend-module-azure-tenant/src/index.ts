/**
 * The catalog module that turns synced Azure subscriptions, resource groups and resources into catalog entities.
 *
 * @packageDocumentation
 */

export { catalogModuleAzureTenant as default } from './module';
export type {
  AzureTenantCatalogClient,
  DefaultAzureTenantCatalogClientOptions,
} from './client/AzureTenantCatalogClient';
export { DefaultAzureTenantCatalogClient } from './client/AzureTenantCatalogClient';
export type { AzureTenantCatalogConfig } from './config/AzureTenantCatalogConfig';
export {
  AZURE_TENANT_CATALOG_CONFIG_KEY,
  DEFAULT_AZURE_TENANT_CATALOG_SCHEDULE,
  DEPRECATED_AZURE_TENANT_CATALOG_CONFIG_KEY,
  readAzureTenantCatalogConfig,
} from './config/AzureTenantCatalogConfig';
export type {
  AzureEntityGranularity,
  AzureEntityGranularityOverride,
  AzureEntityLevel,
  AzureEntityResourceTypes,
  AzureResourceTypePreset,
  AzureTenantEntitiesConfig,
} from './config/entityGranularity';
export {
  AZURE_RESOURCE_TYPE_PRESETS,
  DEFAULT_AZURE_TENANT_ENTITIES,
} from './config/entityGranularity';
export {
  AzureOwnerDirectory,
  loadAzureOwnerDirectory,
} from '@azure-tenant/plugin-azure-tenant-node';
export {
  azureResourcePortalUrl,
  azureSubscriptionPortalUrl,
} from './entities/azurePortalUrls';
export { azureTenantLocationKey } from './entities/entityLocation';
export type { AzureResourceEntityOptions } from './entities/resourceEntity';
export {
  buildAzureResourceEntity,
  resolveAzureResourceOwner,
} from './entities/resourceEntity';
export type {
  AzureResourceGroupEntityOptions,
  AzureResourceGroupSummary,
} from './entities/resourceGroupEntity';
export {
  azureResourceGroupEntityRef,
  azureResourceGroupId,
  buildAzureResourceGroupEntity,
} from './entities/resourceGroupEntity';
export type { AzureSubscriptionEntityOptions } from './entities/subscriptionEntity';
export { buildAzureSubscriptionEntity } from './entities/subscriptionEntity';
export {
  AZURE_TENANT_UNOWNED_GROUP_REF,
  buildAzureUnownedGroupEntity,
} from './entities/unownedGroupEntity';
export type { AzureSubscriptionSyncModesOptions } from './processor/AzureSubscriptionSyncModes';
export { AzureSubscriptionSyncModes } from './processor/AzureSubscriptionSyncModes';
export type { AzureTenantSyncModeProcessorOptions } from './processor/AzureTenantSyncModeProcessor';
export { AzureTenantSyncModeProcessor } from './processor/AzureTenantSyncModeProcessor';
export type { AzureTenantEntityProviderOptions } from './provider/AzureTenantEntityProviderOptions';
export { AzureTenantEntityProvider } from './provider/AzureTenantEntityProvider';
export type { AzureTenantProviderRunKind } from './provider/AzureTenantEntityProvider';
