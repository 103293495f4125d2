import { createHash, randomBytes } from 'node:crypto';

/** What an authorization code stands for. */
export interface AuthorizationCodeGrant {
  clientId: string;
  redirectUri: string;
  tenantId: string;
  userOid: string;
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: string;
  nonce?: string;
  expiresAt: number;
}

/** The outcome of redeeming a code. */
export type CodeRedemption =
  | { ok: true; grant: AuthorizationCodeGrant }
  | { ok: false; reason: 'unknown' | 'redeemed' | 'expired' };

/** One-time authorization codes, each valid for 10 minutes (as in Entra ID). */
export class AuthorizationCodeStore {
  static readonly LIFETIME_MS = 10 * 60 * 1000;
  private readonly codes = new Map<
    string,
    { grant: AuthorizationCodeGrant; redeemed: boolean }
  >();

  issue(
    grant: Omit<AuthorizationCodeGrant, 'expiresAt'>,
    nowMs: number,
  ): string {
    const code = `1.emu.${randomBytes(32).toString('base64url')}`;
    this.codes.set(code, {
      grant: {
        ...grant,
        expiresAt: nowMs + AuthorizationCodeStore.LIFETIME_MS,
      },
      redeemed: false,
    });
    return code;
  }

  redeem(code: string, nowMs: number): CodeRedemption {
    const entry = this.codes.get(code);
    if (!entry) return { ok: false, reason: 'unknown' };
    if (entry.redeemed) return { ok: false, reason: 'redeemed' };
    entry.redeemed = true;
    if (entry.grant.expiresAt <= nowMs) return { ok: false, reason: 'expired' };
    return { ok: true, grant: entry.grant };
  }

  clear(): void {
    this.codes.clear();
  }
}

/** Checks a PKCE code verifier against the challenge (`S256` or `plain`). */
export function verifyPkce(
  verifier: string,
  challenge: string,
  method = 'plain',
): boolean {
  if (method === 'S256') {
    return (
      createHash('sha256').update(verifier).digest('base64url') === challenge
    );
  }
  return verifier === challenge;
}
