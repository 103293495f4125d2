import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { AzureTenantClient, azureTenantApiRef } from './api';
import type { SpendCardProps } from './components/SpendCard';
import {
  budgetsRouteRef,
  catalogEntityRouteRef,
  rootRouteRef,
  showbackRouteRef,
  tagComplianceRouteRef,
} from './routes';

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
    budgets: budgetsRouteRef,
    showback: showbackRouteRef,
    tagCompliance: tagComplianceRouteRef,
  },
  externalRoutes: {
    catalogEntity: catalogEntityRouteRef,
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
export const AzureTenantsPage: () => JSX.Element = azureTenantPlugin.provide(
  createRoutableExtension({
    name: 'AzureTenantsPage',
    component: () =>
      import('./components/AzureTenantsPage').then(m => m.AzureTenantsPage),
    mountPoint: rootRouteRef,
  }),
);

/**
 * The Spend tab of Azure subscription and resource entities: the period total per currency, the change against the
 * previous period, the forecast, a stacked chart and a table by the chosen grouping, and a CSV download.
 *
 * Put it in the entity page of `Resource` entities, behind {@link isAzureSubscriptionEntity} or
 * {@link isAzureResourceEntity}:
 * `<EntityLayout.Route path="/spend" title="Spend" if={e => isAzureSubscriptionEntity(e) || isAzureResourceEntity(e)}><EntityAzureSpendContent /></EntityLayout.Route>`.
 *
 * @public
 */
export const EntityAzureSpendContent: () => JSX.Element =
  azureTenantPlugin.provide(
    createComponentExtension({
      name: 'EntityAzureSpendContent',
      component: {
        lazy: () =>
          import('./components/SpendContent').then(m => m.SpendContent),
      },
    }),
  );

/**
 * A card with the last 30 days of spend of an entity: its total and change per currency and its top three groups.
 * For an Azure resource entity, the resource's spend; for a group or user, the spend of the Azure resources it owns.
 * On a resource entity it links to the Spend tab at `spend` (see `spendTabPath`), once the plugin's `catalogEntity`
 * external route is bound to the catalog's entity page:
 * `bind(azureTenantPlugin.externalRoutes, { catalogEntity: catalogPlugin.routes.catalogEntity })`.
 *
 * @public
 */
export const EntityAzureSpendCard: (props: SpendCardProps) => JSX.Element =
  azureTenantPlugin.provide(
    createComponentExtension({
      name: 'EntityAzureSpendCard',
      component: {
        lazy: () => import('./components/SpendCard').then(m => m.SpendCard),
      },
    }),
  );

/**
 * The Tags tab of Azure subscription entities: the subscription's resources from the catalog, searchable and paged,
 * with their tags (portal-only tags marked "portal only"), an editor per resource, a bulk edit of the selected
 * resources, and what the subscription's sync mode allows.
 *
 * `<EntityLayout.Route path="/tags" title="Tags" if={isAzureSubscriptionEntity}><EntityAzureTagsContent /></EntityLayout.Route>`.
 *
 * @public
 */
export const EntityAzureTagsContent: () => JSX.Element =
  azureTenantPlugin.provide(
    createComponentExtension({
      name: 'EntityAzureTagsContent',
      component: {
        lazy: () => import('./components/TagsContent').then(m => m.TagsContent),
      },
    }),
  );

/**
 * A card with an Azure resource's tags, Azure's and the portal-only ones apart, and an "Edit tags" button that opens
 * the editor (read-only with the reason when the user or the sync mode may not edit). Show it on resource entities
 * behind {@link isAzureResourceEntity}.
 *
 * @public
 */
export const EntityAzureTagsCard: () => JSX.Element = azureTenantPlugin.provide(
  createComponentExtension({
    name: 'EntityAzureTagsCard',
    component: {
      lazy: () => import('./components/TagsCard').then(m => m.TagsCard),
    },
  }),
);

/**
 * A warning for the entity page of an Azure subscription while the portal has lost access to it (consent revoked, a
 * role removed, the subscription disabled, deleted or moved): what happened and since when, from the entity's
 * `azure-tenant.io/access-problem` and `azure-tenant.io/access-since` annotations. It renders nothing while the portal
 * has access. Put it at the top of the overview behind {@link isAzureAccessLost}:
 * `<EntitySwitch><EntitySwitch.Case if={isAzureAccessLost}><Grid item xs={12}><EntityAzureAccessWarning /></Grid></EntitySwitch.Case></EntitySwitch>`.
 *
 * @public
 */
export const EntityAzureAccessWarning: () => JSX.Element | null =
  azureTenantPlugin.provide(
    createComponentExtension({
      name: 'EntityAzureAccessWarning',
      component: {
        lazy: () =>
          import('./components/AzureAccessWarning').then(
            m => m.AzureAccessWarning,
          ),
      },
    }),
  );

/**
 * The Showback page: each team's Azure spend per month and currency (what its catalog entities own), the spend that no
 * team owns as unallocated, each month's total, a filter by team and a CSV download.
 *
 * `<Route path="/azure-showback" element={<AzureShowbackPage />} />`.
 *
 * @public
 */
export const AzureShowbackPage: () => JSX.Element = azureTenantPlugin.provide(
  createRoutableExtension({
    name: 'AzureShowbackPage',
    component: () =>
      import('./components/ShowbackPage').then(m => m.ShowbackPage),
    mountPoint: showbackRouteRef,
  }),
);

/**
 * The showback of a group or user, for a tab of its entity page: its spend per month and currency, what it owns
 * through the catalog.
 *
 * `<EntityLayout.Route path="/showback" title="Showback"><EntityAzureShowbackContent /></EntityLayout.Route>`.
 *
 * @public
 */
export const EntityAzureShowbackContent: () => JSX.Element =
  azureTenantPlugin.provide(
    createComponentExtension({
      name: 'EntityAzureShowbackContent',
      component: {
        lazy: () =>
          import('./components/ShowbackContent').then(
            m => m.EntityShowbackContent,
          ),
      },
    }),
  );

/**
 * A card with Azure Advisor cost recommendations: on an Azure resource entity, the resource's (problem, solution,
 * impact, estimated monthly saving); on a subscription, a group or a user, the estimated monthly savings summed per
 * currency, the number of recommendations and the top ones. Show it behind {@link isAzureResourceEntity} or
 * {@link isAzureSubscriptionEntity}, and on group and user pages.
 *
 * @public
 */
export const EntityAzureSavingsCard: () => JSX.Element =
  azureTenantPlugin.provide(
    createComponentExtension({
      name: 'EntityAzureSavingsCard',
      component: {
        lazy: () => import('./components/SavingsCard').then(m => m.SavingsCard),
      },
    }),
  );

/**
 * The Budgets page: every budget the user may see (on a subscription, a resource group, a catalog entity and what it
 * owns, or a custom group) with its use, forecast and state, sortable and filterable by owner and state; create, edit,
 * mute and delete as the permission policy allows; Azure's own budgets read-only; and, for admins, every alert sent.
 *
 * `<Route path="/azure-budgets" element={<AzureBudgetsPage />} />`. `?owner=<entity ref>` opens it filtered by that
 * owner.
 *
 * @public
 */
export const AzureBudgetsPage: () => JSX.Element = azureTenantPlugin.provide(
  createRoutableExtension({
    name: 'AzureBudgetsPage',
    component: () =>
      import('./components/BudgetsPage').then(m => m.BudgetsPage),
    mountPoint: budgetsRouteRef,
  }),
);

/**
 * A card with the budgets of an entity, each with its use, forecast and state: on a group or user page the budgets it
 * owns and those on it, on any other entity page the budgets on it. "Create budget" opens the budget dialog with the
 * entity as the scope (and the group or user as the owner). It links to the Budgets page where the app mounts
 * {@link AzureBudgetsPage}. Put it in the overview of group pages:
 * `<Grid item md={6}><EntityAzureBudgetsCard /></Grid>`.
 *
 * @public
 */
export const EntityAzureBudgetsCard: () => JSX.Element =
  azureTenantPlugin.provide(
    createComponentExtension({
      name: 'EntityAzureBudgetsCard',
      component: {
        lazy: () => import('./components/BudgetsCard').then(m => m.BudgetsCard),
      },
    }),
  );

/**
 * A card with the tag compliance of an entity: on a group or user page, the share of the Azure resources it owns that
 * follow the tag policies, its 30-day trend and the policies most broken; on an Azure subscription page, the same of
 * the subscription's resources; on an Azure resource page, whether it follows them and each violation's message.
 * It links to the Tag compliance page and its suggested fixes where the app mounts {@link AzureTagCompliancePage}.
 * `<Grid item md={6}><EntityTagComplianceCard /></Grid>`.
 *
 * @public
 */
export const EntityTagComplianceCard: () => JSX.Element =
  azureTenantPlugin.provide(
    createComponentExtension({
      name: 'EntityTagComplianceCard',
      component: {
        lazy: () =>
          import('./components/TagComplianceCard').then(
            m => m.TagComplianceCard,
          ),
      },
    }),
  );

/**
 * The Tag compliance page: the share of Azure resources that follow the tag policies with its 30-day trend, each team's
 * with its change since a week ago, the tag policies (create, edit and delete for those allowed
 * `azure-tenant.tag-policy.manage`; those declared in app-config read-only) with Azure Policy's tag assignments beside
 * them, and suggested fixes previewed and applied in bulk.
 *
 * `<Route path="/azure-tag-compliance" element={<AzureTagCompliancePage />} />`.
 *
 * @public
 */
export const AzureTagCompliancePage: () => JSX.Element =
  azureTenantPlugin.provide(
    createRoutableExtension({
      name: 'AzureTagCompliancePage',
      component: () =>
        import('./components/TagCompliancePage').then(m => m.TagCompliancePage),
      mountPoint: tagComplianceRouteRef,
    }),
  );
