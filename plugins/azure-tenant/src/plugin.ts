import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { AzureTenantClient, azureTenantApiRef } from './api';
import { rootRouteRef } from './routes';

/**
 * The Azure tenant frontend plugin for the legacy frontend system.
 *
 * @public
 */
export const azureTenantPlugin = createPlugin({
  id: 'azure-tenant',
  apis: [
    createApiFactory({
      api: azureTenantApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new AzureTenantClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
  },
});

/**
 * The Azure tenants admin page: connect tenants, see the result of each onboarding, and manage the sync mode and
 * syncs of each subscription.
 *
 * Mount it at `/azure-tenants`, where the backend sends users back after they consent at Microsoft:
 * `<Route path="/azure-tenants" element={<AzureTenantsPage />} />`.
 *
 * @public
 */
export const AzureTenantsPage = azureTenantPlugin.provide(
  createRoutableExtension({
    name: 'AzureTenantsPage',
    component: () =>
      import('./components/AzureTenantsPage').then(m => m.AzureTenantsPage),
    mountPoint: rootRouteRef,
  }),
);
