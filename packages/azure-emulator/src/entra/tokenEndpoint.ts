import { randomBytes } from 'node:crypto';
import { EmulatorContext } from '../EmulatorContext';
import { EntraError } from '../errors/EntraError';
import {
  EmulatorRequest,
  EmulatorResponse,
  jsonResponse,
  readFormBody,
} from '../http/EmulatorHttp';
import { FixtureApp } from '../model/fixture';
import { verifyPkce } from './authorizationCodes';
import { TenantSelector } from './tenantAliases';
import {
  ACCESS_TOKEN_LIFETIME_SECONDS,
  issueAppToken,
  issueIdToken,
  issueUserToken,
} from './tokenIssuer';

const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/** `POST /{tenant}/oauth2/v2.0/token`: client credentials and authorization code (with PKCE). */
export async function handleTokenRequest(
  context: EmulatorContext,
  request: EmulatorRequest,
  selector: TenantSelector,
): Promise<EmulatorResponse> {
  const form = readFormBody(request);
  const grantType = form.get('grant_type');
  const { clientId, clientSecret } = clientCredentialsOf(request, form);
  if (!clientId) {
    throw new EntraError(
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'client_id'.",
    );
  }
  if (grantType === 'client_credentials') {
    return clientCredentialsGrant(
      context,
      form,
      selector,
      clientId,
      clientSecret,
    );
  }
  if (grantType === 'authorization_code') {
    return authorizationCodeGrant(
      context,
      form,
      selector,
      clientId,
      clientSecret,
    );
  }
  if (!grantType) {
    throw new EntraError(
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'grant_type'.",
    );
  }
  throw new EntraError(
    'unsupported_grant_type',
    70003,
    `The app requested an unsupported grant type '${grantType}'.`,
  );
}

function clientCredentialsOf(request: EmulatorRequest, form: URLSearchParams) {
  const authorization = request.headers.authorization;
  if (authorization?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString(
      'utf8',
    );
    const colon = decoded.indexOf(':');
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon)),
      clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
    };
  }
  return {
    clientId: form.get('client_id') ?? undefined,
    clientSecret: form.get('client_secret') ?? undefined,
  };
}

