import { getBudget, listBudgets } from '../consumption/budgetRoutes';
import { handleCostManagement } from '../cost/costRoutes';
import { ArmError } from '../errors/ArmError';
import { handlePolicyRequest } from '../policy/policyRoutes';
import { queryResourceGraph } from '../graph/resourceGraphRoutes';
import { EmulatorResponse } from '../http/EmulatorHttp';
import { ArmCall } from './ArmCall';
import { getOperationResult, getOperationStatus } from './asyncOperations';
import { handlePartners } from './managementPartnerRoutes';
import {
  deleteResource,
  getResource,
  getResourceGroup,
  listResourceGroups,
  listResources,
} from './resourceRoutes';
import {
  createRoleAssignment,
  deleteRoleAssignment,
  getRoleAssignment,
  listRoleAssignments,
} from './roleAssignmentRoutes';
import { getRoleDefinition, listRoleDefinitions } from './roleDefinitionRoutes';
import {
  getSubscription,
  listSubscriptions,
  listTenants,
} from './subscriptionRoutes';
import { handleTagsAtScope } from './tagRoutes';

function notFound(call: ArmCall): ArmError {
  return new ArmError(
    404,
    'InvalidResourceType',
    `The resource type could not be found in the namespace for api version '${call.request.url.searchParams.get(
      'api-version',
    )}'. The emulator does not serve '${call.request.method} ${
      call.request.path
    }'.`,
  );
}

function methodNotAllowed(call: ArmCall): ArmError {
  return new ArmError(
    405,
    'MethodNotAllowed',
    `The requested method '${call.request.method}' is not allowed for '${call.request.path}'.`,
  );
}

/** Routes an authenticated ARM request to its handler. */
export function routeArmRequest(call: ArmCall): EmulatorResponse {
  const path = call.request.path.replace(/\/+$/, '') || '/';
  const method = call.request.method;
  const lower = path.toLowerCase();

  // Extension resources: {scope}/providers/{Microsoft.X}/{...}; the last "/providers/" decides.
  const providersAt = lower.lastIndexOf('/providers/');
  if (providersAt >= 0) {
    const scope = path.slice(0, providersAt);
    const rest = path.slice(providersAt + '/providers/'.length);
    const segments = rest.split('/');
    const namespace = segments[0].toLowerCase();
    const tail = segments.slice(1);
    if (
      namespace === 'microsoft.resources' &&
      tail[0]?.toLowerCase() === 'tags' &&
      tail[1]?.toLowerCase() === 'default' &&
      tail.length === 2
    ) {
      return handleTagsAtScope(call, scope);
    }
    const subscriptionScope = /^\/subscriptions\/([^/]+)$/i.exec(scope);
    if (
      subscriptionScope &&
      namespace === 'microsoft.resources' &&
      tail[0]?.toLowerCase() === 'operationstatuses' &&
      tail.length === 2
    ) {
      if (method !== 'GET') throw methodNotAllowed(call);
      return getOperationStatus(call, subscriptionScope[1], tail[1]);
    }
    if (
      namespace === 'microsoft.authorization' &&
      tail[0]?.toLowerCase() === 'roleassignments'
    ) {
      if (tail.length === 1) {
        if (method !== 'GET') throw methodNotAllowed(call);
        return listRoleAssignments(call, scope);
      }
      if (tail.length === 2) {
        if (method === 'GET') return getRoleAssignment(call, scope, tail[1]);
        if (method === 'PUT') return createRoleAssignment(call, scope, tail[1]);
        if (method === 'DELETE')
          return deleteRoleAssignment(call, scope, tail[1]);
        throw methodNotAllowed(call);
      }
    }
    if (
      namespace === 'microsoft.authorization' &&
      tail[0]?.toLowerCase() === 'roledefinitions'
    ) {
      if (method !== 'GET') throw methodNotAllowed(call);
      if (tail.length === 1) return listRoleDefinitions(call, scope);
      if (tail.length === 2) return getRoleDefinition(call, scope, tail[1]);
    }
    if (namespace === 'microsoft.authorization') {
      const policy = handlePolicyRequest(call, scope, tail);
      if (policy) return policy;
    }
    // Budgets are read-only here: the product never writes them, so PUT and DELETE are refused.
    if (
      subscriptionScope &&
      namespace === 'microsoft.consumption' &&
      tail[0]?.toLowerCase() === 'budgets' &&
      tail.length <= 2
    ) {
      if (method !== 'GET') throw methodNotAllowed(call);
      if (tail.length === 1) return listBudgets(call, subscriptionScope[1]);
      return getBudget(call, subscriptionScope[1], tail[1]);
    }
    if (
      namespace === 'microsoft.costmanagement' &&
      tail.length === 1 &&
      ['query', 'forecast'].includes(tail[0].toLowerCase())
    ) {
      return handleCostManagement(
        call,
        scope,
        tail[0].toLowerCase() as 'query' | 'forecast',
      );
    }
    if (
      scope === '' &&
      namespace === 'microsoft.resourcegraph' &&
      tail.length === 1 &&
      tail[0].toLowerCase() === 'resources'
    ) {
      if (method !== 'POST') throw methodNotAllowed(call);
      return queryResourceGraph(call);
    }
    if (
      scope === '' &&
      namespace === 'microsoft.managementpartner' &&
      tail[0]?.toLowerCase() === 'partners' &&
      tail.length <= 2
    ) {
      return handlePartners(call, tail[1]);
    }
    // A resource by id: /subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}
    const resource =
      /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)$/i.exec(scope);
    if (resource && tail.length === 2) {
      const type = `${segments[0]}/${tail[0]}`;
      if (method === 'GET')
        return getResource(call, resource[1], resource[2], type, tail[1]);
      if (method === 'DELETE')
        return deleteResource(call, resource[1], resource[2], type, tail[1]);
      throw methodNotAllowed(call);
    }
    throw notFound(call);
  }

  const segments = path.split('/').filter(Boolean);
  if (
    segments[0]?.toLowerCase() === 'tenants' &&
    segments.length === 1 &&
    method === 'GET'
  ) {
    return listTenants(call);
  }
  if (segments[0]?.toLowerCase() !== 'subscriptions') throw notFound(call);
  if (method !== 'GET') throw methodNotAllowed(call);
  if (segments.length === 1) return listSubscriptions(call);
  const subscriptionId = segments[1];
  if (segments.length === 2) return getSubscription(call, subscriptionId);
  const third = segments[2].toLowerCase();
  if (third === 'operationresults' && segments.length === 4)
    return getOperationResult(call, subscriptionId, segments[3]);
  if (third === 'resources' && segments.length === 3)
    return listResources(call, subscriptionId);
  if (third === 'resourcegroups') {
    if (segments.length === 3) return listResourceGroups(call, subscriptionId);
    if (segments.length === 4)
      return getResourceGroup(call, subscriptionId, segments[3]);
    if (segments.length === 5 && segments[4].toLowerCase() === 'resources') {
      return listResources(call, subscriptionId, segments[3]);
    }
  }
  throw notFound(call);
}
