import { createPlugin } from '@backstage/core-plugin-api';

/**
 * The Azure tenant frontend plugin for the legacy frontend system.
 *
 * Its Spend and Tags entity tabs and its Azure tenants page are added by the spend, tags and onboarding issues.
 *
 * @public
 */
export const azureTenantPlugin = createPlugin({
  id: 'azure-tenant',
});
