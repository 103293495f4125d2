import { AzureResourceRecord } from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';

/** A row of the `resources` table. */
export type ResourceRow = {
  resource_key: string;
  resource_id: string;
  subscription_id: string;
  tenant_id: string;
  resource_group: string;
  name: string;
  type: string;
  location: string | null;
  kind: string | null;
  tags: string | null;
  portal_tags: string | null;
  created_time: string | null;
  changed_time: string | null;
  content_hash?: string;
  revision: number | string;
  synced_at?: string;
};

/** A `resources` row as the catalog feed and the tag API return it. */
export function toResourceRecord(row: ResourceRow): AzureResourceRecord {
  return {
    resourceId: row.resource_id,
    subscriptionId: row.subscription_id,
    tenantId: row.tenant_id,
    resourceGroup: row.resource_group,
    name: row.name,
    type: row.type,
    ...(row.location ? { location: row.location } : {}),
    ...(row.kind ? { kind: row.kind } : {}),
    ...(row.tags ? { tags: JSON.parse(row.tags) } : {}),
    ...(row.portal_tags ? { portalTags: JSON.parse(row.portal_tags) } : {}),
    ...(row.created_time ? { createdTime: row.created_time } : {}),
    ...(row.changed_time ? { changedTime: row.changed_time } : {}),
    revision: Number(row.revision),
  };
}

/**
 * Takes `count` revisions from the `sync_counters` row and returns the first. The update locks the counter's row
 * until the transaction ends, so concurrent writers take turns, and a reader of the feed never sees a lower revision
 * appear after a higher one.
 */
export async function takeRevisions(
  tx: Knex.Transaction,
  count: number,
): Promise<number> {
  await tx('sync_counters')
    .where({ name: 'revision' })
    .increment('value', count);
  const row = await tx('sync_counters')
    .where({ name: 'revision' })
    .first('value');
  return Number(row.value) - count + 1;
}
