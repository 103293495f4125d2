/**
 * The Azure tenant frontend plugin for Backstage (legacy frontend system). For the new frontend system, import
 * `@azure-tenant/plugin-azure-tenant/alpha`.
 *
 * @packageDocumentation
 */

export {
  azureTenantPlugin,
  AzureBudgetsPage,
  AzureShowbackPage,
  AzureTagCompliancePage,
  AzureTenantsPage,
  EntityAzureSavingsCard,
  EntityAzureShowbackContent,
  EntityAzureAccessWarning,
  EntityAzureBudgetsCard,
  EntityTagComplianceCard,
  EntityAzureSpendCard,
  EntityAzureSpendContent,
  EntityAzureTagsCard,
  EntityAzureTagsContent,
} from './plugin';
export type { SpendCardProps } from './components/SpendCard';
export { isAzureAccessLost } from './components/AzureAccessWarning';
export {
  isAzureResourceEntity,
  isAzureSubscriptionEntity,
} from './spendTarget';
export {
  budgetsRouteRef,
  catalogEntityRouteRef,
  rootRouteRef,
  showbackRouteRef,
  tagComplianceRouteRef,
} from './routes';
export {
  AzureTenantClient,
  azureTenantApiRef,
  type AzureTenantApi,
  type BudgetAlertQuery,
  type BudgetListFilter,
  type StartOnboardingOptions,
  type SubscriptionSyncRequest,
  type SubscriptionResourcePage,
  type SubscriptionResourcesQuery,
  type SyncedAzureResource,
  type BulkTagUpdateItem,
  type BulkTagUpdateRequest,
  type BulkTagUpdateResponse,
  type SavingsQuery,
  type ShowbackQuery,
  type TagUpdateRequest,
  type TagComplianceListQuery,
  type TagComplianceSummaryQuery,
  TagConflictError,
  TagValidationError,
  isTagConflictError,
  isTagValidationError,
} from './api';
