export { azureTenantApiRef } from './AzureTenantApi';
export type { AzureTenantApi, SubscriptionSyncRequest } from './AzureTenantApi';
export { AzureTenantClient } from './AzureTenantClient';
