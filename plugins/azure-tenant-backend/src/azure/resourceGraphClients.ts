import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { AzureTenantMetrics } from '../metrics/azureTenantMetrics';
import { resourceGraphQuotaPolicy } from '../savings/resourceGraphQuotaPolicy';
import { recordRemainingReadsWait } from './armClientPolicies';
import { AzureConnection } from './azureConnection';

/**
 * Resource Graph clients with the portal's app credential, one per tenant, so that each client's quota policy paces
 * every query of that principal (Resource Graph's quota is per principal). Returns the client for a tenant, made on
 * first use.
 */
export function resourceGraphClientsByTenant(options: {
  connection: AzureConnection;
  metrics?: AzureTenantMetrics;
}): (tenantId: string) => ResourceGraphClient {
  const { connection, metrics } = options;
  const clients = new Map<string, ResourceGraphClient>();
  return tenantId => {
    const key = tenantId.toLowerCase();
    let client = clients.get(key);
    if (!client) {
      client = new ResourceGraphClient(
        connection.appCredential(tenantId),
        connection.armClientOptions({
          tenantId,
          metrics,
          // The 429 counter comes first: it sees the wait the quota policy gives a 429 without one.
          policies: [
            {
              policy: resourceGraphQuotaPolicy({
                onWait: recordRemainingReadsWait(metrics, tenantId),
              }),
              position: 'perRetry',
            },
          ],
        }),
      );
      clients.set(key, client);
    }
    return client;
  };
}
