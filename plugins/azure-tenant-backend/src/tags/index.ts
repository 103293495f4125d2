export { createTagsRouter } from './createTagsRouter';
export type { TagsRouterOptions } from './createTagsRouter';
export { TagOperations } from './TagOperations';
export type {
  TagOperationsOptions,
  TagUpdateRequest,
  BulkTagUpdateRequest,
} from './TagOperations';
export {
  TagService,
  parseTagChange,
  syncModeRefusal,
  MAX_BULK_RESOURCES,
} from './TagService';
export type { TagServiceOptions, BulkTagResult } from './TagService';
export type { TagStore } from './TagStore';
export { createAzureTagsClient } from './azureTagsClient';
export type {
  AzureTagsClient,
  AzureTagsClientOptions,
  TagScope,
} from './azureTagsClient';
export { parseResourceIdentifier } from './resourceIdentifier';
export type { ResourceIdentifier } from './resourceIdentifier';
export { resourceContentHash, sortedTags } from './resourceContentHash';
export type {
  ResourceTags,
  TagEditRefusal,
  TagUpdateResult,
} from './ResourceTags';
export {
  TagConflictError,
  TagValidationError,
  isTagConflictError,
  isTagValidationError,
} from './tagErrors';
