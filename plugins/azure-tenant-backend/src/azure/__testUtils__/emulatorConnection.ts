import { ConfigReader } from '@backstage/config';
import { AzureEmulator, DEMO_APP } from '@azure-tenant/azure-emulator';
import { JsonObject } from '@backstage/types';
import { readAzureTenantConfig } from '../../config/AzureTenantConfig';
import { AzureConnection, AzureConnectionOptions } from '../azureConnection';
import { emulatorConnectionConfig } from '@azure-tenant/test-support';

/**
 * The portal's connection to the emulator, as the demo app registration with its client secret, trusting the
 * emulator's CA. `onboarding` adds to the onboarding settings (the redirect URI is the demo app's).
 */
export function emulatorConnection(
  emulator: AzureEmulator,
  options: AzureConnectionOptions & { onboarding?: JsonObject } = {},
): AzureConnection {
  const { onboarding, ...connectionOptions } = options;
  const config = new ConfigReader({
    app: { baseUrl: 'http://localhost:3000' },
    backend: { baseUrl: 'http://localhost:7007' },
    azureTenant: {
      ...emulatorConnectionConfig(emulator),
      onboarding: { redirectUri: DEMO_APP.redirectUris[0], ...onboarding },
    },
  });
  return new AzureConnection(readAzureTenantConfig(config)!, connectionOptions);
}
