/**
 * The Azure resource id of the resource (or subscription) that an entity stands for. The same key as the community
 * azure-resources module, so that the two plugins can work on the same entities.
 *
 * @public
 */
export const ANNOTATION_AZURE_RESOURCE_ID = 'management.azure.com/resourceId';

/**
 * The id of the Azure subscription that an entity belongs to.
 *
 * @public
 */
export const ANNOTATION_AZURE_SUBSCRIPTION_ID =
  'management.azure.com/subscriptionId';

/**
 * The id of the Microsoft Entra ID tenant that an entity belongs to.
 *
 * @public
 */
export const ANNOTATION_AZURE_TENANT_ID = 'management.azure.com/tenantId';
