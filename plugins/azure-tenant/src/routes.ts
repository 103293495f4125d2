import {
  createExternalRouteRef,
  createRouteRef,
  ExternalRouteRef,
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
 * The route of the Budgets page, which the Budgets card links to.
 *
 * @public
 */
export const budgetsRouteRef = createRouteRef({
  id: 'azure-tenant:budgets',
});

/**
 * The route of the Showback page: each team's spend per month, and the spend no team owns.
 *
 * @public
 */
export const showbackRouteRef = createRouteRef({
  id: 'azure-tenant:showback',
});

/**
 * The route of the Tag compliance page: compliance with the tag policies, per team, and the suggested fixes.
 *
 * @public
 */
export const tagComplianceRouteRef = createRouteRef({
  id: 'azure-tenant:tag-compliance',
});

/**
 * The catalog's entity page, which the Spend card links to (its Spend tab). Optional: in an app that does not bind
 * it, the card shows no link. The new frontend system binds it to the catalog's entity page by default; in the legacy
 * frontend system, bind it in `bindRoutes` to `catalogPlugin.routes.catalogEntity`.
 *
 * @public
 */
// Typed out: inferred from `params`, the order of its keys varies from one compilation to the next, and with it
// the API report.
export const catalogEntityRouteRef: ExternalRouteRef<
  { namespace: string; kind: string; name: string },
  true
> = createExternalRouteRef({
  id: 'azure-tenant:catalog-entity',
  params: ['namespace', 'kind', 'name'],
  optional: true,
  defaultTarget: 'catalog.catalogEntity',
});
