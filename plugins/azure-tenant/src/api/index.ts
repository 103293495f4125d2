export { azureTenantApiRef } from './AzureTenantApi';
export type {
  AzureTenantApi,
  BudgetAlertQuery,
  BudgetListFilter,
  BulkTagUpdateItem,
  BulkTagUpdateRequest,
  BulkTagUpdateResponse,
  SavingsQuery,
  ShowbackQuery,
  StartOnboardingOptions,
  SubscriptionResourcePage,
  SubscriptionResourcesQuery,
  SubscriptionSyncRequest,
  SyncedAzureResource,
  TagComplianceListQuery,
  TagComplianceSummaryQuery,
  TagUpdateRequest,
} from './AzureTenantApi';
export {
  TagConflictError,
  TagValidationError,
  isTagConflictError,
  isTagValidationError,
} from './tagErrors';
export { AzureTenantClient } from './AzureTenantClient';
