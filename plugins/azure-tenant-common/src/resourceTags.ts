import type { AzureDataStaleness } from './access';
import { SyncMode } from './syncMode';

/**
 * Why the caller may not edit a resource's tags.
 *
 * @public
 */
export interface TagEditRefusal {
  /** `permission`: azure-tenant.tags.update is denied; `sync-mode`: the subscription's mode keeps no editable tags;
   * `role`: the portal's service principal lacks Tag Contributor there, as far as the portal knows. */
  code: 'permission' | 'sync-mode' | 'role';
  message: string;
}

/**
 * `GET /tags?resourceId=`: a resource's tags, and whether the caller may edit them.
 *
 * @public
 */
export interface ResourceTags {
  resourceId: string;
  subscriptionId: string;
  syncMode: SyncMode;
  /** The Azure tags from the last sync (or the last write). Absent under `no-tags` and `none`. */
  tags?: Record<string, string>;
  /** Azure's tags read just now, when asked for with `live=true` under `read-tags` and `read-write-tags`. */
  liveTags?: Record<string, string>;
  /** Tags edited in the portal under `read-tags`, never written to Azure. */
  portalTags: Record<string, string>;
  /** The feed revision of the stored resource. */
  revision: number;
  canEdit: boolean;
  /** Present when `canEdit` is false. */
  reason?: TagEditRefusal;
  /** Set when the tags shown cannot be refreshed because the portal lost access: why, and since when. */
  staleness?: AzureDataStaleness;
}

/**
 * What one tag change did (`PATCH /tags`).
 *
 * @public
 */
export interface TagUpdateResult {
  resourceId: string;
  syncMode: SyncMode;
  /**
   * `written`: sent to Azure and stored from its answer; `portal-only`: stored as portal-only tags (`read-tags`);
   * `unchanged`: every tag already had the asked value, nothing was sent.
   */
  outcome: 'written' | 'portal-only' | 'unchanged';
  /** The tags before the change: Azure's (live) under `read-write-tags`, the portal-only ones under `read-tags`. */
  before: Record<string, string>;
  /** Azure's tags after the change. */
  tags: Record<string, string>;
  portalTags: Record<string, string>;
  /** The feed revision of the stored resource after the change. */
  revision: number;
}
