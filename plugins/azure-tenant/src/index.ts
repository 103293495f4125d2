/**
 * The Azure tenant frontend plugin for Backstage (legacy frontend system). For the new frontend system, import
 * `@azure-tenant/plugin-azure-tenant/alpha`.
 *
 * @packageDocumentation
 */

export { azureTenantPlugin, AzureTenantsPage } from './plugin';
export { rootRouteRef } from './routes';
export {
  AzureTenantClient,
  azureTenantApiRef,
  type AzureTenantApi,
  type SubscriptionSyncRequest,
} from './api';
