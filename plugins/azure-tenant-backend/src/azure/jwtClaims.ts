import { decodeJwt } from 'jose';

/** The claims of an Entra ID access token that the portal reads. */
export interface AccessTokenClaims {
  /** The tenant. */
  tid?: string;
  /** The object id of the user (delegated token) or service principal (app-only token). */
  oid?: string;
  /** Expiry, in seconds since the epoch. */
  exp?: number;
  [claim: string]: unknown;
}

/**
 * Reads the claims of an access token. It does not verify the signature: the portal reads only tokens that it has
 * just received from Entra ID itself over verified TLS, and Azure verifies them when they are used.
 */
export function readAccessTokenClaims(token: string): AccessTokenClaims {
  try {
    return decodeJwt(token) as AccessTokenClaims;
  } catch (error) {
    // jose's message names the part that failed; the token itself stays out of it.
    throw new Error(
      `The access token is not a readable JWT: ${(error as Error).message}`,
    );
  }
}
