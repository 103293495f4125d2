import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { peekJwtClaims, signJwt, verifyJwt } from './accessTokens';
import { loadOrCreateSigningKey, SigningKey } from './signingKey';

const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const NOW = NOW_MS / 1000;

function claims(extra: Record<string, unknown> = {}) {
  return {
    aud: 'https://management.azure.com',
    iss: 'https://emulator/tenant/v2.0',
    iat: NOW,
    nbf: NOW,
    exp: NOW + 3600,
    tid: 'tenant',
    oid: 'object',
    sub: 'object',
    ...extra,
  };
}

describe('access tokens', () => {
  let key: SigningKey;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'emulator-signing-'));
    key = await loadOrCreateSigningKey({ stateDir });
  });
  afterAll(() => fs.rm(stateDir, { recursive: true, force: true }));

  it("signs with Entra ID's header, and verifies what it signed", async () => {
    const token = await signJwt(key, claims());
    expect(decodeProtectedHeader(token)).toEqual({
      typ: 'JWT',
      alg: 'RS256',
      kid: key.kid,
      x5t: key.kid,
    });
    expect(peekJwtClaims(token)).toEqual(claims());
    await expect(verifyJwt(key, token, NOW_MS)).resolves.toEqual({
      valid: true,
      claims: claims(),
    });
  });

  it('keeps the key, and so its kid and JWKS entry, across restarts', async () => {
    const again = await loadOrCreateSigningKey({ stateDir });
    expect(again.kid).toBe(key.kid);
    expect(again.jwk).toEqual(key.jwk);
    expect(key.jwk).toMatchObject({
      kty: 'RSA',
      use: 'sig',
      alg: 'RS256',
      kid: key.kid,
      x5t: key.kid,
    });
    expect(key.jwk).not.toHaveProperty('d');
    const token = await signJwt(key, claims());
    await expect(verifyJwt(again, token, NOW_MS)).resolves.toMatchObject({
      valid: true,
    });
  });

  it.each([
    ['has expired', claims({ exp: NOW }), 'expired'],
    ['has no expiry', claims({ exp: undefined }), 'expired'],
    [
      'is valid from more than five minutes ahead',
      claims({ nbf: NOW + 301 }),
      'not-yet-valid',
    ],
  ])('rejects a token that %s', async (_name, payload, reason) => {
    const token = await signJwt(key, payload);
    await expect(verifyJwt(key, token, NOW_MS)).resolves.toMatchObject({
      valid: false,
      reason,
    });
  });

  it('accepts a token valid from up to five minutes ahead (clock skew)', async () => {
    const token = await signJwt(key, claims({ nbf: NOW + 300 }));
    await expect(verifyJwt(key, token, NOW_MS)).resolves.toMatchObject({
      valid: true,
    });
  });

  it('rejects a token signed by another key, and one that is not a JWT', async () => {
    const other = await loadOrCreateSigningKey();
    const forged = await signJwt(other, claims());
    await expect(verifyJwt(key, forged, NOW_MS)).resolves.toEqual({
      valid: false,
      reason: 'signature',
    });
    const [header, payload] = (await signJwt(key, claims())).split('.');
    const unsigned = `${Buffer.from(
      JSON.stringify({ alg: 'none', typ: 'JWT' }),
    ).toString('base64url')}.${payload}.`;
    for (const token of ['not-a-jwt', unsigned, `${header}.${payload}`]) {
      await expect(verifyJwt(key, token, NOW_MS)).resolves.toEqual({
        valid: false,
        reason: 'malformed',
      });
    }
  });
});
