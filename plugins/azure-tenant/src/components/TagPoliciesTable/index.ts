export { TagPoliciesTable, DECLARED_POLICY_REASON } from './TagPoliciesTable';
