import crypto from 'node:crypto';
import { AppCredentialConfig } from '../config/AzureTenantConfig';

const CERTIFICATE_BLOCK =
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const PRIVATE_KEY_BLOCK =
  /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/;

/**
 * The form parameters that authenticate the portal's app registration at Entra ID's token endpoint: its client
 * secret, or a client assertion (a JWT signed with its certificate's private key).
 */
export function clientAuthenticationParameters(
  credential: AppCredentialConfig,
  clientId: string,
  tokenEndpoint: string,
  now = new Date(),
): Record<string, string> {
  if (credential.kind === 'secret') {
    return { client_secret: credential.clientSecret };
  }
  return {
    client_assertion_type:
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: signClientAssertion(
      credential.certificate,
      clientId,
      tokenEndpoint,
      now,
    ),
  };
}

function signClientAssertion(
  pem: string,
  clientId: string,
  audience: string,
  now: Date,
): string {
  const certificateBlock = CERTIFICATE_BLOCK.exec(pem)?.[0];
  const keyBlock = PRIVATE_KEY_BLOCK.exec(pem)?.[0];
  if (!certificateBlock || !keyBlock) {
    throw new Error(
      'azureTenant.clientCertificate must hold a PEM certificate and its private key',
    );
  }
  const certificate = new crypto.X509Certificate(certificateBlock);
  const seconds = Math.floor(now.getTime() / 1000);
  const header = {
    alg: 'RS256',
    typ: 'JWT',
    // The SHA-1 thumbprint tells Entra ID which of the app's certificates signed the assertion.
    x5t: crypto.createHash('sha1').update(certificate.raw).digest('base64url'),
  };
  const payload = {
    aud: audience,
    iss: clientId,
    sub: clientId,
    jti: crypto.randomUUID(),
    nbf: seconds,
    iat: seconds,
    exp: seconds + 600,
  };
  const encode = (value: object) =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(payload)}`;
  const signature = crypto
    .sign(
      'RSA-SHA256',
      Buffer.from(signingInput),
      crypto.createPrivateKey(keyBlock),
    )
    .toString('base64url');
  return `${signingInput}.${signature}`;
}
