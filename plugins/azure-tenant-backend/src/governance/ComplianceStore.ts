import {
  ResourceTagCompliance,
  TagComplianceStatus,
  TagComplianceSummary,
  TagComplianceTeams,
} from '@azure-tenant/plugin-azure-tenant-common';

/** A search of stored compliance. Every filter is optional and they apply together. */
export interface ComplianceQuery {
  /** Lower case. */
  subscriptionIds?: string[];
  /** A full, lower-case entity ref. */
  ownerRef?: string;
  /** Resources that break this policy. */
  policyId?: string;
  status?: TagComplianceStatus;
  /** Only these resources (lower-cased resource ids). */
  resourceKeys?: string[];
  /** Keyset paging: only resources whose key sorts after this one. */
  afterKey?: string;
  limit: number;
}

/**
 * Reads what the compliance evaluator stored (tables `tag_compliance` and `tag_compliance_daily`). Implemented by
 * `DatabaseComplianceStore`, the one writer of those tables.
 */
export interface ComplianceReader {
  /** Resources' compliance in the order of their keys, and whether more match. */
  listCompliance(
    query: ComplianceQuery,
  ): Promise<{ items: ResourceTagCompliance[]; hasMore: boolean }>;
  /** The compliance of each of these resources (lower-cased ids) that has been evaluated, by key. */
  getCompliance(
    resourceKeys: string[],
  ): Promise<Map<string, ResourceTagCompliance>>;
  /** The current figure and `days` of daily history of one scope. */
  summary(
    scope: TagComplianceSummary['scope'],
    days: number,
  ): Promise<TagComplianceSummary>;
  /** Every owner's figure and history, and the unowned resources'. */
  teams(days: number): Promise<TagComplianceTeams>;
  /**
   * The keys of a subscription's resources whose owner tag names no catalog group or user (and whose tags are kept):
   * what spend views show as unallocated.
   */
  unownedResourceKeys(subscriptionId: string): Promise<Set<string>>;
}
