import { createRouteRef } from '@backstage/core-plugin-api';

/**
 * The route of the Azure tenants admin page.
 *
 * @public
 */
export const rootRouteRef = createRouteRef({
  id: 'azure-tenant',
});
