import crypto from 'node:crypto';

/** How long a user has to come back from Entra ID. */
export const ONBOARDING_STATE_TTL_MS = 10 * 60_000;

/** A new OAuth `state`: 256 random bits, sent only to the user's browser and Entra ID. */
export function newOnboardingState(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** What the database keeps of a state: its SHA-256, so that a leaked database cannot complete a sign-in. */
export function hashOnboardingState(state: string): string {
  return crypto.createHash('sha256').update(state).digest('hex');
}

/**
 * The PKCE verifier of a state, derived from it with a secret key rather than stored: any replica of the backend
 * can recompute it at the callback, and nothing in the database can.
 */
export function pkceVerifierFor(state: string, secret: string): string {
  return crypto
    .createHmac('sha256', secret)
    .update(`pkce:${state}`)
    .digest('base64url');
}

/** The S256 code challenge of a PKCE verifier. */
export function pkceChallengeFor(verifier: string): string {
  return crypto.createHash('sha256').update(verifier).digest('base64url');
}
