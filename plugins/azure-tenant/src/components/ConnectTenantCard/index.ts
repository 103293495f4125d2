export { ConnectTenantCard } from './ConnectTenantCard';
export type { ConnectTenantCardProps } from './ConnectTenantCard';
