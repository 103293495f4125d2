import { AzureTagPolicyAssignment } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTagPolicyRead } from './azureTagPolicyReader';

/**
 * The Azure Policy assignments about tags, as last read from each subscription (table
 * `azure_tag_policy_assignments`). Each successful read replaces a subscription's list as a whole; a failed one
 * leaves the last good list.
 */
export interface AzureTagPolicyAssignmentStore {
  /** Makes a subscription's stored assignments exactly `assignments`, read at `at`. */
  replaceSubscription(options: {
    subscriptionId: string;
    assignments: AzureTagPolicyRead[];
    at: Date;
  }): Promise<void>;
  /** The stored assignments, of one subscription or of all, by subscription and then id. */
  listAssignments(filter?: {
    subscriptionId?: string;
  }): Promise<AzureTagPolicyAssignment[]>;
}
