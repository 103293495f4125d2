export { AzureBudgetsTable } from './AzureBudgetsTable';
