import { ResourceGroupState, SubscriptionState } from '../model/EmulatorState';
import { ResourceRecord } from '../model/ResourceRecord';

/** A subscription as `Microsoft.Resources` 2022-12-01 returns it. */
export function subscriptionBody(
  subscription: SubscriptionState,
): Record<string, unknown> {
  return {
    id: `/subscriptions/${subscription.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    ...(Object.keys(subscription.tags).length
      ? { tags: subscription.tags }
      : {}),
    subscriptionId: subscription.subscriptionId,
    tenantId: subscription.tenantId,
    displayName: subscription.displayName,
    state: subscription.state,
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    },
  };
}

/** A resource group as `Microsoft.Resources` returns it. */
export function resourceGroupBody(
  subscription: SubscriptionState,
  group: ResourceGroupState,
): Record<string, unknown> {
  return {
    id: `/subscriptions/${subscription.subscriptionId}/resourceGroups/${group.name}`,
    name: group.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: group.location,
    ...(Object.keys(group.tags).length ? { tags: group.tags } : {}),
    properties: { provisioningState: 'Succeeded' },
  };
}

/** A resource in a list (`GenericResourceExpanded`); `expand` adds createdTime, changedTime, provisioningState. */
export function listedResourceBody(
  resource: ResourceRecord,
  expand: Set<string>,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: resource.id,
    name: resource.name,
    type: resource.type,
    ...(resource.sku ? { sku: resource.sku } : {}),
    ...(resource.kind ? { kind: resource.kind } : {}),
    location: resource.location,
    ...(Object.keys(resource.tags).length ? { tags: resource.tags } : {}),
  };
  if (expand.has('createdtime')) body.createdTime = resource.createdTime;
  if (expand.has('changedtime')) body.changedTime = resource.changedTime;
  if (expand.has('provisioningstate')) body.provisioningState = 'Succeeded';
  return body;
}

/** A single resource (`GenericResource`), as a resource provider returns it. */
export function resourceBody(
  resource: ResourceRecord,
): Record<string, unknown> {
  return {
    id: resource.id,
    name: resource.name,
    type: resource.type,
    location: resource.location,
    ...(resource.kind ? { kind: resource.kind } : {}),
    ...(resource.sku ? { sku: resource.sku } : {}),
    tags: resource.tags,
    properties: { provisioningState: 'Succeeded' },
    systemData: {
      createdAt: resource.createdTime,
      lastModifiedAt: resource.changedTime,
    },
  };
}
