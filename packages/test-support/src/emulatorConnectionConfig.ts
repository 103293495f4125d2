import { AzureEmulator, DEMO_APP } from '@azure-tenant/azure-emulator';

/**
 * The `azureTenant` settings that connect a backend to an emulator, as the demo's app registration: tests add their
 * `tenants`, `sync` and the rest beside them.
 */
export function emulatorConnectionConfig(
  emulator: Pick<AzureEmulator, 'url' | 'authorityHost' | 'caCertFile'>,
) {
  return {
    clientId: DEMO_APP.clientId,
    clientSecret: DEMO_APP.clientSecret,
    authorityHost: emulator.authorityHost,
    armEndpoint: emulator.url,
    caCertFile: emulator.caCertFile,
  };
}
