import { parseScope } from '../arm/armScopes';
import { ArmError } from '../errors/ArmError';
import { EmulatorState } from '../model/EmulatorState';
import { deterministicGuid } from '../model/seededRandom';
import {
  builtInPolicyDefinitionId,
  findBuiltInPolicyDefinition,
} from './builtInPolicyDefinitions';

/**
 * A policy assignment, as the emulator keeps it. The emulator only serves assignments for reading: it does not
 * evaluate them when resources or tags are written.
 *
 * @public
 */
export interface PolicyAssignmentState {
  name: string;
  /** The scope it is assigned at: `/subscriptions/{s}` or `/subscriptions/{s}/resourceGroups/{rg}`. */
  scope: string;
  /** The built-in definition's id, `/providers/Microsoft.Authorization/policyDefinitions/{guid}`. */
  policyDefinitionId: string;
  displayName: string;
  description?: string;
  /** Parameter values in ARM's shape, e.g. `{ tagName: { value: 'owner' } }`. */
  parameters: Record<string, { value: unknown }>;
  enforcementMode: 'Default' | 'DoNotEnforce';
  notScopes: string[];
  metadata: Record<string, unknown>;
  /** Set when the assignment has a managed identity. */
  location?: string;
  identity?: { type: 'SystemAssigned'; principalId: string; tenantId: string };
}

/**
 * A policy assignment to create, from the fixture or the control API.
 *
 * @public
 */
export interface NewPolicyAssignment {
  /** An absolute scope: a subscription or a resource group in it. */
  scope: string;
  /** Defaults to 24 hex characters derived from scope and definition, like the names the Azure portal gives. */
  name?: string;
  /** A built-in tag definition's GUID or id, e.g. `871b6d14-10aa-478d-b590-94f262ecfa99`. */
  policyDefinitionId: string;
  /** Defaults to the definition's display name. */
  displayName?: string;
  description?: string;
  /** In ARM's shape: `{ tagName: { value: 'owner' } }`. */
  parameters?: Record<string, { value: unknown }>;
  /** `Default` (enforced) or `DoNotEnforce`. Defaults to `Default`. */
  enforcementMode?: 'Default' | 'DoNotEnforce';
  notScopes?: string[];
  metadata?: Record<string, unknown>;
  /** The location of the managed identity that `modify` definitions need. Defaults to `westeurope`. */
  location?: string;
}

/** The map key of an assignment: its id in lower case. */
export function policyAssignmentKey(scope: string, name: string): string {
  return policyAssignmentId(scope, name).toLowerCase();
}

/** `{scope}/providers/Microsoft.Authorization/policyAssignments/{name}`. */
export function policyAssignmentId(scope: string, name: string): string {
  return `${scope}/providers/Microsoft.Authorization/policyAssignments/${name}`;
}

/**
 * Checks a new assignment as Azure Policy checks a PUT of one, and builds it: the definition must exist
 * (404 `PolicyDefinitionNotFound`), every parameter the definition declares without a default must have a value
 * (400 `MissingPolicyParameter`) and no other parameter may be given (400 `UndefinedPolicyParameter`); the codes are
 * those Azure PowerShell's policy scenario tests expect (Azure/azure-powershell
 * `src/Resources/Resources.Test/ScenarioTests/Common.ps1`). A `modify` definition gets a system-assigned identity
 * with a location, as Azure requires for its remediation (Microsoft Learn, "Remediate non-compliant resources with
 * Azure Policy").
 */
