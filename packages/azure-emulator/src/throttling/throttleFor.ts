import { ArmCaller } from '../arm/armAuthentication';
import { costQueryQpu } from '../cost/costQueryQpu';
import { ArmError } from '../errors/ArmError';
import { EmulatorRequest } from '../http/EmulatorHttp';
import { ThrottleCategory, TokenBucketThrottle } from './TokenBucketThrottle';

/**
 * Takes a token for an ARM or Cost Management request: the headers to send with the answer, and the 429 to
 * throw instead when the caller's bucket (ARM) or the tenant's QPU quotas (Cost Management) are exhausted.
 */
export function throttleFor(
  throttle: TokenBucketThrottle,
  request: EmulatorRequest,
  caller: ArmCaller,
): { headers: Record<string, string>; error?: ArmError } {
  const lower = request.path.toLowerCase();
  if (lower.includes('/providers/microsoft.costmanagement/')) {
    return throttleCostManagement(throttle, request, caller);
  }
  const arm = throttleArm(throttle, request, caller, lower);
  if (
    arm.error ||
    !lower.endsWith('/providers/microsoft.resourcegraph/resources')
  )
    return arm;
  return throttleResourceGraph(throttle, caller, arm.headers);
}

/**
 * Resource Graph's quota per user, on top of ARM's limits: its two headers on every answer, and when the user's
 * quota is spent a 429 in the shape Resource Graph sends (`RateLimiting`, as quoted in
 * https://github.com/Azure/azure-cli-extensions/issues/3325), with `Retry-After` until the window resets.
 */
function throttleResourceGraph(
  throttle: TokenBucketThrottle,
  caller: ArmCaller,
  armHeaders: Record<string, string>,
): { headers: Record<string, string>; error?: ArmError } {
  const decision = throttle.takeResourceGraph(
    `${caller.tenantId}|${caller.objectId}`,
  );
  const headers = { ...armHeaders, ...decision.headers };
  if (decision.allowed) return { headers };
  return {
    headers,
    error: new ArmError(
      429,
      'RateLimiting',
      'Please provide below info when asking for support: timestamp, correlationId.',
      {
        headers,
        details: [
          {
            code: 'RateLimiting',
            message:
              'Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed. Please see https://aka.ms/resourcegraph-throttling for help.',
          },
        ],
      },
    ),
  };
}

/** ARM's token buckets per principal and subscription (or tenant), by reads, writes and deletes. */
function throttleArm(
  throttle: TokenBucketThrottle,
  request: EmulatorRequest,
  caller: ArmCaller,
  lower: string,
): { headers: Record<string, string>; error?: ArmError } {
  const subscription = /^\/subscriptions\/([^/]+)/.exec(lower)?.[1];
  const isRead =
    request.method === 'GET' ||
    request.method === 'HEAD' ||
    lower.endsWith('/providers/microsoft.resourcegraph/resources');
  let category: ThrottleCategory = isRead ? 'reads' : 'writes';
  if (request.method === 'DELETE') category = 'deletes';
  const key = `${caller.tenantId}|${caller.objectId}|${
    subscription ?? 'tenant'
  }`;
  const decision = throttle.take(category, key);
  const level = subscription ? 'subscription' : 'tenant';
  const headers: Record<string, string> = {
    [`x-ms-ratelimit-remaining-${level}-${category}`]: String(
      decision.remaining,
    ),
  };
  if (decision.allowed) return { headers };
  const retryHeaders: Record<string, string> = {
    ...headers,
    'retry-after': String(decision.retryAfterSeconds),
  };
  const kind = { reads: 'read', writes: 'write', deletes: 'delete' }[category];
  return {
    headers,
    error: new ArmError(
      429,
      subscription
        ? 'SubscriptionRequestsThrottled'
        : 'TenantRequestsThrottled',
      `Number of '${kind}' requests for ${
        subscription
          ? `subscription '${subscription}'`
          : `tenant '${caller.tenantId}'`
      } actor '${caller.objectId}' exceeded. Please try again after '${
        decision.retryAfterSeconds
      }' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling for additional information.`,
      { headers: retryHeaders },
    ),
  };
}

/** Cost Management's 429: its body is `{"error":{"code":"429","message":"Too many requests. Please retry."}}`, without ARM's `details`. */
class CostManagementThrottledError extends ArmError {
  constructor(options: { headers: Record<string, string> }) {
    super(429, '429', 'Too many requests. Please retry.', options);
  }

  toBody(): ReturnType<ArmError['toBody']> {
    return {
      error: { code: this.code, message: this.message },
    } as ReturnType<ArmError['toBody']>;
  }
}

/**
 * Cost Management's own throttling, as Azure sends it: every answer names the QPU it consumed and what is left of
 * the tenant's quotas (`x-ms-ratelimit-microsoft.costmanagement-qpu-consumed`, `…-qpu-remaining` as
 * `QueriesPerHour:597,QueriesPerMin:57,QueriesPer10Sec:9`); a throttled query gets 429 with the body
 * `{"error":{"code":"429","message":"Too many requests. Please retry."}}` and the wait in seconds only in
 * `x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after`, with no standard `Retry-After`
 * (https://learn.microsoft.com/azure/cost-management-billing/costs/manage-automation#query-api-query-processing-units).
 */
function throttleCostManagement(
  throttle: TokenBucketThrottle,
  request: EmulatorRequest,
  caller: ArmCaller,
): { headers: Record<string, string>; error?: ArmError } {
  const decision = throttle.takeCostManagement(
    caller.tenantId,
    costQueryQpu(request),
  );
  const headers: Record<string, string> = {
    'x-ms-ratelimit-microsoft.costmanagement-qpu-consumed': String(
      decision.consumed,
    ),
    'x-ms-ratelimit-microsoft.costmanagement-qpu-remaining': decision.remaining,
  };
  if (decision.allowed) return { headers };
  return {
    headers,
    error: new CostManagementThrottledError({
      headers: {
        ...headers,
        'x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after': String(
          decision.retryAfterSeconds,
        ),
      },
    }),
  };
}
