import { IncomingHttpHeaders } from 'node:http';
import { ArmError } from '../errors/ArmError';

/** A parsed incoming request, as the emulator's handlers see it. */
export interface EmulatorRequest {
  method: string;
  url: URL;
  /** The decoded path, without query string. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The client's address. */
  remoteAddress: string;
  /** The value of `x-ms-request-id` sent back. */
  requestId: string;
}

/** What a handler returns. */
export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A JSON response. */
export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}

/** An HTML page. */
export function htmlResponse(status: number, html: string): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: html,
  };
}

/** A redirect. */
export function redirectResponse(location: string): EmulatorResponse {
  return { status: 302, headers: { location } };
}

/** Parses the request body as JSON, or fails the way ARM does. */
export function readJsonBody<T = any>(request: EmulatorRequest): T {
  const text = request.body.toString('utf8');
  if (!text.trim()) {
    throw new ArmError(
      400,
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized: the body is empty.',
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new ArmError(
      400,
      'InvalidRequestContent',
      `The request content was invalid and could not be deserialized: '${
        (error as Error).message
      }'.`,
      { cause: error },
    );
  }
}

/** Parses an `application/x-www-form-urlencoded` body. */
export function readFormBody(request: EmulatorRequest): URLSearchParams {
  return new URLSearchParams(request.body.toString('utf8'));
}

/** Escapes text for HTML. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
