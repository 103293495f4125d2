export { TagCompliancePage } from './TagCompliancePage';
