export { BudgetsCard } from './BudgetsCard';
