export { BudgetsContent } from './BudgetsContent';
export { BudgetStateLabel, BudgetUseBar, budgetAmountText } from './BudgetUse';
