export { BudgetDialog } from './BudgetDialog';
export type { BudgetDialogProps } from './BudgetDialog';
