import { ArmError } from '../errors/ArmError';
import {
  EmulatorResponse,
  jsonResponse,
  readJsonBody,
} from '../http/EmulatorHttp';
import {
  RoleAssignmentState,
  isSameOrAncestorScope,
} from '../model/EmulatorState';
import { requirePermission } from '../rbac/accessCheck';
import { findBuiltInRole } from '../rbac/builtInRoles';
import { ArmCall } from './ArmCall';
import {
  parseScope,
  requireSubscription,
  resolveScope,
  scopeAsWritten,
} from './armScopes';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A role assignment as `Microsoft.Authorization` 2022-04-01 returns it. */
export function roleAssignmentBody(
  assignment: RoleAssignmentState,
): Record<string, unknown> {
  const subscriptionId = parseScope(assignment.scope)?.subscriptionId;
  return {
    properties: {
      roleDefinitionId: `${
        subscriptionId ? `/subscriptions/${subscriptionId}` : ''
      }/providers/Microsoft.Authorization/roleDefinitions/${
        assignment.roleDefinitionGuid
      }`,
      principalId: assignment.principalId,
      principalType: assignment.principalType,
      scope: assignment.scope,
      condition: null,
      conditionVersion: null,
      createdOn: assignment.createdOn,
      updatedOn: assignment.updatedOn,
      createdBy: assignment.createdBy,
      updatedBy: assignment.updatedBy,
      delegatedManagedIdentityResourceId: null,
      description: assignment.description,
    },
    id: `${assignment.scope}/providers/Microsoft.Authorization/roleAssignments/${assignment.name}`,
    type: 'Microsoft.Authorization/roleAssignments',
    name: assignment.name,
  };
}

function checkedScope(call: ArmCall, scope: string, action: string): string {
  const written = scopeAsWritten(scope);
  const parsed = parseScope(written);
  if (!parsed)
    throw new ArmError(
      400,
      'InvalidScope',
      `The scope '${written}' is not valid.`,
    );
  requireSubscription(call, parsed.subscriptionId);
  requirePermission(call.context.state, call.caller, written, action);
  return resolveScope(call, written).scope;
}

/**
 * `GET {scope}/providers/Microsoft.Authorization/roleAssignments`, with `$filter` of `atScope()`,
 * `principalId eq '…'` or `assignedTo('…')` (and `and` between them).
 */
export function listRoleAssignments(
  call: ArmCall,
  scope: string,
): EmulatorResponse {
  const resolved = checkedScope(
    call,
    scope,
    'Microsoft.Authorization/roleAssignments/read',
  );
  const filter = (call.request.url.searchParams.get('$filter') ?? '').trim();
  let atScopeOnly = false;
  let principalId: string | undefined;
  if (filter) {
    for (const clause of filter.split(/\s+and\s+/i)) {
      const c = clause.trim();
      const principal =
        /^principalId\s+eq\s+'([^']+)'$/i.exec(c) ??
        /^assignedTo\('([^']+)'\)$/i.exec(c);
      if (/^atScope\(\)$/i.test(c)) atScopeOnly = true;
      else if (principal) principalId = principal[1];
      else
        throw new ArmError(
          400,
          'UnsupportedQuery',
          `The filter '${filter}' is not supported. Supported filters are atScope(), principalId eq '{value}' and assignedTo('{value}').`,
        );
    }
  }
  const value = [...call.context.state.roleAssignments.values()]
    .filter(
      a =>
        !principalId ||
        a.principalId.toLowerCase() === principalId.toLowerCase(),
    )
    .filter(a =>
      atScopeOnly
        ? isSameOrAncestorScope(a.scope, resolved)
        : isSameOrAncestorScope(a.scope, resolved) ||
          isSameOrAncestorScope(resolved, a.scope),
    )
    .map(roleAssignmentBody);
  return jsonResponse(200, { value });
}

function findAssignment(
  call: ArmCall,
  scope: string,
  name: string,
): RoleAssignmentState | undefined {
  const assignment = call.context.state.roleAssignments.get(name.toLowerCase());
  if (!assignment || assignment.scope.toLowerCase() !== scope.toLowerCase())
    return undefined;
  return assignment;
}

