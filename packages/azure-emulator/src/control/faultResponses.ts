import { ServerResponse } from 'node:http';
import { EmulatorRequest } from '../http/EmulatorHttp';
import { Fault } from './faults';

/**
 * Answers a request with an injected fault, when the fault decides the answer: a reset connection, a malformed body,
 * or an error status in ARM's shape. Returns false for a fault that only delays the request.
 */
export function applyFault(
  fault: Fault,
  request: EmulatorRequest,
  res: ServerResponse,
): boolean {
  if (fault.reset) {
    res.socket?.destroy();
    return true;
  }
  if (fault.malformed) {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'x-ms-request-id': request.requestId,
    });
    res.end('{"value":[{"id":"/subscriptions/');
    return true;
  }
  if (fault.status !== undefined) {
    const status = fault.status;
    const code =
      fault.code ??
      (
        {
          400: 'BadRequest',
          401: 'AuthenticationFailed',
          403: 'AuthorizationFailed',
          404: 'NotFound',
          409: 'Conflict',
          429: 'TooManyRequests',
          500: 'InternalServerError',
          502: 'BadGateway',
          503: 'ServiceUnavailable',
          504: 'GatewayTimeout',
        } as Record<number, string>
      )[status] ??
      'InjectedFault';
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-ms-request-id': request.requestId,
    };
    if (status === 429 || status === 503)
      headers['retry-after'] = String(fault.retryAfterSeconds ?? 1);
    res.writeHead(status, headers);
    res.end(
      JSON.stringify({
        error: {
          code,
          message: `Injected fault ${fault.id}: ${status} ${code}.`,
          details: [],
        },
      }),
    );
    return true;
  }
  return false;
}
