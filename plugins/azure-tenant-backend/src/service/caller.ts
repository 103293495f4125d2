import type { Request } from 'express';
import {
  AuditorServiceCreateEventOptions,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';

/**
 * Who asks for an operation: a request to the REST API, or an action of Backstage's actions registry (an MCP
 * client, a scaffolder template, another plugin). Both go through the same operations, so that the same
 * permission checks, errors and audit events apply whichever way a caller comes in.
 */
export interface Caller {
  /** The caller's own credentials: every permission is decided for them, never for the plugin. */
  credentials: BackstageCredentials;
  /** The HTTP request, when the caller came through the REST API; the auditor reads the actor and the URL from it. */
  request?: Request<any, any, any, any, any>;
}

/**
 * The caller of a REST request: its user's or service's credentials, and the request for the auditor. Services get
 * past here; an operation that is for users only refuses them itself, as an action's caller would be refused.
 */
export async function requestCaller(
  httpAuth: HttpAuthService,
  request: Request<any, any, any, any, any>,
): Promise<Caller> {
  return {
    credentials: await httpAuth.credentials(request, {
      allow: ['user', 'service'],
    }),
    request,
  };
}

/** The entity ref of a user, or the subject of a service, for audit events that have no request to read it from. */
export function callerRef(credentials: BackstageCredentials): string {
  const { principal } = credentials as BackstageCredentials<any>;
  if (principal?.type === 'user') return principal.userEntityRef;
  if (principal?.type === 'service') return principal.subject;
  return 'none';
}

/**
 * The entity ref of a caller that must be a user (tags are edited and read per user). A service gets the same
 * refusal as from the REST API, whose routes for users only are guarded by `httpAuth` with `allow: ['user']`.
 */
export function requireUser(caller: Caller): string {
  const { principal } = caller.credentials as BackstageCredentials<any>;
  if (principal?.type !== 'user') {
    throw new NotAllowedError(
      `This endpoint does not allow '${principal?.type ?? 'none'}' credentials`,
    );
  }
  return principal.userEntityRef;
}

/**
 * The auditor's options for an event of `caller`. Through the REST API the auditor reads the actor from the
 * request; an action has no request, so the actor and the way in are written into the event's metadata.
 */
export function auditEventOptions(
  caller: Caller,
  options: Omit<AuditorServiceCreateEventOptions, 'request'>,
): AuditorServiceCreateEventOptions {
  if (caller.request) return { ...options, request: caller.request };
  return {
    ...options,
    meta: {
      ...options.meta,
      actor: callerRef(caller.credentials),
      via: 'actions-registry',
    },
  };
}
