import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import type { AzureTenantClient } from '../schema/openapi/generated/apis/AzureTenantClient';
import {
  AzureTenantClientOptions,
  createAzureTenantClient,
} from './createAzureTenantClient';

/** The plugin id under which discovery finds the API, and for which tokens are issued. */
const AZURE_TENANT_PLUGIN_ID = 'azure-tenant';

/**
 * Options of {@link createAzureTenantClientForCredentials}.
 *
 * @public
 */
export interface AzureTenantClientForCredentialsOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  /**
   * Whom every call acts for: a token is issued on their behalf before each call. A function is asked before each
   * call, e.g. `() => auth.getOwnServiceCredentials()` for a plugin that calls on its own account.
   */
  credentials: BackstageCredentials | (() => Promise<BackstageCredentials>);
  /** The fetch to call with each `Request`. Defaults to the global fetch. */
  fetch?: AzureTenantClientOptions['fetch'];
}

/**
 * A client of the Azure tenant plugin's API for backend code: the plugin is found through discovery, and every call
 * carries a token issued on behalf of the given credentials, so the plugin applies its permission rules to them.
 * {@link azureTenantClientServiceRef} gives these clients to backend plugins.
 *
 * @public
 */
export function createAzureTenantClientForCredentials(
  options: AzureTenantClientForCredentialsOptions,
): AzureTenantClient {
  const { discovery, auth, credentials } = options;
  return createAzureTenantClient({
    baseUrl: () => discovery.getBaseUrl(AZURE_TENANT_PLUGIN_ID),
    token: async () => {
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf:
          typeof credentials === 'function' ? await credentials() : credentials,
        targetPluginId: AZURE_TENANT_PLUGIN_ID,
      });
      return token;
    },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
