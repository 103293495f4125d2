export {
  createCostManagementReader,
  isCostManagementError,
  CostManagementError,
} from './costManagementReader';
export type {
  CostReader,
  CostManagementReaderOptions,
} from './costManagementReader';
export { createSpendRouter } from './createSpendRouter';
export type { SpendRouterOptions } from './createSpendRouter';
export { SpendOperations } from './SpendOperations';
export type { SpendOperationsOptions } from './SpendOperations';
export { DatabaseSpendStore } from './DatabaseSpendStore';
export type { SpendStore } from './SpendStore';
export { readSpendConfig, DEFAULT_SPEND_CONFIG } from './SpendConfig';
export type { SpendConfig } from './SpendConfig';
export { SpendQueryService } from './SpendQueryService';
export {
  SpendSyncService,
  registerSpendSync,
  SPEND_SYNC_TASK_ID,
} from './SpendSyncService';
export type {
  SpendSyncResult,
  RegisterSpendSyncOptions,
} from './SpendSyncService';
