import { AzureResourceRecord } from '@azure-tenant/plugin-azure-tenant-common';

/**
 * Where the tag feature keeps what it learns: the `resources` rows the sync writes and the catalog feed reads. The
 * resource store implements it, as the one writer of those rows.
 */
export interface TagStore {
  /** A stored resource by its id (case-insensitive), or undefined when the sync has not stored it. */
  getResource(resourceId: string): Promise<AzureResourceRecord | undefined>;
  /**
   * Replaces a resource's Azure tags with what Azure answered, with a new revision so that the catalog feed carries
   * the change. Returns the new revision, or undefined when the resource is gone.
   */
  writeAzureTags(
    resourceId: string,
    tags: Record<string, string>,
  ): Promise<number | undefined>;
  /** Replaces a resource's portal-only tags (`read-tags`), with a new revision. */
  writePortalTags(
    resourceId: string,
    portalTags: Record<string, string>,
  ): Promise<number | undefined>;
}
