export { AzureBudgetOperations } from './AzureBudgetOperations';
export type { AzureBudgetOperationsOptions } from './AzureBudgetOperations';
export { AzureBudgetRows } from './AzureBudgetRows';
export { createAzureBudgetReader } from './azureBudgetReader';
export type {
  AzureBudgetReader,
  AzureBudgetReaderOptions,
} from './azureBudgetReader';
export { createAzureBudgetsRouter } from './createAzureBudgetsRouter';
export type { AzureBudgetsRouterOptions } from './createAzureBudgetsRouter';
