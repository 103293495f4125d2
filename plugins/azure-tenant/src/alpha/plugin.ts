import { convertLegacyRouteRefs } from '@backstage/core-compat-api';
import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import {
  budgetsRouteRef,
  catalogEntityRouteRef,
  rootRouteRef,
  showbackRouteRef,
  tagComplianceRouteRef,
} from '../routes';
import { azureTenantApi } from './apis';
import { azureBudgetsPage, entityGroupBudgetsCard } from './budgets';
import { entityAzureAccessWarningCard } from './entityAccess';
import { azureTenantsPage } from './pages';
import { entityAzureSavingsCard, entityGroupSavingsCard } from './savings';
import { azureShowbackPage, entityGroupShowbackContent } from './showback';
import { azureTagCompliancePage } from './tagCompliance';
import {
  entityAzureTagComplianceCard,
  entityGroupTagComplianceCard,
} from './tagComplianceCards';
import {
  entityAzureResourceSpendCard,
  entityAzureSpendContent,
  entityGroupSpendCard,
} from './entitySpend';
import {
  entityAzureResourceTagsCard,
  entityAzureTagsContent,
} from './entityTags';

/**
 * The Azure tenant frontend plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'azure-tenant',
  routes: convertLegacyRouteRefs({
    root: rootRouteRef,
    budgets: budgetsRouteRef,
    showback: showbackRouteRef,
    tagCompliance: tagComplianceRouteRef,
  }),
  // Bound to the catalog's entity page by default (`defaultTarget`); an app may bind it elsewhere or leave it out.
  externalRoutes: convertLegacyRouteRefs({
    catalogEntity: catalogEntityRouteRef,
  }),
  extensions: [
    azureTenantApi,
    azureTenantsPage,
    entityAzureSpendContent,
    entityAzureResourceSpendCard,
    entityGroupSpendCard,
    entityAzureTagsContent,
    entityAzureResourceTagsCard,
    entityAzureAccessWarningCard,
    azureBudgetsPage,
    entityGroupBudgetsCard,
    azureShowbackPage,
    entityGroupShowbackContent,
    entityAzureSavingsCard,
    entityGroupSavingsCard,
    azureTagCompliancePage,
    entityAzureTagComplianceCard,
    entityGroupTagComplianceCard,
  ],
});