export function buildPolicyAssignment(
  state: EmulatorState,
  input: NewPolicyAssignment,
): PolicyAssignmentState {
  const definition =
    typeof input.policyDefinitionId === 'string'
      ? findBuiltInPolicyDefinition(input.policyDefinitionId)
      : undefined;
  if (!definition) {
    throw new ArmError(
      404,
      'PolicyDefinitionNotFound',
      `The policy definition '${String(input.policyDefinitionId)
        .split('/')
        .pop()}' could not be found.`,
    );
  }
  const parsed =
    typeof input.scope === 'string' ? parseScope(input.scope) : undefined;
  if (!parsed || parsed.type) {
    throw new ArmError(
      400,
      'InvalidScope',
      `The scope '${input.scope}' is not valid. The emulator assigns policies at a subscription or a resource group.`,
    );
  }
  const subscription = state.subscription(parsed.subscriptionId);
  if (!subscription) {
    throw new ArmError(
      404,
      'SubscriptionNotFound',
      `The subscription '${parsed.subscriptionId}' could not be found.`,
    );
  }
  let scope = `/subscriptions/${subscription.subscriptionId}`;
  if (parsed.resourceGroup) {
    const group = subscription.resourceGroups.get(
      parsed.resourceGroup.toLowerCase(),
    );
    if (!group) {
      throw new ArmError(
        404,
        'ResourceGroupNotFound',
        `Resource group '${parsed.resourceGroup}' could not be found.`,
      );
    }
    scope = `${scope}/resourceGroups/${group.name}`;
  }
  const definitionId = builtInPolicyDefinitionId(definition.name);
  const name =
    input.name ??
    deterministicGuid('policy-assignment', scope, definitionId)
      .replace(/-/g, '')
      .slice(0, 24);
  if (typeof name !== 'string' || !/^[^<>*%&:\\?.+/]{1,64}$/.test(name)) {
    throw new ArmError(
      400,
      'InvalidPolicyAssignmentName',
      `The policy assignment name '${name}' is invalid: 1 to 64 characters, none of '<>*%&:\\?.+/'.`,
    );
  }
  const parameters = { ...(input.parameters ?? {}) };
  for (const [parameterName, value] of Object.entries(parameters)) {
    const declared = Object.keys(definition.parameters).some(
      p => p.toLowerCase() === parameterName.toLowerCase(),
    );
    if (!declared) {
      throw new ArmError(
        400,
        'UndefinedPolicyParameter',
        `The policy assignment '${name}' has the parameter '${parameterName}' which is not defined in the policy definition '${definition.name}'.`,
      );
    }
    if (!value || typeof value !== 'object' || !('value' in value)) {
      throw new ArmError(
        400,
        'InvalidRequestContent',
        `The parameter '${parameterName}' must be given as { "value": ... }.`,
      );
    }
  }
  const missing = Object.keys(definition.parameters).filter(
    p =>
      !Object.keys(parameters).some(q => q.toLowerCase() === p.toLowerCase()),
  );
  if (missing.length) {
    throw new ArmError(
      400,
      'MissingPolicyParameter',
      `The policy assignment '${name}' is missing the parameter(s) '${missing.join(
        "', '",
      )}' as defined in the policy definition '${definition.name}'.`,
    );
  }
  const enforcementMode = input.enforcementMode ?? 'Default';
  if (enforcementMode !== 'Default' && enforcementMode !== 'DoNotEnforce') {
    throw new ArmError(
      400,
      'InvalidRequestContent',
      `The enforcement mode '${enforcementMode}' is invalid: 'Default' or 'DoNotEnforce'.`,
    );
  }
  const id = policyAssignmentId(scope, name);
  const needsIdentity = definition.policyRule.then.effect === 'modify';
  return {
    name,
    scope,
    policyDefinitionId: definitionId,
    displayName: input.displayName ?? definition.displayName,
    description: input.description,
    parameters,
    enforcementMode,
    notScopes: [...(input.notScopes ?? [])],
    metadata: { ...(input.metadata ?? {}) },
    ...(needsIdentity
      ? {
          location: input.location ?? 'westeurope',
          identity: {
            type: 'SystemAssigned' as const,
            principalId: deterministicGuid('policy-assignment-identity', id),
            tenantId: subscription.tenantId,
          },
        }
      : {}),
  };
}

/**
 * A policy assignment as `Microsoft.Authorization` 2022-06-01 returns it
 * (`specification/resources/resource-manager/Microsoft.Authorization/stable/2022-06-01/examples/getPolicyAssignment.json`
 * and `listPolicyAssignments.json`): `location` and `identity` only when it has a managed identity, `description`
 * only when it has one.
 */
export function policyAssignmentBody(
  assignment: PolicyAssignmentState,
): Record<string, unknown> {
  return {
    id: policyAssignmentId(assignment.scope, assignment.name),
    type: 'Microsoft.Authorization/policyAssignments',
    name: assignment.name,
    ...(assignment.location ? { location: assignment.location } : {}),
    ...(assignment.identity ? { identity: { ...assignment.identity } } : {}),
    properties: {
      displayName: assignment.displayName,
      ...(assignment.description !== undefined
        ? { description: assignment.description }
        : {}),
      metadata: { ...assignment.metadata },
      policyDefinitionId: assignment.policyDefinitionId,
      parameters: structuredClone(assignment.parameters),
      scope: assignment.scope,
      notScopes: [...assignment.notScopes],
      enforcementMode: assignment.enforcementMode,
    },
  };
}
