import { ArmError } from '../errors/ArmError';
import { EmulatorResponse, jsonResponse } from '../http/EmulatorHttp';
import { requirePermission } from '../rbac/accessCheck';
import { ArmCall, nextLinkFor } from './ArmCall';
import { armChangeActor } from './armChangeActor';
import {
  listedResourceBody,
  resourceBody,
  resourceGroupBody,
} from './armResourceShapes';
import {
  requireResource,
  requireResourceGroup,
  requireSubscription,
} from './armScopes';
import { compileResourceFilter } from './resourceFilter';

function pageSize(call: ArmCall): number {
  const max = call.context.settings.resourcePageSize;
  const top = call.request.url.searchParams.get('$top');
  if (top === null) return max;
  const parsed = Number(top);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new ArmError(
      400,
      'InvalidTopInQueryString',
      `The value '${top}' of $top query parameter is not valid.`,
    );
  }
  return Math.min(parsed, max);
}

function skipToken(call: ArmCall): number {
  const token =
    call.request.url.searchParams.get('$skiptoken') ??
    call.request.url.searchParams.get('$skipToken');
  if (!token) return -1;
  const value = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(value)) {
    throw new ArmError(
      400,
      'InvalidSkipToken',
      `The skip token '${token}' is not valid.`,
    );
  }
  return value;
}

/** `GET /subscriptions/{s}/resourcegroups`. */
export function listResourceGroups(
  call: ArmCall,
  subscriptionId: string,
): EmulatorResponse {
  const subscription = requireSubscription(call, subscriptionId);
  requirePermission(
    call.context.state,
    call.caller,
    `/subscriptions/${subscription.subscriptionId}`,
    'Microsoft.Resources/subscriptions/resourceGroups/read',
  );
  const filter = compileTagOnlyFilter(
    call.request.url.searchParams.get('$filter'),
  );
  const groups = [...subscription.resourceGroups.values()].filter(g =>
    filter(g.tags),
  );
  const size = pageSize(call);
  const start = Math.max(0, skipToken(call) + 1);
  const page = groups.slice(start, start + size);
  const more = start + size < groups.length;
  return jsonResponse(200, {
    value: page.map(g => resourceGroupBody(subscription, g)),
    ...(more
      ? {
          nextLink: nextLinkFor(
            call,
            Buffer.from(String(start + size - 1)).toString('base64url'),
          ),
        }
      : {}),
  });
}

function compileTagOnlyFilter(
  filter: string | null,
): (tags: Record<string, string>) => boolean {
  if (!filter) return () => true;
  const match =
    /^tagName\s+eq\s+'([^']*)'(?:\s+and\s+tagValue\s+eq\s+'([^']*)')?$/i.exec(
      filter.trim(),
    );
  if (!match) {
    throw new ArmError(
      400,
      'InvalidFilterInQueryString',
      `Invalid $filter '${filter}' specified in the query string.`,
    );
  }
  const [, name, value] = match;
  return tags =>
    Object.entries(tags).some(
      ([k, v]) =>
        k.toLowerCase() === name.toLowerCase() &&
        (value === undefined || v === value),
    );
}

/** `GET /subscriptions/{s}/resourcegroups/{rg}`. */
export function getResourceGroup(
  call: ArmCall,
  subscriptionId: string,
  name: string,
): EmulatorResponse {
  const subscription = requireSubscription(call, subscriptionId);
  requirePermission(
    call.context.state,
    call.caller,
    `/subscriptions/${subscription.subscriptionId}/resourceGroups/${name}`,
    'Microsoft.Resources/subscriptions/resourceGroups/read',
  );
  return jsonResponse(
    200,
    resourceGroupBody(subscription, requireResourceGroup(subscription, name)),
  );
}

/**
 * `GET /subscriptions/{s}/resources` and `GET /subscriptions/{s}/resourceGroups/{rg}/resources`,
 * with `$filter`, `$expand`, `$top` and `nextLink` paging.
 */
export function listResources(
  call: ArmCall,
  subscriptionId: string,
  resourceGroup?: string,
): EmulatorResponse {
  const subscription = requireSubscription(call, subscriptionId);
  const subscriptionScope = `/subscriptions/${subscription.subscriptionId}`;
  if (resourceGroup) {
    requirePermission(
      call.context.state,
      call.caller,
      `${subscriptionScope}/resourceGroups/${resourceGroup}`,
      'Microsoft.Resources/subscriptions/resourceGroups/resources/read',
    );
    requireResourceGroup(subscription, resourceGroup);
  } else {
    requirePermission(
      call.context.state,
      call.caller,
      subscriptionScope,
      'Microsoft.Resources/subscriptions/resources/read',
    );
  }
  const params = call.request.url.searchParams;
  const filter = compileResourceFilter(params.get('$filter'));
  const expand = new Set(
    (params.get('$expand') ?? '')
      .split(',')
      .map(s => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const size = pageSize(call);
  const group = resourceGroup?.toLowerCase();
  const value: Record<string, unknown>[] = [];
  let lastIndex = -1;
  let more = false;
  for (const resource of subscription.resources.entries(skipToken(call))) {
    if (group && resource.resourceGroup.toLowerCase() !== group) continue;
    if (!filter(resource)) continue;
    if (value.length === size) {
      more = true;
      break;
    }
    value.push(listedResourceBody(resource, expand));
    lastIndex = resource.index;
  }
  return jsonResponse(200, {
    value,
    ...(more
      ? {
          nextLink: nextLinkFor(
            call,
            Buffer.from(String(lastIndex)).toString('base64url'),
          ),
        }
      : {}),
  });
}

/**
 * The checks ARM makes before it acts on one resource, in its order: the subscription, the caller's permission for the
 * action at the resource's scope, then the resource group.
 */
function authorizeResourceCall(
  call: ArmCall,
  target: {
    subscriptionId: string;
    resourceGroup: string;
    type: string;
    name: string;
  },
  action: 'read' | 'delete',
) {
  const subscription = requireSubscription(call, target.subscriptionId);
  const scope = `/subscriptions/${subscription.subscriptionId}/resourceGroups/${target.resourceGroup}/providers/${target.type}/${target.name}`;
  requirePermission(
    call.context.state,
    call.caller,
    scope,
    `${target.type}/${action}`,
  );
  requireResourceGroup(subscription, target.resourceGroup);
  return { subscription, scope };
}

/** `GET /subscriptions/{s}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}`. */
export function getResource(
  call: ArmCall,
  subscriptionId: string,
  resourceGroup: string,
  type: string,
  name: string,
): EmulatorResponse {
  const { subscription } = authorizeResourceCall(
    call,
    { subscriptionId, resourceGroup, type, name },
    'read',
  );
  return jsonResponse(
    200,
    resourceBody(requireResource(subscription, resourceGroup, type, name)),
  );
}

/** `DELETE` of a resource by id: only an RBAC check and the state change (no long-running operation). */
export function deleteResource(
  call: ArmCall,
  subscriptionId: string,
  resourceGroup: string,
  type: string,
  name: string,
): EmulatorResponse {
  const { subscription, scope } = authorizeResourceCall(
    call,
    { subscriptionId, resourceGroup, type, name },
    'delete',
  );
  const resource = subscription.resources.get(scope);
  if (!resource) return { status: 204 };
  subscription.resources.delete(resource.id, { actor: armChangeActor(call) });
  return { status: 200 };
}
