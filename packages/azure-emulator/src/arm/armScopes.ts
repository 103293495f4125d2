import { ArmError } from '../errors/ArmError';
import { ResourceGroupState, SubscriptionState } from '../model/EmulatorState';
import { ResourceRecord } from '../model/ResourceRecord';
import { checkSubscriptionLifecycle } from '../model/subscriptionLifecycle';
import { ArmCall } from './ArmCall';

/** A scope that exists: a subscription, a resource group or a resource. */
export type ResolvedScope =
  | { kind: 'subscription'; scope: string; subscription: SubscriptionState }
  | {
      kind: 'resourceGroup';
      scope: string;
      subscription: SubscriptionState;
      resourceGroup: ResourceGroupState;
    }
  | {
      kind: 'resource';
      scope: string;
      subscription: SubscriptionState;
      resourceGroup: ResourceGroupState;
      resource: ResourceRecord;
    };

/** The subscription, or ARM's 404; a token from another tenant gets ARM's 401. */
export function requireSubscription(
  call: ArmCall,
  subscriptionId: string,
): SubscriptionState {
  const subscription = call.context.state.subscription(subscriptionId);
  if (!subscription || subscription.state === 'Deleted') {
    throw new ArmError(
      404,
      'SubscriptionNotFound',
      `The subscription '${subscriptionId}' could not be found.`,
    );
  }
  if (
    subscription.tenantId.toLowerCase() !== call.caller.tenantId.toLowerCase()
  ) {
    throw new ArmError(
      401,
      'InvalidAuthenticationTokenTenant',
      `The access token is from the wrong issuer '${call.context.baseUrl}/${call.caller.tenantId}/v2.0'. It must match the tenant '${call.context.baseUrl}/${subscription.tenantId}/v2.0' associated with this subscription. Please use the authority (URL) '${call.context.baseUrl}/${subscription.tenantId}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.`,
    );
  }
  checkSubscriptionLifecycle(subscription, call.request.method);
  return subscription;
}

/** The resource group, or ARM's 404. */
export function requireResourceGroup(
  subscription: SubscriptionState,
  name: string,
): ResourceGroupState {
  const group = subscription.resourceGroups.get(name.toLowerCase());
  if (!group) {
    throw new ArmError(
      404,
      'ResourceGroupNotFound',
      `Resource group '${name}' could not be found.`,
    );
  }
  return group;
}

/** The resource, or ARM's 404. */
export function requireResource(
  subscription: SubscriptionState,
  resourceGroup: string,
  type: string,
  name: string,
): ResourceRecord {
  const [namespace, ...rest] = type.split('/');
  const id = `/subscriptions/${
    subscription.subscriptionId
  }/resourceGroups/${resourceGroup}/providers/${namespace}/${rest.join(
    '/',
  )}/${name}`;
  const resource = subscription.resources.get(id);
  if (!resource) {
    throw new ArmError(
      404,
      'ResourceNotFound',
      `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  }
  return resource;
}

const SCOPE =
  /^\/subscriptions\/([^/]+)(?:\/resourceGroups\/([^/]+)(?:\/providers\/([^/]+)\/([^/]+)\/([^/]+))?)?\/?$/i;

/** Parses a scope without checking that it exists. */
export function parseScope(scope: string):
  | {
      subscriptionId: string;
      resourceGroup?: string;
      type?: string;
      name?: string;
    }
  | undefined {
  const match = SCOPE.exec(scope.startsWith('/') ? scope : `/${scope}`);
  if (!match) return undefined;
  return {
    subscriptionId: match[1],
    resourceGroup: match[2],
    type: match[3] ? `${match[3]}/${match[4]}` : undefined,
    name: match[5],
  };
}

/** Parses and resolves a scope, failing with ARM's errors when it is invalid or missing. */
export function resolveScope(call: ArmCall, scope: string): ResolvedScope {
  const parsed = parseScope(scope);
  if (!parsed) {
    throw new ArmError(
      400,
      'InvalidScope',
      `The scope '${scope}' is not valid. Supported scopes are a subscription, a resource group or a resource.`,
    );
  }
  const subscription = requireSubscription(call, parsed.subscriptionId);
  const subscriptionScope = `/subscriptions/${subscription.subscriptionId}`;
  if (!parsed.resourceGroup) {
    return { kind: 'subscription', scope: subscriptionScope, subscription };
  }
  const resourceGroup = requireResourceGroup(
    subscription,
    parsed.resourceGroup,
  );
  const groupScope = `${subscriptionScope}/resourceGroups/${resourceGroup.name}`;
  if (!parsed.type) {
    return {
      kind: 'resourceGroup',
      scope: groupScope,
      subscription,
      resourceGroup,
    };
  }
  const resource = requireResource(
    subscription,
    resourceGroup.name,
    parsed.type,
    parsed.name!,
  );
  return {
    kind: 'resource',
    scope: resource.id,
    subscription,
    resourceGroup,
    resource,
  };
}

/** The scope as the caller wrote it, normalised to a leading slash and no trailing slash. */
export function scopeAsWritten(scope: string): string {
  return `/${scope.replace(/^\/+|\/+$/g, '')}`;
}
