import type { AzureEmulator } from './startAzureEmulator';

/**
 * Options for an ARM SDK client (`@azure/arm-*`) that talks to the emulator: its endpoint, and
 * TLS settings that trust the emulator's CA explicitly (verification stays on).
 *
 * @public
 */
export function emulatorClientOptions(
  emulator: Pick<AzureEmulator, 'url' | 'caCert'>,
): {
  endpoint: string;
  tlsOptions: { ca: string };
} {
  return { endpoint: emulator.url, tlsOptions: { ca: emulator.caCert } };
}

/**
 * Options for an `@azure/identity` credential that gets its tokens from the emulator's Entra ID:
 * the authority host, no instance discovery (which would go to the internet), and the CA.
 *
 * @public
 */
export function emulatorCredentialOptions(
  emulator: Pick<AzureEmulator, 'authorityHost' | 'caCert'>,
): {
  authorityHost: string;
  disableInstanceDiscovery: true;
  tlsOptions: { ca: string };
} {
  return {
    authorityHost: emulator.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: emulator.caCert },
  };
}
