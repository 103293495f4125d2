export { createTagComplianceRouter } from './createTagComplianceRouter';
export type { TagComplianceRouterOptions } from './createTagComplianceRouter';
export { TagComplianceOperations } from './TagComplianceOperations';
export type {
  TagComplianceOperationsOptions,
  TagCompliancePage,
} from './TagComplianceOperations';
