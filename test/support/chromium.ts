import crypto from 'node:crypto';
import fs from 'node:fs';
import { Browser, chromium } from 'playwright-core';

/** Debian's Chromium, which `.ci/run` and the test command install with apt-get. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches headless Chromium with the flags that keep it off the network. */
export async function launchChromium(
  options: { extraArgs?: string[] } = {},
): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}. Install Debian's chromium package (apt-get install chromium), or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...(options.extraArgs ?? []),
    ],
  });
}

/**
 * The Chromium flag that trusts exactly one server certificate, by the SHA-256 of its public key: the emulator's
 * self-issued localhost certificate. Certificate checks stay on for everything else.
 */
export function trustCertificateArg(certificatePem: string): string {
  const publicKey = new crypto.X509Certificate(certificatePem).publicKey.export(
    {
      type: 'spki',
      format: 'der',
    },
  );
  const hash = crypto.createHash('sha256').update(publicKey).digest('base64');
  return `--ignore-certificate-errors-spki-list=${hash}`;
}
