import crypto from 'node:crypto';
import { NodeAuthOptions } from '@azure/msal-node';
import { AppCredentialConfig } from '../config/AzureTenantConfig';

const CERTIFICATE_BLOCKS =
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PRIVATE_KEY_BLOCK =
  /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

/** How the portal's app registration proves itself to msal-node: its client secret, or its certificate. */
export type MsalClientCredential = Pick<
  NodeAuthOptions,
  'clientSecret' | 'clientCertificate'
>;

/**
 * The credential options of a msal-node `ConfidentialClientApplication` for the portal's app registration. With a
 * certificate, msal signs the client assertion itself; this only reads the PEM (certificate and private key, as
 * `@azure/identity`'s ClientCertificateCredential takes it) into the parts msal asks for.
 */
export function msalClientCredential(
  credential: AppCredentialConfig,
): MsalClientCredential {
  if (credential.kind === 'secret') {
    return { clientSecret: credential.clientSecret };
  }
  const pem = credential.certificate;
  const certificates = pem.match(CERTIFICATE_BLOCKS) ?? [];
  const [leafBlock] = certificates;
  const keyBlock = PRIVATE_KEY_BLOCK.exec(pem)?.[0];
  if (!leafBlock || !keyBlock) {
    throw new Error(
      'azureTenant.clientCertificate must hold a PEM certificate and its private key',
    );
  }
  const leaf = new crypto.X509Certificate(leafBlock);
  return {
    clientCertificate: {
      // The SHA-256 thumbprint (hex) tells Entra ID which of the app's certificates signed the assertion (x5t#S256).
      thumbprintSha256: crypto
        .createHash('sha256')
        .update(leaf.raw)
        .digest('hex')
        .toUpperCase(),
      // msal-node signs with a PKCS#8 key ("BEGIN PRIVATE KEY"); config may hold a PKCS#1 ("BEGIN RSA") one.
      privateKey: crypto
        .createPrivateKey(keyBlock)
        .export({ format: 'pem', type: 'pkcs8' })
        .toString(),
      // The chain, so that subject name and issuer authentication works for apps registered that way.
      x5c: certificates.join('\n'),
    },
  };
}
