import {
  createHttpHeaders,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';
import { AzureConnection, ARM_DELEGATED_SCOPE } from './azureConnection';
import { clientAuthenticationParameters } from './clientAuthentication';
import { readAccessTokenClaims } from './jwtClaims';

/** An Entra ID error from the token endpoint or the authorize redirect, with its AADSTS code when there is one. */
export class EntraAuthorizationError extends Error {
  readonly code: string;
  readonly cause?: unknown;

  constructor(code: string, message: string, cause?: unknown) {
    super(message);
    this.name = 'EntraAuthorizationError';
    this.code = code;
    this.cause = cause;
  }
}

/** Whether an error is an {@link EntraAuthorizationError}. */
export function isEntraAuthorizationError(
  error: unknown,
): error is EntraAuthorizationError {
  return error instanceof Error && error.name === 'EntraAuthorizationError';
}

/** Statuses of the token endpoint that are retried: throttling and server errors, which redeem nothing. */
const RETRIED_STATUSES = new Set([429, 500, 502, 503, 504]);
/** Retries of a code redemption after a throttled, failed or unanswered try; the code lives 10 minutes. */
const REDEEM_RETRIES = 3;
const REDEEM_RETRY_DELAY_MS = 500;

const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

function retryAfter(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A request that got no answer: the connection failed, was reset, or timed out. */
function isNetworkError(error: unknown): boolean {
  const { name, code, statusCode } = (error ?? {}) as {
    name?: string;
    code?: string;
    statusCode?: number;
  };
  return (
    name === 'RestError' &&
    statusCode === undefined &&
    (code === 'ETIMEDOUT' ||
      code === 'ECONNRESET' ||
      code === 'ECONNREFUSED' ||
      code === 'REQUEST_SEND_ERROR' ||
      code === 'EPIPE')
  );
}

/** The consenting user's delegated token for Resource Manager. Kept in memory for one onboarding job only. */
export interface DelegatedArmToken {
  accessToken: string;
  expiresOnTimestamp: number;
  tenantId: string;
  userObjectId: string;
}

/**
 * The Entra ID authorize URL: admin consent for the portal's app and, in the same redirect, a code for the
 * consenting user's delegated ARM token. No `offline_access`, so Entra ID issues no refresh token and the
 * impersonation ends with the access token, within an hour.
 */
export function buildAuthorizeUrl(
  connection: AzureConnection,
  options: { state: string; codeChallenge: string },
): string {
  const { config } = connection;
  const url = new URL(
    `${config.authorityHost}/${encodeURIComponent(
      config.onboarding.tenant,
    )}/oauth2/v2.0/authorize`,
  );
  url.search = new URLSearchParams({
    client_id: config.clientId,
    response_type: 'code',
    redirect_uri: config.onboarding.redirectUri,
    response_mode: 'query',
    scope: ARM_DELEGATED_SCOPE,
    state: options.state,
    code_challenge: options.codeChallenge,
    code_challenge_method: 'S256',
    // Ask for consent even when the app is known in the tenant, so an admin can consent for the organization.
    prompt: 'consent',
  }).toString();
  return url.toString();
}

/** Redeems an authorization code (with its PKCE verifier) for the consenting user's delegated ARM token. */
export async function redeemAuthorizationCode(
  connection: AzureConnection,
  options: { code: string; codeVerifier: string },
): Promise<DelegatedArmToken> {
  const { config } = connection;
  const tokenEndpoint = `${config.authorityHost}/${encodeURIComponent(
    config.onboarding.tenant,
  )}/oauth2/v2.0/token`;
  const form = new URLSearchParams({
    client_id: config.clientId,
    grant_type: 'authorization_code',
    code: options.code,
    redirect_uri: config.onboarding.redirectUri,
    code_verifier: options.codeVerifier,
    scope: ARM_DELEGATED_SCOPE,
    ...clientAuthenticationParameters(
      config.credential,
      config.clientId,
      tokenEndpoint,
    ),
  });

  let body: any;
  let status = 0;
  for (let attempt = 0; ; attempt++) {
    const request = createPipelineRequest({
      url: tokenEndpoint,
      method: 'POST',
      headers: createHttpHeaders({
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      }),
      body: form.toString(),
      timeout: 30_000,
    });
    // createPipelineRequest does not take TLS settings; the HTTP client reads them from the request.
    request.tlsSettings = connection.tlsSettings;
    let retryAfterMs: number | undefined;
    try {
      const response = await connection.httpClient.sendRequest(request);
      status = response.status;
      if (RETRIED_STATUSES.has(status) && attempt < REDEEM_RETRIES) {
        retryAfterMs = retryAfter(response.headers.get('retry-after'));
      } else {
        body = JSON.parse(response.bodyAsText ?? '{}');
      }
    } catch (error) {
      // No answer (reset, timeout): Entra ID did not see the code, or redeemed it and a retry says so (AADSTS54005).
      if (isNetworkError(error) && attempt < REDEEM_RETRIES) {
        retryAfterMs = undefined;
      } else {
        throw new EntraAuthorizationError(
          'token_request_failed',
          `Could not redeem the sign-in at Microsoft Entra ID: ${
            (error as Error).message
          }`,
          error,
        );
      }
    }
    if (body !== undefined) break;
    await sleep(
      Math.min(retryAfterMs ?? REDEEM_RETRY_DELAY_MS * 2 ** attempt, 10_000),
    );
  }
  if (status !== 200 || typeof body?.access_token !== 'string') {
    // Entra's description starts with the AADSTS code; it carries no secret. A gateway in front of it may answer
    // in another shape, such as ARM's `{ error: { code, message } }`.
    const code = typeof body?.error === 'string' ? body.error : undefined;
    let description: string | undefined;
    if (typeof body?.error_description === 'string') {
      description = body.error_description;
    } else if (typeof body?.error?.message === 'string') {
      description = body.error.message;
    }
    throw new EntraAuthorizationError(
      code ?? `http_${status}`,
      `Microsoft Entra ID refused the sign-in: ${
        description ?? code ?? `status ${status}`
      }`,
    );
  }

  const claims = readAccessTokenClaims(body.access_token);
  if (!claims.tid || !claims.oid) {
    throw new EntraAuthorizationError(
      'invalid_token',
      'The delegated token names no tenant or user',
    );
  }
  const expiresIn = Number(body.expires_in ?? 3600);
  return {
    accessToken: body.access_token,
    // Never longer than an hour, whatever the token says: the impersonation is short by design.
    expiresOnTimestamp: Date.now() + Math.min(expiresIn, 3600) * 1000,
    tenantId: claims.tid,
    userObjectId: claims.oid,
  };
}
