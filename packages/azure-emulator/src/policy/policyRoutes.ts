import { ArmCall, nextLinkFor } from '../arm/ArmCall';
import {
  parseScope,
  requireSubscription,
  resolveScope,
  scopeAsWritten,
} from '../arm/armScopes';
import { ArmError } from '../errors/ArmError';
import { EmulatorResponse, jsonResponse } from '../http/EmulatorHttp';
import { isSameOrAncestorScope } from '../model/EmulatorState';
import { requirePermission } from '../rbac/accessCheck';
import {
  BUILT_IN_TAG_POLICY_DEFINITIONS,
  BuiltInPolicyDefinition,
  builtInPolicyDefinitionId,
  findBuiltInPolicyDefinition,
} from './builtInPolicyDefinitions';
import {
  PolicyAssignmentState,
  policyAssignmentBody,
  policyAssignmentKey,
} from './policyAssignments';

/** `$top` of policy assignment lists: 1 to 1000, 500 when absent (`TopParameter` in policyAssignments.json 2022-06-01). */
const DEFAULT_TOP = 500;
const MAX_TOP = 1000;

function methodNotAllowed(call: ArmCall): ArmError {
  return new ArmError(
    405,
    'MethodNotAllowed',
    `The requested method '${call.request.method}' is not allowed for '${call.request.path}'. The emulator serves Azure Policy read-only.`,
  );
}

/**
 * Azure Policy under `{scope}/providers/Microsoft.Authorization/`: `policyAssignments` (list and get at a
 * subscription, resource group or resource) and `policyDefinitions` (the built-in tag definitions at tenant level).
 * Only GET: the product reads policies and never writes them. Returns undefined for paths it does not serve.
 */
export function handlePolicyRequest(
  call: ArmCall,
  scope: string,
  tail: string[],
): EmulatorResponse | undefined {
  const type = tail[0]?.toLowerCase();
  if (type === 'policyassignments' && tail.length <= 2 && scope) {
    if (call.request.method !== 'GET') throw methodNotAllowed(call);
    return tail.length === 1
      ? listPolicyAssignments(call, scope)
      : getPolicyAssignment(call, scope, tail[1]);
  }
  if (type === 'policydefinitions' && tail.length <= 2) {
    if (call.request.method !== 'GET') throw methodNotAllowed(call);
    if (!scope) {
      return tail.length === 1
        ? listBuiltInPolicyDefinitions(call)
        : getBuiltInPolicyDefinition(call, tail[1]);
    }
    if (tail.length === 2 && /^\/subscriptions\/[^/]+$/i.test(scope))
      return getPolicyDefinitionAtScope(call, scope, tail[1]);
  }
  return undefined;
}

/** RBAC first (as ARM authorizes before the provider looks), then the scope must exist. */
function readableScope(call: ArmCall, scope: string, action: string): string {
  const written = scopeAsWritten(scope);
  const parsed = parseScope(written);
  if (!parsed) {
    throw new ArmError(
      400,
      'InvalidScope',
      `The scope '${written}' is not valid.`,
    );
  }
  requireSubscription(call, parsed.subscriptionId);
  requirePermission(call.context.state, call.caller, written, action);
  return resolveScope(call, written).scope;
}

type AssignmentFilter =
  | { kind: 'all' }
  | { kind: 'atScope' }
  | { kind: 'atExactScope' }
  | { kind: 'policyDefinitionId'; id: string };

/**
 * The `$filter` values policyAssignments.json (2022-06-01, `PolicyAssignmentsFilterParameter`) lists: `atScope()`,
 * `atExactScope()` and `policyDefinitionId eq '{value}'`.
 */
function assignmentFilter(call: ArmCall): AssignmentFilter {
  const filter = (call.request.url.searchParams.get('$filter') ?? '').trim();
  if (!filter) return { kind: 'all' };
  if (/^atScope\(\)$/i.test(filter)) return { kind: 'atScope' };
  if (/^atExactScope\(\)$/i.test(filter)) return { kind: 'atExactScope' };
  const byDefinition = /^policyDefinitionId\s+eq\s+'([^']+)'$/i.exec(filter);
  if (byDefinition) return { kind: 'policyDefinitionId', id: byDefinition[1] };
  throw new ArmError(
    400,
    'InvalidFilterInQueryString',
    `Invalid $filter '${filter}' specified in the query string. Valid values are 'atScope()', 'atExactScope()' and 'policyDefinitionId eq '{value}''.`,
  );
}

