export { DatabaseComplianceStore } from './DatabaseComplianceStore';
export type {
  ComplianceEvaluationState,
  ComplianceWriter,
  EvaluatedCompliance,
} from './DatabaseComplianceStore';
export { TagComplianceEvaluator } from './TagComplianceEvaluator';
export type {
  TagComplianceEvaluatorOptions,
  TagComplianceRun,
} from './TagComplianceEvaluator';
export {
  readOwnerTagKey,
  TAG_COMPLIANCE_SCHEDULE,
  TAG_COMPLIANCE_TASK_ID,
  TagComplianceService,
} from './TagComplianceService';
export type { TagComplianceServiceOptions } from './TagComplianceService';
export { withCompliance } from './catalogFeedCompliance';
