import {
  ANNOTATION_AZURE_OWNER_SOURCE,
  ANNOTATION_AZURE_RESOURCE_ID,
  ANNOTATION_AZURE_SUBSCRIPTION_ID,
  ANNOTATION_AZURE_SYNC_MODE,
  ANNOTATION_AZURE_TENANT_ID,
  AZURE_ENTITY_NAMESPACE,
  AZURE_RESOURCE_GROUP_ENTITY_TYPE,
  AzureEntitySpec,
  AzureResourceGroupRecord,
  azureResourceEntityName,
  azureResourceEntityRef,
  azureSubscriptionEntityRef,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { azureResourcePortalUrl } from './azurePortalUrls';
import { azureLocationAnnotations } from './entityLocation';
import {
  AzureResourceEntityOptions,
  resolveAzureResourceOwnership,
  syncModeKeepsTags,
} from './resourceEntity';

/** The ARM type of a resource group, as `spec.azure.type` holds it. */
export const AZURE_RESOURCE_GROUP_ARM_TYPE =
  'Microsoft.Resources/resourceGroups';

/** How many types a description names before it says how many more there are. */
const TYPES_IN_DESCRIPTION = 5;

/**
 * The resource id of a resource group, as Azure spells it: `/subscriptions/{subscriptionId}/resourceGroups/{name}`.
 *
 * @public
 */
export function azureResourceGroupId(
  subscriptionId: string,
  resourceGroup: string,
): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

/**
 * The entity reference of a resource group's entity: named as any resource is, from its (case-insensitive) id.
 *
 * @public
 */
export function azureResourceGroupEntityRef(
  subscriptionId: string,
  resourceGroup: string,
): string {
  return azureResourceEntityRef(
    azureResourceGroupId(subscriptionId, resourceGroup),
  );
}

/**
 * How `spec.azure.summary` of a resource group entity counts its resources.
 *
 * @public
 */
export interface AzureResourceGroupSummary {
  resourceCount: number;
  /** Per ARM type, most first. */
  resourceTypes: Array<{ type: string; count: number }>;
}

/**
 * A type's name for people, from the last segment of its ARM type: `virtualMachines` gives `virtual machines`, or
 * `virtual machine` for one; `publicIPAddresses` gives `public IP addresses`.
 */
export function describeResourceType(armType: string, count: number): string {
  const last = armType.split('/').pop() || armType;
  const words = last
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(' ')
    .map(word => (/^[A-Z]+s?$/.test(word) ? word : word.toLowerCase()));
  if (count === 1) {
    const lastWord = words[words.length - 1];
    words[words.length - 1] = lastWord
      .replace(/(ss|x|ch|sh)es$/, '$1')
      .replace(/ies$/, 'y')
      .replace(/([^s])s$/, '$1');
  }
  return words.join(' ');
}

/** "42 resources: 10 virtual machines, 8 disks, …", or "No resources." */
export function describeResourceGroupSummary(
  summary: AzureResourceGroupSummary,
): string {
  const { resourceCount, resourceTypes } = summary;
  if (resourceCount === 0) return 'No resources.';
  const named = resourceTypes
    .slice(0, TYPES_IN_DESCRIPTION)
    .map(({ type, count }) => `${count} ${describeResourceType(type, count)}`);
  const others = resourceTypes.length - TYPES_IN_DESCRIPTION;
  if (others > 0) {
    named.push(`${others} more type${others === 1 ? '' : 's'}`);
  }
  return `${resourceCount} resource${
    resourceCount === 1 ? '' : 's'
  }: ${named.join(', ')}.`;
}

/**
 * The options of {@link buildAzureResourceGroupEntity}.
 *
 * @public
 */
export type AzureResourceGroupEntityOptions = Omit<
  AzureResourceEntityOptions,
  'syncMode'
> & {
  /** The group's tenant, which the backend's listing leaves to its subscription. */
  tenantId: string;
  /** The current sync mode of the group's subscription, when known. Tags are left out under `no-tags`/`none`. */
  syncMode?: AzureResourceEntityOptions['syncMode'];
};

/**
 * The `Resource` entity of a resource group, between its subscription and its resources: a `dependencyOf` the
 * subscription's entity, while resource entities are a `dependencyOf` it. The subscription's Overview then draws
 * its groups rather than every resource. It is owned according to its owner tag, as resources are, and counts its
 * resources per type in its description and in `spec.azure.summary`, whether or not they are entities.
 *
 * @public
 */
export function buildAzureResourceGroupEntity(
  record: AzureResourceGroupRecord,
  options: AzureResourceGroupEntityOptions,
): Entity {
  const { subscriptionId, name } = record;
  const { tenantId } = options;
  const resourceId = azureResourceGroupId(subscriptionId, name);
  const portalUrl = azureResourcePortalUrl(tenantId, resourceId);
  const tags =
    syncModeKeepsTags(options.syncMode) &&
    record.tags &&
    Object.keys(record.tags).length > 0
      ? record.tags
      : undefined;
  const { owner, source } = resolveAzureResourceOwnership({ tags }, options);

  const annotations: Record<string, string> = {
    ...azureLocationAnnotations(portalUrl),
    [ANNOTATION_AZURE_RESOURCE_ID]: resourceId,
    [ANNOTATION_AZURE_SUBSCRIPTION_ID]: subscriptionId,
    [ANNOTATION_AZURE_TENANT_ID]: tenantId,
    [ANNOTATION_AZURE_OWNER_SOURCE]: source,
  };
  if (options.syncMode) {
    annotations[ANNOTATION_AZURE_SYNC_MODE] = options.syncMode;
  }

  const summary: AzureResourceGroupSummary = {
    resourceCount: record.resourceCount,
    resourceTypes: record.resourceTypes.map(({ type, count }) => ({
      type,
      count,
    })),
  };
  const azure: AzureEntitySpec & { summary: AzureResourceGroupSummary } = {
    resourceId,
    subscriptionId,
    tenantId,
    resourceGroup: name,
    type: AZURE_RESOURCE_GROUP_ARM_TYPE,
    summary,
  };
  if (record.location) azure.location = record.location;
  if (tags) azure.tags = tags;

  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: azureResourceEntityName(resourceId),
      namespace: AZURE_ENTITY_NAMESPACE,
      title: name,
      description: `Azure resource group ${name}${
        record.location ? ` in ${record.location}` : ''
      }. ${describeResourceGroupSummary(summary)}`,
      annotations,
      links: [{ url: portalUrl, title: 'Open in Azure portal', icon: 'cloud' }],
    },
    spec: {
      type: AZURE_RESOURCE_GROUP_ENTITY_TYPE,
      owner,
      dependencyOf: [azureSubscriptionEntityRef(subscriptionId)],
      azure: azure as unknown as JsonObject,
    },
  };
}
