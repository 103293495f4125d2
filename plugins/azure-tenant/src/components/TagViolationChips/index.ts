export { TagViolationChips, violationCodeLabels } from './TagViolationChips';
