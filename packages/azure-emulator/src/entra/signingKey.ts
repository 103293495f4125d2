import {
  KeyObject,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
} from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

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

/** Loads the token signing key from the state directory, or creates one. */
export async function loadOrCreateSigningKey(
  options: SigningKeyOptions = {},
): Promise<SigningKey> {
  const file = options.stateDir
    ? path.join(options.stateDir, 'signing-key.pem')
    : undefined;
  let privateKey: KeyObject | undefined;
  if (file) {
    try {
      privateKey = createPrivateKey(await fs.readFile(file, 'utf8'));
    } catch {
      privateKey = undefined;
    }
  }
  if (!privateKey || privateKey.asymmetricKeyType !== 'rsa') {
    privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    if (file) {
      const temporary = `${file}.${process.pid}.tmp`;
      await fs.writeFile(
        temporary,
        privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
        {
          mode: 0o600,
        },
      );
      await fs.rename(temporary, file);
    }
  }
  const publicKey = createPublicKey(privateKey);
  const exported = publicKey.export({ format: 'jwk' }) as {
    n: string;
    e: string;
  };
  const kid = createHash('sha1').update(exported.n).digest('base64url');
  return {
    kid,
    privateKey,
    publicKey,
    jwk: {
      kty: 'RSA',
      use: 'sig',
      alg: 'RS256',
      kid,
      x5t: kid,
      n: exported.n,
      e: exported.e,
    },
  };
}
