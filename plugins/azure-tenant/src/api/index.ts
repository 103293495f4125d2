export { azureTenantApiRef } from './AzureTenantApi';
export type {
  AzureTenantApi,
  BulkTagUpdateItem,
  BulkTagUpdateRequest,
  BulkTagUpdateResponse,
  StartOnboardingOptions,
  SubscriptionSyncRequest,
  TagUpdateRequest,
} from './AzureTenantApi';
export {
  TagConflictError,
  TagValidationError,
  isTagConflictError,
  isTagValidationError,
} from './tagErrors';
export { AzureTenantClient } from './AzureTenantClient';
