import { EmulatorResponse, jsonResponse } from '../http/EmulatorHttp';
import { requirePermission } from '../rbac/accessCheck';
import { ArmCall } from './ArmCall';
import { subscriptionBody } from './armResourceShapes';
import { requireSubscription } from './armScopes';

/**
 * `GET /subscriptions`: the subscriptions of the caller's tenant on which the caller has any
 * role assignment (at the subscription or below it), each with its `state`. A `Deleted` subscription is gone
 * ("No operations are available", Learn "Azure subscription states"); a `Disabled`, `Warned` or `PastDue` one is
 * listed with its state. A subscription moved to another tenant is listed only there.
 */
export function listSubscriptions(call: ArmCall): EmulatorResponse {
  const { state } = call.context;
  const value = [...state.subscriptions.values()]
    .filter(
      s =>
        s.state !== 'Deleted' &&
        s.tenantId.toLowerCase() === call.caller.tenantId.toLowerCase(),
    )
    .filter(s => {
      const prefix = `/subscriptions/${s.subscriptionId}`.toLowerCase();
      return [...state.roleAssignments.values()].some(
        a =>
          a.principalId.toLowerCase() === call.caller.objectId.toLowerCase() &&
          (a.scope.toLowerCase() === prefix ||
            a.scope.toLowerCase().startsWith(`${prefix}/`)),
      );
    })
    .map(subscriptionBody);
  return jsonResponse(200, {
    value,
    count: { type: 'Total', value: value.length },
  });
}

/**
 * `GET /subscriptions/{subscriptionId}`, with its `state` and its own `tags` (left out when it has none), in the
 * shape of Subscriptions - Get's example (specification/resources/resource-manager/Microsoft.Resources/stable/
 * 2022-12-01/examples/GetSubscription.json). A read, so it works on a `Disabled` subscription; a
 * `Deleted` one is 404 `SubscriptionNotFound`, and a token from another tenant (say, after the subscription moved)
 * gets 401 `InvalidAuthenticationTokenTenant` (both from `requireSubscription`).
 */
export function getSubscription(
  call: ArmCall,
  subscriptionId: string,
): EmulatorResponse {
  const subscription = requireSubscription(call, subscriptionId);
  const scope = `/subscriptions/${subscription.subscriptionId}`;
  // Anyone with a role anywhere in the subscription can read it, as in Azure.
  const anyRole = [...call.context.state.roleAssignments.values()].some(
    a =>
      a.principalId.toLowerCase() === call.caller.objectId.toLowerCase() &&
      a.scope.toLowerCase().startsWith(scope.toLowerCase()),
  );
  if (!anyRole) {
    requirePermission(
      call.context.state,
      call.caller,
      scope,
      'Microsoft.Resources/subscriptions/read',
    );
  }
  return jsonResponse(200, subscriptionBody(subscription));
}

/** `GET /tenants`: the caller's tenant. */
export function listTenants(call: ArmCall): EmulatorResponse {
  const tenant = call.context.state.tenants.get(
    call.caller.tenantId.toLowerCase(),
  );
  const value = tenant
    ? [
        {
          id: `/tenants/${tenant.id}`,
          tenantId: tenant.id,
          tenantCategory: 'Home',
          displayName: tenant.displayName,
          defaultDomain: `${tenant.displayName
            .toLowerCase()
            .replace(/[^a-z0-9]/g, '')}.onmicrosoft.com`,
          tenantType: 'AAD',
        },
      ]
    : [];
  return jsonResponse(200, { value });
}
