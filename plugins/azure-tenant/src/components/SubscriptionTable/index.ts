export { SubscriptionTable } from './SubscriptionTable';
export type { SubscriptionTableProps } from './SubscriptionTable';
