export { TagComplianceCard } from './TagComplianceCard';
