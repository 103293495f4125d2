import { createHash, createPublicKey, KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair, importPKCS8 } from 'jose';

/** The algorithm of every token the emulator signs, as Entra ID's. */
export const SIGNING_ALGORITHM = 'RS256';

/** The RSA key that signs every token, with its key id and JWK. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as a JWK, as published in the JWKS. */
  jwk: Record<string, unknown>;
}

/** Options for {@link loadOrCreateSigningKey}. */
export interface SigningKeyOptions {
  /** When set, the key is kept in `signing-key.pem` here, so tokens stay valid across restarts. */
  stateDir?: string;
}

async function readPrivateKey(file: string): Promise<KeyObject | undefined> {
  try {
    // Refuses anything but a PKCS#8 RSA key, which is then replaced.
    return (await importPKCS8(
      await fs.readFile(file, 'utf8'),
      SIGNING_ALGORITHM,
      { extractable: true },
    )) as KeyObject;
  } catch {
    return undefined;
  }
}

/** Loads the token signing key from the state directory, or creates one. */
export async function loadOrCreateSigningKey(
  options: SigningKeyOptions = {},
): Promise<SigningKey> {
  const file = options.stateDir
    ? path.join(options.stateDir, 'signing-key.pem')
    : undefined;
  let privateKey = file ? await readPrivateKey(file) : undefined;
  if (!privateKey) {
    privateKey = (
      await generateKeyPair(SIGNING_ALGORITHM, {
        modulusLength: 2048,
        extractable: true,
      })
    ).privateKey as KeyObject;
    if (file) {
      const temporary = `${file}.${process.pid}.tmp`;
      await fs.writeFile(temporary, await exportPKCS8(privateKey), {
        mode: 0o600,
      });
      await fs.rename(temporary, file);
    }
  }
  const publicKey = createPublicKey(privateKey);
  const { n, e } = await exportJWK(publicKey);
  // The key id is a hash of the modulus, so that it stays the same for the same key across restarts.
  const kid = createHash('sha1').update(n!).digest('base64url');
  return {
    kid,
    privateKey,
    publicKey,
    jwk: {
      kty: 'RSA',
      use: 'sig',
      alg: SIGNING_ALGORITHM,
      kid,
      x5t: kid,
      n,
      e,
    },
  };
}
