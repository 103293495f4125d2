export { TenantList } from './TenantList';
export type { TenantListProps } from './TenantList';
