/**
 * A typed client of the Azure tenant plugin's REST API, generated from its OpenAPI file, for other backend
 * plugins (through {@link azureTenantClientServiceRef}) and for scripts (through {@link createAzureTenantClient}).
 *
 * @packageDocumentation
 */

export {
  createAzureTenantClient,
  type AzureTenantClientOptions,
} from './client/createAzureTenantClient';
export {
  createAzureTenantClientForCredentials,
  type AzureTenantClientForCredentialsOptions,
} from './client/createAzureTenantClientForCredentials';
export {
  azureTenantClientServiceRef,
  type AzureTenantClientService,
} from './client/azureTenantClientServiceRef';
export * from './schema/openapi';
