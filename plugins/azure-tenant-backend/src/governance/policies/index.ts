export { createAzureTagPolicyReader } from './azureTagPolicyReader';
export type {
  AzureTagPolicyReader,
  AzureTagPolicyReaderOptions,
  AzureTagPolicyRead,
} from './azureTagPolicyReader';
export type { AzureTagPolicyAssignmentStore } from './AzureTagPolicyAssignmentStore';
export {
  AZURE_TAG_POLICY_SYNC_TASK_ID,
  AzureTagPolicySyncService,
  registerAzureTagPolicySync,
} from './AzureTagPolicySyncService';
export { createTagPoliciesRouter } from './createTagPoliciesRouter';
export { DatabaseAzureTagPolicyAssignmentStore } from './DatabaseAzureTagPolicyAssignmentStore';
export { DatabaseTagPolicyStore } from './DatabaseTagPolicyStore';
export {
  DECLARED_TAG_POLICIES_KEY,
  syncDeclaredTagPolicies,
} from './declaredTagPolicies';
export { TagPolicyOperations } from './TagPolicyOperations';
export type { TagPolicyOperationsOptions } from './TagPolicyOperations';
export { parseTagPolicyInput, tagPolicyInputShape } from './tagPolicyInput';
