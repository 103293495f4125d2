import { ArmCaller } from '../arm/armAuthentication';
import { ArmError } from '../errors/ArmError';
import { EmulatorState } from '../model/EmulatorState';
import { findBuiltInRole, roleAllows } from './builtInRoles';

/** Whether any role assigned to the caller at (or above) the scope allows the action. */
export function hasPermission(
  state: EmulatorState,
  caller: ArmCaller,
  scope: string,
  action: string,
): boolean {
  return state
    .assignmentsApplyingAt(scope, caller.objectId)
    .some(assignment => {
      const role = findBuiltInRole(assignment.roleDefinitionGuid);
      return !!role && roleAllows(role, action);
    });
}

/** Throws ARM's 403 `AuthorizationFailed` unless the caller may perform the action at the scope. */
export function requirePermission(
  state: EmulatorState,
  caller: ArmCaller,
  scope: string,
  action: string,
): void {
  if (hasPermission(state, caller, scope, action)) return;
  throw new ArmError(
    403,
    'AuthorizationFailed',
    `The client '${
      caller.userPrincipalName ?? caller.objectId
    }' with object id '${
      caller.objectId
    }' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}