function pageSize(call: ArmCall): number {
  const top = call.request.url.searchParams.get('$top');
  if (top === null) return DEFAULT_TOP;
  const n = Number(top);
  if (!Number.isInteger(n) || n < 1 || n > MAX_TOP) {
    throw new ArmError(
      400,
      'InvalidQueryParameterValue',
      `The value '${top}' of the query parameter '$top' is invalid: an integer from 1 to ${MAX_TOP}.`,
    );
  }
  return n;
}

/**
 * `GET {scope}/providers/Microsoft.Authorization/policyAssignments` (PolicyAssignments_List,
 * _ListForResourceGroup and _ListForResource in policyAssignments.json 2022-06-01). Without `$filter`: the
 * assignments at the scope, at the scopes containing it, and at the scopes it contains. `atScope()`: the first two
 * only ("everything in the unfiltered list except those applied to sub scopes contained within the given scope"), so
 * a subscription's `atScope()` list leaves out its resource groups' assignments. `atExactScope()`: at the scope
 * itself. `policyDefinitionId eq '…'`: the unfiltered list, of that definition only. Needs
 * `Microsoft.Authorization/policyAssignments/read` (Reader has it), else 403 `AuthorizationFailed`.
 */
function listPolicyAssignments(call: ArmCall, scope: string): EmulatorResponse {
  const resolved = readableScope(
    call,
    scope,
    'Microsoft.Authorization/policyAssignments/read',
  );
  const filter = assignmentFilter(call);
  const top = pageSize(call);
  const applies = (a: PolicyAssignmentState): boolean => {
    const above = isSameOrAncestorScope(a.scope, resolved);
    switch (filter.kind) {
      case 'atScope':
        return above;
      case 'atExactScope':
        return a.scope.toLowerCase() === resolved.toLowerCase();
      case 'policyDefinitionId':
        return (
          (above || isSameOrAncestorScope(resolved, a.scope)) &&
          a.policyDefinitionId.toLowerCase() === filter.id.toLowerCase()
        );
      default:
        return above || isSameOrAncestorScope(resolved, a.scope);
    }
  };
  const all = [...call.context.state.policyAssignments.values()]
    .filter(applies)
    .sort(
      (a, b) =>
        a.scope.length - b.scope.length ||
        a.scope.localeCompare(b.scope) ||
        a.name.localeCompare(b.name),
    );
  const skipToken =
    call.request.url.searchParams.get('$skiptoken') ??
    call.request.url.searchParams.get('$skipToken');
  const offset = skipToken ? Number(skipToken) : 0;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new ArmError(
      400,
      'InvalidSkipToken',
      `The skip token '${skipToken}' is invalid.`,
    );
  }
  const page = all.slice(offset, offset + top);
  return jsonResponse(200, {
    value: page.map(policyAssignmentBody),
    ...(offset + top < all.length
      ? { nextLink: nextLinkFor(call, String(offset + top)) }
      : {}),
  });
}

/**
 * `GET {scope}/providers/Microsoft.Authorization/policyAssignments/{name}` (PolicyAssignments_Get): the assignment
 * made at exactly that scope, or 404 `PolicyAssignmentNotFound` (the code Azure PowerShell's policy tests expect).
 */
function getPolicyAssignment(
  call: ArmCall,
  scope: string,
  name: string,
): EmulatorResponse {
  const resolved = readableScope(
    call,
    scope,
    'Microsoft.Authorization/policyAssignments/read',
  );
  const assignment = call.context.state.policyAssignments.get(
    policyAssignmentKey(resolved, name),
  );
  if (!assignment) {
    throw new ArmError(
      404,
      'PolicyAssignmentNotFound',
      `The policy assignment '${name}' is not found.`,
    );
  }
  return jsonResponse(200, policyAssignmentBody(assignment));
}

