import { ArmError } from '../errors/ArmError';
import { EmulatorResponse, jsonResponse } from '../http/EmulatorHttp';
import { requirePermission } from '../rbac/accessCheck';
import {
  BUILT_IN_ROLES,
  RoleDefinition,
  findBuiltInRole,
} from '../rbac/builtInRoles';
import { ArmCall } from './ArmCall';
import { parseScope, requireSubscription, scopeAsWritten } from './armScopes';

/** A role definition as `Microsoft.Authorization` 2022-04-01 returns it. */
export function roleDefinitionBody(
  role: RoleDefinition,
  scopePrefix: string,
): Record<string, unknown> {
  return {
    id: `${scopePrefix}/providers/Microsoft.Authorization/roleDefinitions/${role.id}`,
    type: 'Microsoft.Authorization/roleDefinitions',
    name: role.id,
    properties: {
      roleName: role.roleName,
      type: 'BuiltInRole',
      description: role.description,
      assignableScopes: ['/'],
      permissions: [
        {
          actions: role.actions,
          notActions: role.notActions,
          dataActions: [],
          notDataActions: [],
        },
      ],
      createdOn: '2015-02-02T21:55:09.8806423Z',
      updatedOn: '2024-01-01T00:00:00.0000000Z',
      createdBy: null,
      updatedBy: null,
    },
  };
}

function checkScope(call: ArmCall, scope: string): string {
  const written = scope ? scopeAsWritten(scope) : '';
  if (!written) return '';
  const parsed = parseScope(written);
  if (!parsed)
    throw new ArmError(
      400,
      'InvalidScope',
      `The scope '${written}' is not valid.`,
    );
  const subscription = requireSubscription(call, parsed.subscriptionId);
  requirePermission(
    call.context.state,
    call.caller,
    written,
    'Microsoft.Authorization/roleDefinitions/read',
  );
  return `/subscriptions/${subscription.subscriptionId}`;
}

/** `GET {scope}/providers/Microsoft.Authorization/roleDefinitions[?$filter=roleName eq '…']`. */
export function listRoleDefinitions(
  call: ArmCall,
  scope: string,
): EmulatorResponse {
  const prefix = checkScope(call, scope);
  const filter = call.request.url.searchParams.get('$filter');
  let roles = [...BUILT_IN_ROLES];
  if (filter) {
    const byName = /^roleName\s+eq\s+'([^']*)'$/i.exec(filter.trim());
    const byType = /^type\s+eq\s+'([^']*)'$/i.exec(filter.trim());
    if (byName)
      roles = roles.filter(
        r => r.roleName.toLowerCase() === byName[1].toLowerCase(),
      );
    else if (byType)
      roles = byType[1].toLowerCase() === 'builtinrole' ? roles : [];
    else
      throw new ArmError(
        400,
        'InvalidFilterInQueryString',
        `Invalid $filter '${filter}' specified in the query string.`,
      );
  }
  return jsonResponse(200, {
    value: roles.map(r => roleDefinitionBody(r, prefix)),
  });
}

/** `GET {scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}`. */
export function getRoleDefinition(
  call: ArmCall,
  scope: string,
  id: string,
): EmulatorResponse {
  const prefix = checkScope(call, scope);
  const role = findBuiltInRole(id);
  if (!role || role.id !== id.toLowerCase()) {
    throw new ArmError(
      404,
      'RoleDefinitionDoesNotExist',
      `The specified role definition with ID '${id}' does not exist.`,
    );
  }
  return jsonResponse(200, roleDefinitionBody(role, prefix));
}
