import { ServerResponse } from 'node:http';
import { isArmError } from '../errors/ArmError';
import { isEntraError } from '../errors/EntraError';
import {
  EmulatorRequest,
  EmulatorResponse,
  jsonResponse,
} from './EmulatorHttp';

/** The response of a handler, or the error it threw as Azure would answer it. Token signing makes handlers async. */
export async function safely(
  produce: () => EmulatorResponse | Promise<EmulatorResponse>,
): Promise<EmulatorResponse> {
  try {
    return await produce();
  } catch (error) {
    if (isArmError(error)) {
      return jsonResponse(error.status, error.toBody(), error.headers);
    }
    if (isEntraError(error)) {
      return jsonResponse(error.status, error.toBody(), {
        'cache-control': 'no-store, no-cache',
      });
    }
    return jsonResponse(500, {
      error: {
        code: 'InternalServerError',
        message: (error as Error)?.message ?? String(error),
        details: [],
      },
    });
  }
}

/**
 * The `Date` header (RFC 9110 IMF-fixdate, e.g. `Sat, 05 Dec 2026 10:00:00 GMT`) for the emulator's clock, which tests
 * move: a client that takes its cursor from Azure's `Date` (as a change feed reader does) then follows the emulator's
 * time, not the machine's.
 */
export function httpDate(nowMs: number): string {
  return new Date(nowMs).toUTCString();
}

/**
 * Writes a response with the request ids that ARM and Entra ID put on every answer, and the `Date` of the emulator's
 * clock.
 */
export function send(
  res: ServerResponse,
  request: EmulatorRequest,
  response: EmulatorResponse,
  nowMs: number,
): void {
  const clientRequestId = request.headers['x-ms-client-request-id'];
  const headers: Record<string, string> = {
    date: httpDate(nowMs),
    'x-ms-request-id': request.requestId,
    'x-ms-correlation-request-id': request.requestId,
    ...(typeof clientRequestId === 'string'
      ? { 'x-ms-client-request-id': clientRequestId }
      : {}),
    ...(response.headers ?? {}),
  };
  res.writeHead(response.status, headers);
  res.end(response.body);
}
