import { X509Certificate, createPrivateKey } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { generate } from 'selfsigned';

/** The emulator's certificate authority and its localhost server certificate, as PEM. */
export interface EmulatorCertificates {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  /** Absolute path of the published CA certificate, for clients to trust explicitly. */
  caCertFile: string;
}

/** Options for {@link loadOrCreateEmulatorCertificates}. */
export interface EmulatorCertificatesOptions {
  /** Where the certificates are kept and reused from. */
  stateDir: string;
  /** Renew when a certificate expires within this many days. Defaults to 7. */
  renewWithinDays?: number;
}

const BUNDLE_FILE = 'tls-bundle.json';
const CA_FILE = 'ca.pem';

/**
 * Loads the CA and server certificate from the state directory when they are present and valid,
 * and creates (and saves) new ones otherwise. The CA is also written to `ca.pem`.
 */
export async function loadOrCreateEmulatorCertificates(
  options: EmulatorCertificatesOptions,
): Promise<EmulatorCertificates> {
  const { stateDir, renewWithinDays = 7 } = options;
  await fs.mkdir(stateDir, { recursive: true });
  const caCertFile = path.resolve(stateDir, CA_FILE);
  const bundleFile = path.join(stateDir, BUNDLE_FILE);

  let pems = await readBundle(bundleFile);
  if (!pems || !isUsable(pems, renewWithinDays)) {
    pems = await createCertificates();
    await writeAtomically(bundleFile, JSON.stringify(pems, null, 2), 0o600);
  }
  let published: string | undefined;
  try {
    published = await fs.readFile(caCertFile, 'utf8');
  } catch {
    published = undefined;
  }
  if (published !== pems.caCert) {
    await writeAtomically(caCertFile, pems.caCert, 0o644);
  }
  return { ...pems, caCertFile };
}

type CertificatePems = Omit<EmulatorCertificates, 'caCertFile'>;

async function readBundle(file: string): Promise<CertificatePems | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8'));
    if (
      parsed &&
      typeof parsed.caCert === 'string' &&
      typeof parsed.serverKey === 'string'
    ) {
      return parsed;
    }
  } catch {
    // Missing or unreadable: create new certificates.
  }
  return undefined;
}

function isUsable(pems: CertificatePems, renewWithinDays: number): boolean {
  try {
    const ca = new X509Certificate(pems.caCert);
    const server = new X509Certificate(pems.serverCert);
    const renewBefore = Date.now() + renewWithinDays * 86_400_000;
    return (
      ca.ca &&
      new Date(ca.validTo).getTime() > renewBefore &&
      new Date(server.validTo).getTime() > renewBefore &&
      server.checkIssued(ca) &&
      server.verify(ca.publicKey) &&
      server.checkHost('localhost') !== undefined &&
      server.checkIP('127.0.0.1') !== undefined &&
      server.checkPrivateKey(createPrivateKey(pems.serverKey)) &&
      ca.checkPrivateKey(createPrivateKey(pems.caKey))
    );
  } catch {
    return false;
  }
}

async function createCertificates(): Promise<CertificatePems> {
  const now = new Date(Date.now() - 60_000);
  const ca = await generate(
    [
      { name: 'commonName', value: 'Azure Tenant Emulator Local CA' },
      {
        name: 'organizationName',
        value: 'Azure Tenant for Backstage (emulator)',
      },
    ],
    {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: now,
      notAfterDate: new Date(now.getTime() + 3650 * 86_400_000),
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        {
          name: 'keyUsage',
          keyCertSign: true,
          cRLSign: true,
          digitalSignature: true,
          critical: true,
        },
      ],
    },
  );
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + 397 * 86_400_000),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      {
        name: 'keyUsage',
        digitalSignature: true,
        keyEncipherment: true,
        critical: true,
      },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return {
    caCert: ca.cert,
    caKey: ca.private,
    serverCert: server.cert,
    serverKey: server.private,
  };
}

async function writeAtomically(
  file: string,
  content: string,
  mode: number,
): Promise<void> {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(temporary, content, { mode });
  await fs.rename(temporary, file);
}
