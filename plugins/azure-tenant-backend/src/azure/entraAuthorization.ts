import {
  AuthenticationResult,
  ConfidentialClientApplication,
  LogLevel,
} from '@azure/msal-node';
import { AzureConnection, ARM_DELEGATED_SCOPE } from './azureConnection';
import { msalClientCredential } from './clientAuthentication';
import { EntraAuthorizationError } from './entraAuthorizationError';
import { EntraNetworkClient } from './entraNetworkClient';
import { readAccessTokenClaims } from './jwtClaims';

/** The consenting user's delegated token for Resource Manager. Kept in memory for one onboarding job only. */
export interface DelegatedArmToken {
  accessToken: string;
  expiresOnTimestamp: number;
  tenantId: string;
  userObjectId: string;
}

/** The delegated token is used for an hour at most, whatever lifetime Entra ID gives it. */
const MAX_DELEGATED_TOKEN_LIFETIME_MS = 3600_000;

/**
 * The Entra ID authorize URL: admin consent for the portal's app and, in the same redirect, a code for the
 * consenting user's delegated ARM token. No `offline_access`, so Entra ID issues no refresh token and the
 * impersonation ends with the access token, within an hour.
 *
 * The portal builds this URL itself rather than with msal's `getAuthCodeUrl`, which always adds
 * `openid profile offline_access` to the scopes.
 *
 * `response_mode=form_post`: Entra ID POSTs the code and the state (or the error) to the redirect URI as a form, so
 * they are never in a URL, where an access log, the browser's history or a `Referer` would keep them.
 */
export function buildAuthorizeUrl(
  connection: AzureConnection,
  options: {
    state: string;
    codeChallenge: string;
    /** A tenant to sign in to (*Reconnect*); defaults to `azureTenant.onboarding.tenant`. */
    tenantId?: string;
  },
): string {
  const { config } = connection;
  const url = new URL(
    `${config.authorityHost}/${encodeURIComponent(
      options.tenantId ?? config.onboarding.tenant,
    )}/oauth2/v2.0/authorize`,
  );
  url.search = new URLSearchParams({
    client_id: config.clientId,
    response_type: 'code',
    redirect_uri: config.onboarding.redirectUri,
    response_mode: 'form_post',
    scope: ARM_DELEGATED_SCOPE,
    state: options.state,
    code_challenge: options.codeChallenge,
    code_challenge_method: 'S256',
    // Ask for consent even when the app is known in the tenant, so an admin can consent for the organization.
    prompt: 'consent',
  }).toString();
  return url.toString();
}

/** A msal-node client for one redemption: it is never shared, so its in-memory token cache holds one user's tokens. */
function confidentialClient(
  connection: AzureConnection,
  networkClient: EntraNetworkClient,
): ConfidentialClientApplication {
  const { config } = connection;
  return new ConfidentialClientApplication({
    auth: {
      clientId: config.clientId,
      authority: `${config.authorityHost}/${encodeURIComponent(
        config.onboarding.tenant,
      )}`,
      ...msalClientCredential(config.credential),
      // The configured host is the authority msal trusts. Without this, msal asks the public cloud's instance
      // discovery (login.microsoftonline.com) about any other host, such as a sovereign cloud or the emulator. msal
      // still reads the tenant's `v2.0/.well-known/openid-configuration` from that host, through `networkClient`.
      knownAuthorities: [new URL(config.authorityHost).host],
    },
    // No cache plugin: msal's cache stays in this process's memory, and is cleared after the redemption.
    system: {
      networkClient,
      // msal's log lines are not wanted: with PII logging off they hold no token, but nothing of them helps either.
      loggerOptions: {
        loggerCallback: () => {},
        piiLoggingEnabled: false,
        logLevel: LogLevel.Error,
      },
    },
  });
}

/**
 * Redeems an authorization code (with its PKCE verifier) for the consenting user's delegated ARM token, with
 * msal-node's confidential client, which authenticates the app with its secret or a certificate-signed assertion.
 *
 * Scopes: msal-node 7 (`AuthorizationCodeClient` of msal-common 16) always adds its default OIDC scopes, so it asks
 * for `https://management.azure.com/user_impersonation openid profile offline_access`; msal-node offers no option to
 * leave them out. The network client takes `offline_access` out of the request (see {@link EntraNetworkClient}), and
 * {@link buildAuthorizeUrl} never asks for it, so Entra ID issues no refresh token: the answer holds an access token
 * and an ID token. msal keeps them only in the in-memory cache of a client made for this redemption (no cache plugin),
 * and that cache is cleared before this function returns: the access token lives on only in the returned object,
 * which the onboarding job drops when it ends.
 */
export async function redeemAuthorizationCode(
  connection: AzureConnection,
  options: { code: string; codeVerifier: string },
): Promise<DelegatedArmToken> {
  const networkClient = new EntraNetworkClient(connection);
  const client = confidentialClient(connection, networkClient);
  let result: AuthenticationResult;
  try {
    result = await client.acquireTokenByCode({
      code: options.code,
      codeVerifier: options.codeVerifier,
      redirectUri: connection.config.onboarding.redirectUri,
      scopes: [ARM_DELEGATED_SCOPE],
    });
  } catch (error) {
    // msal reports a failure of the network client as a bare `network_error`; the client kept the real reason.
    throw (
      networkClient.failure ??
      new EntraAuthorizationError(
        (error as { errorCode?: string })?.errorCode || 'token_request_failed',
        `Could not redeem the sign-in at Microsoft Entra ID: ${
          (error as Error)?.message ?? String(error)
        }`,
        error,
      )
    );
  } finally {
    client.clearCache();
  }

  const claims = readAccessTokenClaims(result.accessToken);
  if (!claims.tid || !claims.oid) {
    throw new EntraAuthorizationError(
      'invalid_token',
      'The delegated token names no tenant or user',
    );
  }
  const expiresOn =
    result.expiresOn?.getTime() ?? Date.now() + MAX_DELEGATED_TOKEN_LIFETIME_MS;
  return {
    accessToken: result.accessToken,
    // Never longer than an hour, whatever the token says: the impersonation is short by design.
    expiresOnTimestamp: Math.min(
      expiresOn,
      Date.now() + MAX_DELEGATED_TOKEN_LIFETIME_MS,
    ),
    tenantId: claims.tid,
    userObjectId: claims.oid,
  };
}
