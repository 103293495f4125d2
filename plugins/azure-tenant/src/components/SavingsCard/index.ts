export { SavingsCard } from './SavingsCard';
