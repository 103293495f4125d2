import { createFrontendPlugin } from '@backstage/frontend-plugin-api';

/**
 * The Azure tenant frontend plugin for the new frontend system.
 *
 * Its extensions (entity content and the Azure tenants page) are added by the spend, tags and onboarding issues.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'azure-tenant',
  extensions: [],
});
