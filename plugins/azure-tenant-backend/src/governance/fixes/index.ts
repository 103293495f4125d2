export { ArmTokenBuckets } from './ArmTokenBuckets';
export { createTagFixesRouter } from './createTagFixesRouter';
export { DatabaseTagFixJobStore } from './DatabaseTagFixJobStore';
export { readTagFixConfig } from './TagFixConfig';
export type { TagFixConfig } from './TagFixConfig';
export { TagFixOperations } from './TagFixOperations';
export { TagFixPlanner } from './TagFixPlanner';
export { TagFixRunner } from './TagFixRunner';
export { TagFixService, TAG_FIX_TASK_ID } from './TagFixService';
