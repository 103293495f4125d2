import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import azureTenantPlugin from '@azure-tenant/plugin-azure-tenant/alpha';
import { navModule } from './modules/navModule';
import { signInModule } from './modules/signInModule';

/**
 * The demo portal on Backstage's new frontend system. The catalog, org, user settings, notifications, signals and
 * Azure tenant plugins are discovered from this package's dependencies (`app.packages: all` in app-config.yaml).
 */
export default createApp({
  features: [signInModule, navModule],
  // The Spend card links to an entity's Spend tab through the catalog's entity page. The plugin binds it there by
  // default; it is bound here as well, so that an app that copies this one sees where the link comes from.
  bindRoutes({ bind }) {
    bind(azureTenantPlugin.externalRoutes, {
      catalogEntity: catalogPlugin.routes.catalogEntity,
    });
  },
});
