export { azureTenantApiRef } from './AzureTenantApi';
export type {
  AzureTenantApi,
  BulkTagUpdateItem,
  BulkTagUpdateRequest,
  BulkTagUpdateResponse,
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