/** `GET {scope}/providers/Microsoft.Authorization/roleAssignments/{name}`. */
export function getRoleAssignment(
  call: ArmCall,
  scope: string,
  name: string,
): EmulatorResponse {
  const resolved = checkedScope(
    call,
    scope,
    'Microsoft.Authorization/roleAssignments/read',
  );
  const assignment = findAssignment(call, resolved, name);
  if (!assignment) {
    throw new ArmError(
      404,
      'RoleAssignmentNotFound',
      `The role assignment '${name}' is not found.`,
    );
  }
  return jsonResponse(200, roleAssignmentBody(assignment));
}

/** `PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{name}`: 201, or 409 `RoleAssignmentExists`. */
export function createRoleAssignment(
  call: ArmCall,
  scope: string,
  name: string,
): EmulatorResponse {
  const resolved = checkedScope(
    call,
    scope,
    'Microsoft.Authorization/roleAssignments/write',
  );
  if (!GUID.test(name)) {
    throw new ArmError(
      400,
      'InvalidRoleAssignmentId',
      `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
    );
  }
  const body = readJsonBody(call.request);
  const properties = body?.properties ?? {};
  const roleDefinitionId = String(properties.roleDefinitionId ?? '');
  const principalId = String(properties.principalId ?? '');
  const role = findBuiltInRole(roleDefinitionId);
  if (!roleDefinitionId.includes('/roleDefinitions/') || !role) {
    throw new ArmError(
      400,
      'RoleDefinitionDoesNotExist',
      `The specified role definition with ID '${roleDefinitionId
        .split('/')
        .pop()}' does not exist.`,
    );
  }
  const { state } = call.context;
  const principal = state.findPrincipal(call.caller.tenantId, principalId);
  if (!principal) {
    throw new ArmError(
      400,
      'PrincipalNotFound',
      `Principal ${principalId.replace(
        /-/g,
        '',
      )} does not exist in the directory ${
        call.caller.tenantId
      }. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
    );
  }
  const existing = state.roleAssignments.get(name.toLowerCase());
  if (existing) {
    const same =
      existing.scope.toLowerCase() === resolved.toLowerCase() &&
      existing.principalId.toLowerCase() === principalId.toLowerCase() &&
      existing.roleDefinitionGuid === role.id;
    if (same)
      throw new ArmError(
        409,
        'RoleAssignmentExists',
        'The role assignment already exists.',
      );
    throw new ArmError(
      400,
      'RoleAssignmentUpdateNotPermitted',
      'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.',
    );
  }
  const duplicate = [...state.roleAssignments.values()].find(
    a =>
      a.scope.toLowerCase() === resolved.toLowerCase() &&
      a.principalId.toLowerCase() === principalId.toLowerCase() &&
      a.roleDefinitionGuid === role.id,
  );
  if (duplicate) {
    throw new ArmError(
      409,
      'RoleAssignmentExists',
      'The role assignment already exists.',
      {
        details: [
          {
            code: 'RoleAssignmentExists',
            message: `The role assignment already exists with ID '${duplicate.name}'.`,
            target: duplicate.name,
          },
        ],
      },
    );
  }
  const now = new Date(call.context.clock.now()).toISOString();
  const assignment: RoleAssignmentState = {
    name,
    scope: resolved,
    roleDefinitionGuid: role.id,
    principalId: principal.objectId,
    principalType:
      typeof properties.principalType === 'string'
        ? properties.principalType
        : principal.type,
    createdOn: now,
    updatedOn: now,
    createdBy: call.caller.objectId,
    updatedBy: call.caller.objectId,
    description:
      typeof properties.description === 'string'
        ? properties.description
        : null,
  };
  state.roleAssignments.set(name.toLowerCase(), assignment);
  return jsonResponse(201, roleAssignmentBody(assignment));
}

/** `DELETE {scope}/providers/Microsoft.Authorization/roleAssignments/{name}`: 200 with the assignment, or 204. */
export function deleteRoleAssignment(
  call: ArmCall,
  scope: string,
  name: string,
): EmulatorResponse {
  const resolved = checkedScope(
    call,
    scope,
    'Microsoft.Authorization/roleAssignments/delete',
  );
  const assignment = findAssignment(call, resolved, name);
  if (!assignment) return { status: 204 };
  call.context.state.roleAssignments.delete(name.toLowerCase());
  return jsonResponse(200, roleAssignmentBody(assignment));
}
