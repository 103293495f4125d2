/**
 * The Azure tenant frontend plugin for Backstage (legacy frontend system). For the new frontend system, import
 * `@azure-tenant/plugin-azure-tenant/alpha`.
 *
 * @packageDocumentation
 */

export {
  azureTenantPlugin,
  AzureTenantsPage,
  EntityAzureSpendCard,
  EntityAzureSpendContent,
} from './plugin';
export type { SpendCardProps } from './components/SpendCard';
export {
  isAzureResourceEntity,
  isAzureSubscriptionEntity,
} from './spendTarget';
export { rootRouteRef } from './routes';
export {
  AzureTenantClient,
  azureTenantApiRef,
  type AzureTenantApi,
  type SubscriptionSyncRequest,
} from './api';
