import {
  ANNOTATION_AZURE_OWNER_SOURCE,
  ANNOTATION_AZURE_RESOURCE_ID,
  ANNOTATION_AZURE_SUBSCRIPTION_ID,
  ANNOTATION_AZURE_SYNC_MODE,
  ANNOTATION_AZURE_TENANT_ID,
  AZURE_ENTITY_NAMESPACE,
  AzureEntitySpec,
  AzureResourceRecord,
  SyncMode,
  azureResourceEntityName,
  azureResourceEntityType,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { AzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import { azureResourcePortalUrl } from './azurePortalUrls';
import { azureLocationAnnotations } from './entityLocation';
import { azureResourceGroupEntityRef } from './resourceGroupEntity';
import { tagComplianceMetadata } from './tagComplianceMetadata';

/**
 * The options of {@link buildAzureResourceEntity}.
 *
 * @public
 */
export interface AzureResourceEntityOptions {
  /** The current sync mode of the resource's subscription, when known. Tags are left out under `no-tags`/`none`. */
  syncMode?: SyncMode;
  /** The tag that names the owner, matched case-insensitively. */
  ownerTagKey: string;
  /** Resolves the owner tag's value to a group or user. */
  owners: AzureOwnerDirectory;
  /** The owner when there is no owner tag or its value names no known group or user. */
  defaultOwner: string;
}

/** Whether tag values may be shown under a sync mode. */
export function syncModeKeepsTags(syncMode: SyncMode | undefined): boolean {
  return syncMode !== 'no-tags' && syncMode !== 'none';
}

function findTag(
  tags: Record<string, string> | undefined,
  lowerCaseKey: string,
): string | undefined {
  if (!tags) {
    return undefined;
  }
  for (const name in tags) {
    if (
      Object.prototype.hasOwnProperty.call(tags, name) &&
      name.toLowerCase() === lowerCaseKey
    ) {
      return tags[name];
    }
  }
  return undefined;
}

/**
 * The owner of a resource and where it came from (the {@link ANNOTATION_AZURE_OWNER_SOURCE} annotation): the value
 * of its owner tag resolved to a group or user (`tag`), else the default owner (`default`).
 */
export function resolveAzureResourceOwnership(
  tags: { tags?: Record<string, string>; portalTags?: Record<string, string> },
  options: Pick<
    AzureResourceEntityOptions,
    'ownerTagKey' | 'owners' | 'defaultOwner'
  >,
): { owner: string; source: 'tag' | 'default' } {
  const key = options.ownerTagKey.toLowerCase();
  const value =
    findTag(tags.portalTags, key) ?? findTag(tags.tags, key) ?? undefined;
  const owner = value ? options.owners.resolve(value) : undefined;
  return owner
    ? { owner, source: 'tag' }
    : { owner: options.defaultOwner, source: 'default' };
}

/**
 * The owner of a resource: the value of its owner tag resolved to a group or user, else the default owner. A
 * portal-only tag (edited in the portal under `read-tags`) wins over the Azure tag of the same name.
 *
 * @public
 */
export function resolveAzureResourceOwner(
  tags: { tags?: Record<string, string>; portalTags?: Record<string, string> },
  options: Pick<
    AzureResourceEntityOptions,
    'ownerTagKey' | 'owners' | 'defaultOwner'
  >,
): string {
  return resolveAzureResourceOwnership(tags, options).owner;
}

/**
 * Whether a resource has an owner tag (kept under its sync mode) whose value names no group or user of the
 * directory, so that it falls back to the default owner.
 */
export function hasUnresolvedOwnerTag(
  record: Pick<AzureResourceRecord, 'tags' | 'portalTags'>,
  options: Pick<
    AzureResourceEntityOptions,
    'syncMode' | 'ownerTagKey' | 'owners'
  >,
): boolean {
  if (!syncModeKeepsTags(options.syncMode)) return false;
  const key = options.ownerTagKey.toLowerCase();
  const value = findTag(record.portalTags, key) ?? findTag(record.tags, key);
  return Boolean(value) && !options.owners.resolve(value!);
}

function shortArmType(type: string): string {
  return type.split('/').pop() || type;
}

/**
 * The `Resource` entity of a synced Azure resource: named after the resource (stable for its id), owned according to
 * its owner tag (and annotated with where the owner came from, `azure-tenant.io/owner-source`), and a
 * `dependencyOf` its resource group's entity (see `buildAzureResourceGroupEntity`), which is a `dependencyOf` the
 * subscription's: the subscription's Overview draws its groups rather than thousands of resources. Once its tags were checked
 * against the tag policies, it carries the label `azure-tenant.io/tag-compliance` and, when non-compliant, the
 * annotation `azure-tenant.io/tag-violations`.
 *
 * @public
 */
export function buildAzureResourceEntity(
  record: AzureResourceRecord,
  options: AzureResourceEntityOptions,
): Entity {
  const { resourceId, subscriptionId, tenantId, resourceGroup, type } = record;
  const keepTags = syncModeKeepsTags(options.syncMode);
  const tags = keepTags ? nonEmpty(record.tags) : undefined;
  const portalTags = keepTags ? nonEmpty(record.portalTags) : undefined;
  const portalUrl = azureResourcePortalUrl(tenantId, resourceId);
  const { owner, source } = resolveAzureResourceOwnership(
    { tags, portalTags },
    options,
  );

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
  const compliance = tagComplianceMetadata(record.compliance, options.syncMode);
  Object.assign(annotations, compliance.annotations);

  const azure: AzureEntitySpec = {
    resourceId,
    subscriptionId,
    tenantId,
    resourceGroup,
    type,
  };
  if (record.location) azure.location = record.location;
  if (record.kind) azure.kind = record.kind;
  if (tags) azure.tags = tags;
  if (portalTags) azure.portalTags = portalTags;

  const where = record.location ? `, ${record.location}` : '';
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: azureResourceEntityName(resourceId),
      namespace: AZURE_ENTITY_NAMESPACE,
      title: record.name,
      description: `Azure ${shortArmType(
        type,
      )} in resource group ${resourceGroup}${where}`,
      annotations,
      ...(Object.keys(compliance.labels).length
        ? { labels: compliance.labels }
        : {}),
      links: [{ url: portalUrl, title: 'Open in Azure portal', icon: 'cloud' }],
    },
    spec: {
      type: azureResourceEntityType(type),
      owner,
      dependencyOf: [
        azureResourceGroupEntityRef(subscriptionId, resourceGroup),
      ],
      azure: azure as unknown as JsonObject,
    },
  };
}

function nonEmpty(
  tags: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (!tags) {
    return undefined;
  }
  for (const _ in tags) {
    if (Object.prototype.hasOwnProperty.call(tags, _)) {
      return tags;
    }
  }
  return undefined;
}
