import type { TagComplianceStatus, TagViolation } from './tagGovernance';

/**
 * An Azure resource as the backend plugin stored it at its last sync: what the catalog module turns into a
 * `Resource` entity. `GET /catalog/resources` and `GET /catalog/changes` return these, to service callers only.
 *
 * @public
 */
export interface AzureResourceRecord {
  /** Azure's resource id, in Azure's casing. Compare case-insensitively. */
  resourceId: string;
  subscriptionId: string;
  tenantId: string;
  resourceGroup: string;
  name: string;
  /** The ARM resource type, e.g. `Microsoft.Compute/virtualMachines`. */
  type: string;
  location?: string;
  kind?: string;
  /**
   * The Azure tags from the last sync. Absent under the sync modes `no-tags` and `none`: no tag value is kept then.
   */
  tags?: Record<string, string>;
  /** Tags edited in the portal under `read-tags`: kept apart, never written to Azure. */
  portalTags?: Record<string, string>;
  /** ISO 8601, from Azure's `createdTime` and `changedTime`, when Azure gave them. */
  createdTime?: string;
  changedTime?: string;
  /** Increases every time the record changes; a cursor for `GET /catalog/changes`. */
  revision: number;
  /** Its compliance with the tag policies, once evaluated; a change of it is a change of the record. */
  compliance?: {
    status: TagComplianceStatus;
    violations: Array<Pick<TagViolation, 'policyId' | 'key' | 'code'>>;
  };
}

/**
 * A resource that is gone since a revision: deleted in Azure, filtered out, or its subscription set to `none`.
 *
 * @public
 */
export interface RemovedAzureResource {
  resourceId: string;
  subscriptionId: string;
  revision: number;
}

/**
 * A page of `GET /catalog/resources`: every current resource, in a stable order.
 *
 * @public
 */
export interface AzureResourcePage {
  items: AzureResourceRecord[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
  /** The highest revision when the listing began: continue with `GET /catalog/changes?after=` from it. */
  revision: number;
}

/**
 * A page of `GET /catalog/changes?after={revision}`: what changed or went away after a revision, oldest first.
 *
 * @public
 */
export interface AzureResourceChanges {
  changed: AzureResourceRecord[];
  removed: RemovedAzureResource[];
  /** The revision to pass as `after` next time. */
  revision: number;
  /** Whether more changes wait: ask again with `after` set to `revision`. */
  hasMore: boolean;
}

/**
 * A resource group as the backend plugin stored it at its subscription's last sync, with a count of its resources
 * per ARM type: what the catalog module turns into a resource group entity. `GET /catalog/resource-groups` returns
 * these, to service callers only.
 *
 * @public
 */
export interface AzureResourceGroupRecord {
  subscriptionId: string;
  /** The group's name, in Azure's casing. Compare case-insensitively. */
  name: string;
  location?: string;
  /** The group's Azure tags from the last sync. Absent under the sync modes `no-tags` and `none`. */
  tags?: Record<string, string>;
  /** How many synced resources the group holds. */
  resourceCount: number;
  /** How many of them are of each ARM type, most first (then by type). */
  resourceTypes: Array<{ type: string; count: number }>;
}

/**
 * A page of `GET /catalog/resource-groups`, in a stable order.
 *
 * @public
 */
export interface AzureResourceGroupPage {
  items: AzureResourceGroupRecord[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/**
 * The topic on which the backend plugin announces changes through the Backstage events service.
 *
 * @public
 */
export const AZURE_TENANT_EVENTS_TOPIC = 'azure-tenant';

/**
 * The payload of an event on {@link AZURE_TENANT_EVENTS_TOPIC}:
 * - `resources-changed`: a sync (or a tag edit, or a sync-mode change) changed resources up to `revision`;
 * - `subscription-changed`: a subscription was registered, or its sync mode or last sync result changed.
 *
 * @public
 */
export type AzureTenantEvent =
  | { type: 'resources-changed'; subscriptionId: string; revision: number }
  | { type: 'subscription-changed'; subscriptionId: string };
