export { createAdvisorReader, ADVISOR_COST_QUERY } from './advisorReader';
export type { AdvisorReader, AdvisorReaderOptions } from './advisorReader';
export { createSavingsRouter } from './createSavingsRouter';
export type { SavingsRouterOptions } from './createSavingsRouter';
export { DatabaseSavingsStore } from './DatabaseSavingsStore';
export { readSavingsConfig, DEFAULT_SAVINGS_CONFIG } from './SavingsConfig';
export type { SavingsConfig } from './SavingsConfig';
export { SavingsOperations } from './SavingsOperations';
export type { SavingsOperationsOptions } from './SavingsOperations';
export type { SavingsStore } from './SavingsStore';
export {
  SavingsSyncService,
  registerSavingsSync,
  SAVINGS_SYNC_TASK_ID,
} from './SavingsSyncService';
export type {
  SavingsSyncResult,
  RegisterSavingsSyncOptions,
} from './SavingsSyncService';
