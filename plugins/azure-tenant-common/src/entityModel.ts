/**
 * What an Azure subscription or resource entity holds under `spec.azure`. Azure tag names are case-insensitive and
 * their values are free text, so tags live here rather than in `metadata.tags` or labels.
 *
 * @public
 */
export interface AzureEntitySpec {
  /** `/subscriptions/{id}` for a subscription entity. */
  resourceId: string;
  subscriptionId: string;
  tenantId: string;
  /** Absent on subscription entities. */
  resourceGroup?: string;
  /** The ARM type, e.g. `Microsoft.Compute/virtualMachines`; `Microsoft.Resources/subscriptions` for a subscription. */
  type: string;
  location?: string;
  kind?: string;
  /** Azure's tags, as of the last sync. Absent under `no-tags` and `none`. */
  tags?: Record<string, string>;
  /** Portal-only tags (`read-tags`): shown apart from Azure's, never written to Azure. */
  portalTags?: Record<string, string>;
}

/**
 * The `spec.type` of a subscription entity.
 *
 * @public
 */
export const AZURE_SUBSCRIPTION_ENTITY_TYPE = 'azure-subscription';

/**
 * The `spec.type` of a resource group entity, which stands between a subscription and its resources: resources are
 * a `dependencyOf` their group, and groups a `dependencyOf` their subscription.
 *
 * @public
 */
export const AZURE_RESOURCE_GROUP_ENTITY_TYPE = 'azure-resource-group';

/**
 * The `spec.type` of a resource entity, from its ARM type: `Microsoft.Compute/virtualMachines` gives
 * `azure-virtualmachines`.
 *
 * @public
 */
export function azureResourceEntityType(armType: string): string {
  const last = armType.split('/').pop() ?? 'resource';
  return `azure-${last.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}
