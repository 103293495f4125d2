export { SpendCard, type SpendCardProps } from './SpendCard';
