export { createShowbackRouter } from './createShowbackRouter';
export type { ShowbackRouterOptions } from './createShowbackRouter';
export { ShowbackOperations } from './ShowbackOperations';
export type { ShowbackOperationsOptions } from './ShowbackOperations';
export { ShowbackService } from './ShowbackService';
export type { ShowbackServiceOptions, ShowbackResult } from './ShowbackService';
export { UNALLOCATED_OWNER } from './showbackAllocation';
