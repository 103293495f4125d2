// The kit's suites and the packages' own tests wait the same way: one `eventually`, in test-support.
export { eventually } from '@azure-tenant/test-support';
export type { EventuallyOptions } from '@azure-tenant/test-support';
