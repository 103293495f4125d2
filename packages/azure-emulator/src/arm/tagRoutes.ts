import { ArmError } from '../errors/ArmError';
import {
  EmulatorResponse,
  jsonResponse,
  readJsonBody,
} from '../http/EmulatorHttp';
import { requirePermission } from '../rbac/accessCheck';
import { ArmCall } from './ArmCall';
import { acceptAsyncOperation } from './asyncOperations';
import {
  ResolvedScope,
  parseScope,
  requireSubscription,
  resolveScope,
  scopeAsWritten,
} from './armScopes';
import { applyTagPatch, validateTags } from './tagRules';
import { armChangeActor } from './armChangeActor';
import {
  recordResourceGroupChange,
  recordSubscriptionChange,
  subscriptionSnapshot,
} from '../model/containerChanges';

/** `{scope}/providers/Microsoft.Resources/tags/default`: GET, PUT, PATCH and DELETE. */
export function handleTagsAtScope(
  call: ArmCall,
  scope: string,
): EmulatorResponse {
  const written = scopeAsWritten(scope);
  const parsed = parseScope(written);
  if (!parsed) {
    throw new ArmError(
      400,
      'InvalidScope',
      `The scope '${written}' is not valid for tags.`,
    );
  }
  requireSubscription(call, parsed.subscriptionId);
  const method = call.request.method;
  const ACTIONS: Record<string, string> = { GET: 'read', DELETE: 'delete' };
  const action = `Microsoft.Resources/tags/${ACTIONS[method] ?? 'write'}`;
  requirePermission(call.context.state, call.caller, written, action);
  const resolved = resolveScope(call, written);

  if (method === 'GET') return tagsResponse(resolved, readTags(resolved));
  const write = planTagWrite(call, resolved);
  if (call.fault?.asyncOperation) {
    return acceptAsyncOperation(call, parsed.subscriptionId, call.fault, () =>
      // Done later: a Merge or Delete applies to the tags as they are then.
      write(resolveScope(call, written)),
    );
  }
  return write(resolved);
}

/**
 * Checks a PUT, PATCH or DELETE of the tags (a 400 before anything is accepted) and returns the write, which reads
 * the tags it changes when it runs.
 */
function planTagWrite(
  call: ArmCall,
  resolved: ResolvedScope,
): (target: ResolvedScope) => EmulatorResponse {
  const method = call.request.method;
  if (method === 'DELETE') {
    return target => {
      writeTags(call, target, {});
      return { status: 200 };
    };
  }
  const body = readJsonBody(call.request);
  const requested = body?.properties?.tags;
  if (
    requested === null ||
    typeof requested !== 'object' ||
    Array.isArray(requested)
  ) {
    throw new ArmError(
      400,
      'InvalidRequestContent',
      "The request content was invalid: 'properties.tags' is required.",
    );
  }
  let nextTags: (current: Record<string, string>) => Record<string, string>;
  if (method === 'PUT') {
    nextTags = () => validateTags({ ...requested });
  } else if (method === 'PATCH') {
    const operation = body.operation;
    if (typeof operation !== 'string') {
      throw new ArmError(
        400,
        'InvalidRequestContent',
        "The request content was invalid: 'operation' is required.",
      );
    }
    nextTags = current =>
      validateTags(applyTagPatch(current, operation, requested));
  } else {
    throw new ArmError(
      405,
      'MethodNotAllowed',
      `The method '${method}' is not allowed for tags.`,
    );
  }
  nextTags(readTags(resolved));
  return target => {
    const next = nextTags(readTags(target));
    writeTags(call, target, next);
    return tagsResponse(target, next);
  };
}

function readTags(resolved: ResolvedScope): Record<string, string> {
  if (resolved.kind === 'subscription')
    return { ...resolved.subscription.tags };
  if (resolved.kind === 'resourceGroup')
    return { ...resolved.resourceGroup.tags };
  return { ...resolved.resource.tags };
}

/**
 * Writes the tags, leaving the change in Resource Graph's change tables: a resource's tag edit is an `Update` of the
 * resource in `resourcechanges`, a subscription's or resource group's an `Update` in `resourcecontainerchanges`.
 */
function writeTags(
  call: ArmCall,
  resolved: ResolvedScope,
  tags: Record<string, string>,
): void {
  const change = {
    actor: armChangeActor(call),
    operation: `Microsoft.Resources/tags/${
      call.request.method === 'DELETE' ? 'delete' : 'write'
    }`,
  };
  if (resolved.kind === 'subscription') {
    const before = subscriptionSnapshot(resolved.subscription);
    resolved.subscription.tags = { ...tags };
    recordSubscriptionChange(resolved.subscription, before, change);
  } else if (resolved.kind === 'resourceGroup') {
    const tagsBefore = resolved.resourceGroup.tags;
    resolved.resourceGroup.tags = { ...tags };
    recordResourceGroupChange(
      resolved.subscription,
      'Update',
      resolved.resourceGroup,
      { ...change, tagsBefore },
    );
  } else {
    resolved.subscription.resources.put(
      {
        ...resolved.resource,
        tags: { ...tags },
        changedTime: new Date(call.context.clock.now()).toISOString(),
      },
      change,
    );
  }
}

function tagsResponse(
  resolved: ResolvedScope,
  tags: Record<string, string>,
): EmulatorResponse {
  return jsonResponse(200, {
    id: `${resolved.scope}/providers/Microsoft.Resources/tags/default`,
    name: 'default',
    type: 'Microsoft.Resources/tags',
    properties: { tags },
  });
}
