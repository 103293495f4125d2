import {
  ApiBlueprint,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { AzureTenantClient, azureTenantApiRef } from '../api';

/**
 * Provides the `AzureTenantClient` as the `azureTenantApiRef` implementation.
 *
 * @alpha
 */
export const azureTenantApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: azureTenantApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new AzureTenantClient({ discoveryApi, fetchApi }),
    }),
});
