export { BudgetsPage } from './BudgetsPage';
