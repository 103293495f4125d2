import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ANNOTATION_AZURE_RESOURCE_ID,
  ANNOTATION_AZURE_SUBSCRIPTION_ID,
  AZURE_RESOURCE_GROUP_ENTITY_TYPE,
  AZURE_SUBSCRIPTION_ENTITY_TYPE,
  SpendQuery,
} from '@azure-tenant/plugin-azure-tenant-common';

/**
 * Whether an entity is the catalog entity of an Azure subscription (`spec.type: azure-subscription`). Use it with
 * `EntitySwitch` to show the Spend tab on subscription pages.
 *
 * @public
 */
export function isAzureSubscriptionEntity(entity: Entity): boolean {
  return entity.spec?.type === AZURE_SUBSCRIPTION_ENTITY_TYPE;
}

/**
 * Whether an entity is the catalog entity of a synced Azure resource: an `azure-*` type other than those of a
 * subscription and of a resource group, with a `management.azure.com/resourceId` annotation. Use it with
 * `EntitySwitch`.
 *
 * @public
 */
export function isAzureResourceEntity(entity: Entity): boolean {
  const type = entity.spec?.type;
  return (
    typeof type === 'string' &&
    type.startsWith('azure-') &&
    type !== AZURE_SUBSCRIPTION_ENTITY_TYPE &&
    type !== AZURE_RESOURCE_GROUP_ENTITY_TYPE &&
    Boolean(entity.metadata.annotations?.[ANNOTATION_AZURE_RESOURCE_ID])
  );
}

/** The part of a {@link SpendQuery} that says whose spend it is. */
export type SpendTarget = Pick<
  SpendQuery,
  'subscriptionId' | 'resourceId' | 'entityRef'
>;

/**
 * Whose spend an entity page shows: a subscription by its id, a resource by its id, and a group or user by its
 * entity ref (the spend of the resources it owns). `undefined` when the entity lacks the annotation it needs.
 */
export function spendTargetOf(entity: Entity): SpendTarget | undefined {
  const annotations = entity.metadata.annotations ?? {};
  if (isAzureSubscriptionEntity(entity)) {
    const subscriptionId = annotations[ANNOTATION_AZURE_SUBSCRIPTION_ID];
    return subscriptionId ? { subscriptionId } : undefined;
  }
  if (isAzureResourceEntity(entity)) {
    return { resourceId: annotations[ANNOTATION_AZURE_RESOURCE_ID] };
  }
  const kind = entity.kind.toLocaleLowerCase('en-US');
  if (kind === 'group' || kind === 'user') {
    return { entityRef: stringifyEntityRef(entity) };
  }
  return undefined;
}

/** The annotation a subscription or resource entity needs before its spend can be shown. */
export function requiredSpendAnnotation(entity: Entity): string {
  return entity.spec?.type === AZURE_SUBSCRIPTION_ENTITY_TYPE
    ? ANNOTATION_AZURE_SUBSCRIPTION_ID
    : ANNOTATION_AZURE_RESOURCE_ID;
}
