import {
  ANNOTATION_AZURE_ACCESS_PROBLEM,
  ANNOTATION_AZURE_ACCESS_SINCE,
  ANNOTATION_AZURE_LAST_SYNC_AT,
  ANNOTATION_AZURE_LAST_SYNC_ERROR,
  ANNOTATION_AZURE_LAST_SYNC_STATUS,
  ANNOTATION_AZURE_OWNER_SOURCE,
  ANNOTATION_AZURE_RESOURCE_ID,
  ANNOTATION_AZURE_SUBSCRIPTION_ID,
  ANNOTATION_AZURE_SYNC_MODE,
  ANNOTATION_AZURE_TENANT_ID,
  AZURE_ENTITY_NAMESPACE,
  AZURE_SUBSCRIPTION_ENTITY_TYPE,
  AzureEntitySpec,
  AzureSubscription,
  SYNC_MODE_DESCRIPTIONS,
  azureSubscriptionEntityName,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { azureSubscriptionPortalUrl } from './azurePortalUrls';
import { azureLocationAnnotations } from './entityLocation';

/** The ARM type of a subscription, as `spec.azure.type` holds it. */
export const AZURE_SUBSCRIPTION_ARM_TYPE = 'Microsoft.Resources/subscriptions';

// A sync error can be a long ARM message; an annotation is no place for a stack of them.
const MAX_ERROR_LENGTH = 1000;

/**
 * The options of {@link buildAzureSubscriptionEntity}.
 *
 * @public
 */
export interface AzureSubscriptionEntityOptions {
  /** The entity reference of the owner of subscription entities. */
  owner: string;
  /**
   * Where `owner` came from, for the `azure-tenant.io/owner-source` annotation: `tag` for an owner tag resolved to a
   * group or user; `default` (the default) for the configured default owner, which the entity provider gives every
   * subscription, since subscriptions are synced without tags.
   */
  ownerSource?: 'tag' | 'default';
}

/**
 * The `Resource` entity of an onboarded Azure subscription. It carries its sync mode and the outcome of its last
 * sync, so that a failed sync shows on the entity. Resource entities point at it with `dependencyOf`.
 *
 * While the portal has lost access to the subscription (`access`), the entity carries the problem and since when in
 * the `azure-tenant.io/access-problem` and `azure-tenant.io/access-since` annotations, and nothing else about the
 * access state: `checkedAt` and `nextAttemptAt` change on every try, and an entity that changed with them would be
 * processed again on every try. The rest of the entity is built as before, from what the backend kept of the last
 * good state. The catalog cannot carry the state in `status`: its default entity policy refuses root fields other
 * than `apiVersion`, `kind`, `metadata` and `spec`, and `status.items` holds only the catalog's processing errors.
 *
 * @public
 */
export function buildAzureSubscriptionEntity(
  subscription: AzureSubscription,
  options: AzureSubscriptionEntityOptions,
): Entity {
  const { subscriptionId, tenantId, displayName, syncMode, lastSync, access } =
    subscription;
  const resourceId = `/subscriptions/${subscriptionId}`;
  const portalUrl = azureSubscriptionPortalUrl(tenantId, subscriptionId);

  const annotations: Record<string, string> = {
    ...azureLocationAnnotations(portalUrl),
    [ANNOTATION_AZURE_RESOURCE_ID]: resourceId,
    [ANNOTATION_AZURE_SUBSCRIPTION_ID]: subscriptionId,
    [ANNOTATION_AZURE_TENANT_ID]: tenantId,
    [ANNOTATION_AZURE_SYNC_MODE]: syncMode,
    [ANNOTATION_AZURE_OWNER_SOURCE]: options.ownerSource ?? 'default',
  };
  if (lastSync) {
    annotations[ANNOTATION_AZURE_LAST_SYNC_STATUS] = lastSync.status;
    // The time only of a failure: a successful sync that changed nothing must rewrite no entity.
    if (lastSync.status === 'failed') {
      annotations[ANNOTATION_AZURE_LAST_SYNC_AT] = lastSync.finishedAt;
    }
    if (lastSync.error) {
      annotations[ANNOTATION_AZURE_LAST_SYNC_ERROR] = lastSync.error.slice(
        0,
        MAX_ERROR_LENGTH,
      );
    }
  }

  if (access) {
    annotations[ANNOTATION_AZURE_ACCESS_PROBLEM] = access.problem;
    annotations[ANNOTATION_AZURE_ACCESS_SINCE] = access.since;
  }

  const azure: AzureEntitySpec = {
    resourceId,
    subscriptionId,
    tenantId,
    type: AZURE_SUBSCRIPTION_ARM_TYPE,
  };
  const mode = SYNC_MODE_DESCRIPTIONS[syncMode]?.title ?? syncMode;

  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: azureSubscriptionEntityName(subscriptionId),
      namespace: AZURE_ENTITY_NAMESPACE,
      title: displayName || subscriptionId,
      description: `Azure subscription ${
        displayName || subscriptionId
      } in tenant ${tenantId}. Sync mode: ${mode}.`,
      annotations,
      links: [{ url: portalUrl, title: 'Open in Azure portal', icon: 'cloud' }],
    },
    spec: {
      type: AZURE_SUBSCRIPTION_ENTITY_TYPE,
      owner: options.owner,
      azure: azure as unknown as JsonObject,
    },
  };
}
