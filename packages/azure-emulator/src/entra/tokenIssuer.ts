import { randomUUID } from 'node:crypto';
import { EmulatorContext } from '../EmulatorContext';
import { FixtureUser } from '../model/fixture';
import { ServicePrincipalState } from '../model/EmulatorState';
import { signJwt } from './accessTokens';

/** Access tokens live for one hour, as Entra's do by default. */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

/** The issuer of tokens for a tenant. */
export function issuerFor(context: EmulatorContext, tenantId: string): string {
  return `${context.baseUrl}/${tenantId}/v2.0`;
}

/** The issuer and lifetime claims of a token issued now in a tenant. */
function issuedNow(context: EmulatorContext, tenantId: string) {
  const now = Math.floor(context.clock.now() / 1000);
  return {
    iss: issuerFor(context, tenantId),
    iat: now,
    nbf: now,
    exp: now + ACCESS_TOKEN_LIFETIME_SECONDS,
  };
}

/** An app-only access token for the app's service principal (client credentials). */
export function issueAppToken(
  context: EmulatorContext,
  servicePrincipal: ServicePrincipalState,
  audience: string,
): Promise<string> {
  return signJwt(context.signingKey, {
    aud: audience,
    ...issuedNow(context, servicePrincipal.tenantId),
    aio: randomUUID(),
    appid: servicePrincipal.appId,
    azp: servicePrincipal.appId,
    appidacr: '1',
    idp: issuerFor(context, servicePrincipal.tenantId),
    idtyp: 'app',
    oid: servicePrincipal.objectId,
    sub: servicePrincipal.objectId,
    tid: servicePrincipal.tenantId,
    roles: [],
    uti: randomUUID(),
    ver: '2.0',
  });
}

/** A delegated access token for a user, with `scp`. */
export function issueUserToken(
  context: EmulatorContext,
  options: {
    tenantId: string;
    user: FixtureUser;
    clientId: string;
    audience: string;
    scp: string;
  },
): Promise<string> {
  return signJwt(context.signingKey, {
    aud: options.audience,
    ...issuedNow(context, options.tenantId),
    aio: randomUUID(),
    appid: options.clientId,
    azp: options.clientId,
    appidacr: '1',
    idtyp: 'user',
    name: options.user.displayName ?? options.user.userPrincipalName,
    oid: options.user.oid,
    sub: options.user.oid,
    tid: options.tenantId,
    upn: options.user.userPrincipalName,
    unique_name: options.user.userPrincipalName,
    scp: options.scp,
    uti: randomUUID(),
    ver: '2.0',
  });
}

/** An OpenID Connect ID token for the client. */
export function issueIdToken(
  context: EmulatorContext,
  options: {
    tenantId: string;
    user: FixtureUser;
    clientId: string;
    nonce?: string;
  },
): Promise<string> {
  return signJwt(context.signingKey, {
    aud: options.clientId,
    ...issuedNow(context, options.tenantId),
    name: options.user.displayName ?? options.user.userPrincipalName,
    oid: options.user.oid,
    preferred_username: options.user.userPrincipalName,
    sub: options.user.oid,
    tid: options.tenantId,
    ver: '2.0',
    ...(options.nonce ? { nonce: options.nonce } : {}),
  });
}