function authenticateApp(
  context: EmulatorContext,
  clientId: string,
  clientSecret: string | undefined,
  tenantName: string,
): FixtureApp {
  const app = context.state.apps.get(clientId.toLowerCase());
  if (!app) {
    throw new EntraError(
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenantName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  if (!clientSecret) {
    throw new EntraError(
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      { status: 401 },
    );
  }
  if (clientSecret !== app.clientSecret) {
    throw new EntraError(
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      { status: 401 },
    );
  }
  return app;
}

async function clientCredentialsGrant(
  context: EmulatorContext,
  form: URLSearchParams,
  selector: TenantSelector,
  clientId: string,
  clientSecret: string | undefined,
): Promise<EmulatorResponse> {
  if (selector.kind !== 'tenant') {
    throw new EntraError(
      'invalid_request',
      90133,
      `No such tenant: the client credentials flow needs a tenant id, not '/${selector.alias}'.`,
    );
  }
  const tenant = selector.tenant;
  authenticateApp(context, clientId, clientSecret, tenant.displayName);
  const scope = (form.get('scope') ?? '').trim();
  const resourceScope = scope.split(/\s+/).find(s => !OIDC_SCOPES.has(s)) ?? '';
  if (!resourceScope.endsWith('/.default')) {
    throw new EntraError(
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  // No service principal (never consented, or the enterprise app was deleted): AADSTS7000229. A disabled one
  // (sign-in turned off on the enterprise app): AADSTS7000112. Learn, "Microsoft Entra authentication and
  // authorization error codes": https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
  const servicePrincipal = context.state.servicePrincipal(tenant.id, clientId);
  if (!servicePrincipal) {
    throw new EntraError(
      'invalid_client',
      7000229,
      `The client application ${clientId} is missing service principal in the tenant ${tenant.id}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`,
      { status: 401 },
    );
  }
  if (!servicePrincipal.accountEnabled) {
    throw new EntraError(
      'unauthorized_client',
      7000112,
      `Application '${servicePrincipal.appId}'(${servicePrincipal.displayName}) is disabled.`,
    );
  }
  const audience = resourceScope.slice(0, -'/.default'.length);
  return tokenResponse({
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
    ext_expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
    access_token: await issueAppToken(context, servicePrincipal, audience),
  });
}

async function authorizationCodeGrant(
  context: EmulatorContext,
  form: URLSearchParams,
  selector: TenantSelector,
  clientId: string,
  clientSecret: string | undefined,
): Promise<EmulatorResponse> {
  const tenantName =
    selector.kind === 'tenant' ? selector.tenant.displayName : selector.alias;
  authenticateApp(context, clientId, clientSecret, tenantName);
  const code = form.get('code');
  if (!code) {
    throw new EntraError(
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'code'.",
    );
  }
  const redemption = context.authorizationCodes.redeem(
    code,
    context.clock.now(),
  );
  if (!redemption.ok) {
    if (redemption.reason === 'redeemed') {
      throw new EntraError(
        'invalid_grant',
        54005,
        'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
      );
    }
    if (redemption.reason === 'expired') {
      throw new EntraError(
        'invalid_grant',
        70008,
        'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
      );
    }
    throw new EntraError(
      'invalid_grant',
      9002313,
      'Invalid request. Request is malformed or invalid: the authorization code is unknown.',
    );
  }
  const grant = redemption.grant;
  if (grant.clientId.toLowerCase() !== clientId.toLowerCase()) {
    throw new EntraError(
      'invalid_grant',
      70000,
      'The provided authorization code was issued to a different client.',
    );
  }
  if (
    selector.kind === 'tenant' &&
    selector.tenant.id.toLowerCase() !== grant.tenantId.toLowerCase()
  ) {
    throw new EntraError(
      'invalid_grant',
      70000,
      'The provided authorization code was issued for a different tenant.',
    );
  }
  const redirectUri = form.get('redirect_uri');
  if (redirectUri !== grant.redirectUri) {
    throw new EntraError(
      'invalid_grant',
      50011,
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URI used in the authorization request.`,
    );
  }
  if (grant.codeChallenge) {
    const verifier = form.get('code_verifier');
    if (!verifier) {
      throw new EntraError(
        'invalid_grant',
        50148,
        'The code_verifier must be provided when a code_challenge was supplied in the authorization request for PKCE.',
      );
    }
    if (!verifyPkce(verifier, grant.codeChallenge, grant.codeChallengeMethod)) {
      throw new EntraError(
        'invalid_grant',
        50148,
        'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.',
      );
    }
  }
  const user = context.state.usersByOid.get(grant.userOid.toLowerCase());
  if (!user) {
    throw new EntraError(
      'invalid_grant',
      50034,
      'The user account does not exist in the directory.',
    );
  }
  const requested = (form.get('scope') ?? grant.scopes.join(' '))
    .split(/\s+/)
    .filter(Boolean);
  const resourceScopes = requested.filter(s => !OIDC_SCOPES.has(s));
  const first =
    resourceScopes[0] ?? 'https://management.azure.com/user_impersonation';
  const slash = first.lastIndexOf('/');
  const audience = slash > 0 ? first.slice(0, slash) : first;
  const permissions = resourceScopes
    .filter(s => s.startsWith(`${audience}/`))
    .map(s => s.slice(audience.length + 1))
    .map(s => (s === '.default' ? 'user_impersonation' : s));
  const body: Record<string, unknown> = {
    token_type: 'Bearer',
    scope: resourceScopes.join(' '),
    expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
    ext_expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
    access_token: await issueUserToken(context, {
      tenantId: grant.tenantId,
      user: user.user,
      clientId,
      audience,
      scp: [...new Set(permissions)].join(' '),
    }),
    client_info: Buffer.from(
      JSON.stringify({ uid: user.user.oid, utid: grant.tenantId }),
    ).toString('base64url'),
  };
  // As Entra ID: a refresh token only when `offline_access` was asked for, at the authorize or the token endpoint
  // (https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#redeem-a-code-for-an-access-token:
  // "Only provided if offline_access scope was requested"). It is opaque, as Entra ID's are; the emulator redeems
  // none (the refresh_token grant is unsupported), it only shows whether a client asked for one.
  if (
    requested.includes('offline_access') ||
    grant.scopes.includes('offline_access')
  ) {
    body.refresh_token = randomBytes(48).toString('base64url');
  }
  if (requested.includes('openid') || grant.scopes.includes('openid')) {
    body.id_token = await issueIdToken(context, {
      tenantId: grant.tenantId,
      user: user.user,
      clientId,
      nonce: grant.nonce,
    });
  }
  return tokenResponse(body);
}

function tokenResponse(body: Record<string, unknown>): EmulatorResponse {
  return jsonResponse(200, body, {
    'cache-control': 'no-store, no-cache',
    pragma: 'no-cache',
  });
}
