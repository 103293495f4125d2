import { ArmCaller } from '../arm/armAuthentication';
import { ArmError } from '../errors/ArmError';
import { EmulatorRequest } from '../http/EmulatorHttp';
import { ThrottleCategory, TokenBucketThrottle } from './TokenBucketThrottle';

/**
 * Takes a token for an ARM or Cost Management request: the headers to send with the answer, and the 429 to
 * throw instead when the caller's bucket is empty.
 */
export function throttleFor(
  throttle: TokenBucketThrottle,
  request: EmulatorRequest,
  caller: ArmCaller,
): { headers: Record<string, string>; error?: ArmError } {
  const lower = request.path.toLowerCase();
  const subscription = /^\/subscriptions\/([^/]+)/.exec(lower)?.[1];
  const isCost = lower.includes('/providers/microsoft.costmanagement/');
  const isRead =
    request.method === 'GET' ||
    request.method === 'HEAD' ||
    lower.endsWith('/providers/microsoft.resourcegraph/resources');
  let category: ThrottleCategory = isRead ? 'reads' : 'writes';
  if (isCost) category = 'costManagement';
  const key = `${caller.tenantId}|${caller.objectId}|${
    isCost
      ? lower.split('/providers/microsoft.costmanagement/')[0]
      : subscription ?? 'tenant'
  }`;
  const decision = throttle.take(category, key);
  const level = subscription ? 'subscription' : 'tenant';
  const headers: Record<string, string> = isCost
    ? {
        'x-ms-ratelimit-microsoft.costmanagement-qpu-remaining': `QueryQPU=${decision.remaining}`,
      }
    : {
        [`x-ms-ratelimit-remaining-${level}-${category}`]: String(
          decision.remaining,
        ),
      };
  if (decision.allowed) return { headers };
  const retryHeaders: Record<string, string> = {
    ...headers,
    'retry-after': String(decision.retryAfterSeconds),
  };
  if (isCost) {
    retryHeaders['x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after'] =
      String(decision.retryAfterSeconds);
    return {
      headers,
      error: new ArmError(429, '429', 'Too many requests. Please retry.', {
        headers: retryHeaders,
      }),
    };
  }
  const kind = category === 'reads' ? 'read' : 'write';
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
      }' seconds after the last request.`,
      { headers: retryHeaders },
    ),
  };
}
