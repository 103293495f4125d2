import {
  TagPolicy,
  TagPolicyInput,
} from '@azure-tenant/plugin-azure-tenant-common';

/**
 * Where the evaluator reads the policies from: the portal's and the declared ones together.
 */
export interface TagPolicySource {
  /** Every policy, declared (`source: 'config'`) and made in the portal, in a stable order (by id). */
  listPolicies(): Promise<TagPolicy[]>;
}

/**
 * The portal's tag policies (table `tag_policies`). The one writer of that table. Policies declared in app-config are
 * kept there too (`source: 'config'`), replaced at startup, and refused for update and delete.
 */
export interface TagPolicyStore extends TagPolicySource {
  getPolicy(id: string): Promise<TagPolicy | undefined>;
  createPolicy(input: TagPolicyInput, createdBy: string): Promise<TagPolicy>;
  /** Undefined when there is no such policy. */
  updatePolicy(
    id: string,
    input: TagPolicyInput,
  ): Promise<TagPolicy | undefined>;
  /** Whether a policy was deleted. */
  deletePolicy(id: string): Promise<boolean>;
  /** Replaces the declared policies with these (ids are `config:<index or given id>`). */
  replaceDeclaredPolicies(
    policies: Array<TagPolicyInput & { id: string }>,
  ): Promise<void>;
}
