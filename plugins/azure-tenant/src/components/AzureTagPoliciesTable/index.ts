export { AzureTagPoliciesTable } from './AzureTagPoliciesTable';
