import {
  createExternalRouteRef,
  createRouteRef,
} from '@backstage/core-plugin-api';

/**
 * The route of the Azure tenants admin page.
 *
 * @public
 */
export const rootRouteRef = createRouteRef({
  id: 'azure-tenant',
});

/**
 * The catalog's entity page, which the Spend card links to (its Spend tab). Optional: in an app that does not bind
 * it, the card shows no link. The new frontend system binds it to the catalog's entity page by default; in the legacy
 * frontend system, bind it in `bindRoutes` to `catalogPlugin.routes.catalogEntity`.
 *
 * @public
 */
export const catalogEntityRouteRef = createExternalRouteRef({
  id: 'azure-tenant:catalog-entity',
  params: ['namespace', 'kind', 'name'],
  optional: true,
  defaultTarget: 'catalog.catalogEntity',
});
