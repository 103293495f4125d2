export { TagComplianceContent } from './TagComplianceContent';
export type { TagComplianceContentProps } from './TagComplianceContent';