/**
 * A built-in definition as `Microsoft.Authorization` returns it
 * (`specification/resources/resource-manager/Microsoft.Authorization/stable/2023-04-01/examples/getBuiltinPolicyDefinition.json`);
 * `version` and `versions` came with api-version 2023-04-01, so older versions do not carry them.
 */
export function policyDefinitionBody(
  definition: BuiltInPolicyDefinition,
  apiVersion: string,
): Record<string, unknown> {
  const versioned = apiVersion >= '2023-04-01';
  return {
    properties: {
      mode: definition.mode,
      displayName: definition.displayName,
      policyType: 'BuiltIn',
      description: definition.description,
      metadata: { version: definition.version, category: 'Tags' },
      ...(versioned
        ? { version: definition.version, versions: [definition.version] }
        : {}),
      parameters: structuredClone(definition.parameters),
      policyRule: structuredClone(definition.policyRule),
    },
    id: builtInPolicyDefinitionId(definition.name),
    type: 'Microsoft.Authorization/policyDefinitions',
    name: definition.name,
  };
}

function definitionNotFound(name: string): ArmError {
  // The message Azure PowerShell's policy tests assert on (Azure/azure-powershell
  // src/Resources/Resources.Test/ScenarioTests/PolicyTests.ps1): "The policy definition '{name}' could not be found."
  return new ArmError(
    404,
    'PolicyDefinitionNotFound',
    `The policy definition '${name}' could not be found.`,
  );
}

/**
 * `GET /providers/Microsoft.Authorization/policyDefinitions/{name}` (PolicyDefinitions_GetBuiltIn). Built-in
 * definitions are tenant-level and readable by any signed-in principal, so no role is needed.
 */
function getBuiltInPolicyDefinition(
  call: ArmCall,
  name: string,
): EmulatorResponse {
  const definition = findBuiltInPolicyDefinition(name);
  if (!definition) throw definitionNotFound(name);
  return jsonResponse(
    200,
    policyDefinitionBody(definition, apiVersionOf(call)),
  );
}

/**
 * `GET /providers/Microsoft.Authorization/policyDefinitions` (PolicyDefinitions_ListBuiltIn): the built-in tag
 * definitions the emulator knows (Azure has thousands more). `$filter`: `policyType eq 'BuiltIn'` or
 * `category eq '{value}'`, as the operation documents.
 */
function listBuiltInPolicyDefinitions(call: ArmCall): EmulatorResponse {
  const filter = (call.request.url.searchParams.get('$filter') ?? '').trim();
  let definitions = [...BUILT_IN_TAG_POLICY_DEFINITIONS];
  if (filter) {
    const byType = /^policyType\s+eq\s+'([^']*)'$/i.exec(filter);
    const byCategory = /^category\s+eq\s+'([^']*)'$/i.exec(filter);
    if (byType) {
      if (byType[1].toLowerCase() !== 'builtin') definitions = [];
    } else if (byCategory) {
      if (byCategory[1] !== 'Tags') definitions = [];
    } else {
      throw new ArmError(
        400,
        'InvalidFilterInQueryString',
        `Invalid $filter '${filter}' specified in the query string.`,
      );
    }
  }
  const version = apiVersionOf(call);
  return jsonResponse(200, {
    value: definitions.map(d => policyDefinitionBody(d, version)),
  });
}

/**
 * `GET /subscriptions/{s}/providers/Microsoft.Authorization/policyDefinitions/{name}` (PolicyDefinitions_Get) reads
 * the subscription's custom definitions; the emulator has none, so it is always 404 `PolicyDefinitionNotFound`
 * (built-ins are read at tenant level, as Azure CLI's `az policy definition show` falls back to do).
 */
function getPolicyDefinitionAtScope(
  call: ArmCall,
  scope: string,
  name: string,
): EmulatorResponse {
  readableScope(call, scope, 'Microsoft.Authorization/policyDefinitions/read');
  throw definitionNotFound(name);
}

function apiVersionOf(call: ArmCall): string {
  return call.request.url.searchParams.get('api-version') ?? '';
}
