import { sign, verify } from 'node:crypto';
import { SigningKey } from './signingKey';

/** Claims the emulator puts in tokens; others may be added. */
export interface TokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  tid: string;
  oid: string;
  sub: string;
  [claim: string]: unknown;
}

/** Signs claims as an RS256 JWT. */
export function signJwt(
  key: SigningKey,
  claims: Record<string, unknown>,
): string {
  const header = { typ: 'JWT', alg: 'RS256', kid: key.kid, x5t: key.kid };
  const encoded = `${base64UrlJson(header)}.${base64UrlJson(claims)}`;
  const signature = sign(
    'sha256',
    Buffer.from(encoded),
    key.privateKey,
  ).toString('base64url');
  return `${encoded}.${signature}`;
}

/** Why a token was rejected. */
export type TokenRejection =
  | 'malformed'
  | 'signature'
  | 'expired'
  | 'not-yet-valid';

/** The result of {@link verifyJwt}. */
export type TokenVerification =
  | { valid: true; claims: TokenClaims }
  | { valid: false; reason: TokenRejection; claims?: TokenClaims };

/** Verifies an RS256 JWT signed by the key, and its lifetime against `nowMs`. */
export function verifyJwt(
  key: SigningKey,
  token: string,
  nowMs: number,
): TokenVerification {
  const parts = token.split('.');
  if (parts.length !== 3) return { valid: false, reason: 'malformed' };
  let claims: TokenClaims;
  try {
    const header = JSON.parse(
      Buffer.from(parts[0], 'base64url').toString('utf8'),
    );
    if (header.alg !== 'RS256') return { valid: false, reason: 'malformed' };
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return { valid: false, reason: 'malformed' };
  }
  const ok = verify(
    'sha256',
    Buffer.from(`${parts[0]}.${parts[1]}`),
    key.publicKey,
    Buffer.from(parts[2], 'base64url'),
  );
  if (!ok) return { valid: false, reason: 'signature' };
  const now = Math.floor(nowMs / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= now) {
    return { valid: false, reason: 'expired', claims };
  }
  if (typeof claims.nbf === 'number' && claims.nbf > now + 300) {
    return { valid: false, reason: 'not-yet-valid', claims };
  }
  return { valid: true, claims };
}

/** Reads a JWT's claims without verifying it (for the request log). */
export function peekJwtClaims(token: string): Partial<TokenClaims> | undefined {
  try {
    return JSON.parse(
      Buffer.from(token.split('.')[1], 'base64url').toString('utf8'),
    );
  } catch {
    return undefined;
  }
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
