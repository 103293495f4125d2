import {
  decodeJwt,
  errors as joseErrors,
  JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { SigningKey, SIGNING_ALGORITHM } from './signingKey';

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

/** How far in the future a token's `nbf` may be, for clock skew between Entra ID and ARM. */
const NOT_BEFORE_LEEWAY_SECONDS = 300;

/** Signs claims as an RS256 JWT, with Entra ID's header: `typ`, `alg`, and the key id as `kid` and `x5t`. */
export function signJwt(
  key: SigningKey,
  claims: Record<string, unknown>,
): Promise<string> {
  return new SignJWT(claims as JWTPayload)
    .setProtectedHeader({
      typ: 'JWT',
      alg: SIGNING_ALGORITHM,
      kid: key.kid,
      x5t: key.kid,
    })
    .sign(key.privateKey);
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

/**
 * Verifies an RS256 JWT signed by the key, and its lifetime against `nowMs`: it must have an `exp` after now, and
 * may have an `nbf` up to five minutes ahead.
 */
export async function verifyJwt(
  key: SigningKey,
  token: string,
  nowMs: number,
): Promise<TokenVerification> {
  let claims: TokenClaims;
  try {
    // jose's tolerance applies to `exp` and `nbf` alike; `exp` gets none, below.
    const { payload } = await jwtVerify(token, key.publicKey, {
      algorithms: [SIGNING_ALGORITHM],
      currentDate: new Date(nowMs),
      clockTolerance: NOT_BEFORE_LEEWAY_SECONDS,
      requiredClaims: ['exp'],
    });
    claims = payload as TokenClaims;
  } catch (error) {
    // jose checks the signature before the claims, so a claim error carries claims that are signed by the key.
    if (error instanceof joseErrors.JWTExpired) {
      return { valid: false, reason: 'expired', claims: claimsOf(error) };
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      const reasons: Record<string, TokenRejection> = {
        exp: 'expired',
        nbf: 'not-yet-valid',
      };
      const reason = reasons[error.claim] ?? 'malformed';
      return { valid: false, reason, claims: claimsOf(error) };
    }
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
      return { valid: false, reason: 'signature' };
    }
    return { valid: false, reason: 'malformed' };
  }
  if (claims.exp <= Math.floor(nowMs / 1000)) {
    return { valid: false, reason: 'expired', claims };
  }
  return { valid: true, claims };
}

function claimsOf(error: { payload: JWTPayload }): TokenClaims {
  return error.payload as TokenClaims;
}

/** Reads a JWT's claims without verifying it (for the request log). */
export function peekJwtClaims(token: string): Partial<TokenClaims> | undefined {
  try {
    return decodeJwt(token) as Partial<TokenClaims>;
  } catch {
    return undefined;
  }
}
