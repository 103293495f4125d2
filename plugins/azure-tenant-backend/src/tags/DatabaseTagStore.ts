import { AzureResourceRecord } from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { resourceContentHash, sortedTags } from './resourceContentHash';
import { TagStore } from './TagStore';

type ResourceRow = {
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
  revision: number | string;
};

/**
 * Takes the next revision from the `sync_counters` row, as the sync does. The update locks the counter's row until
 * the transaction ends, so a reader of the feed never sees a lower revision appear after a higher one.
 */
export async function takeNextRevision(tx: Knex.Transaction): Promise<number> {
  await tx('sync_counters').where({ name: 'revision' }).increment('value', 1);
  const row = await tx('sync_counters')
    .where({ name: 'revision' })
    .first('value');
  return Number(row.value);
}

function toRecord(row: ResourceRow): AzureResourceRecord {
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

/** {@link TagStore} on the plugin's database, over the `resources` table of the sync. */
export class DatabaseTagStore implements TagStore {
  constructor(private readonly db: Knex) {}

  async getResource(resourceId: string) {
    const row = await this.db<ResourceRow>('resources')
      .where({ resource_key: resourceId.toLowerCase() })
      .first();
    return row ? toRecord(row) : undefined;
  }

  async writeAzureTags(resourceId: string, tags: Record<string, string>) {
    const key = resourceId.toLowerCase();
    return this.db.transaction(async tx => {
      const row = await tx<ResourceRow>('resources')
        .where({ resource_key: key })
        .first();
      if (!row) return undefined;
      const sorted = sortedTags(tags);
      const revision = await takeNextRevision(tx);
      await tx('resources')
        .where({ resource_key: key })
        .update({
          tags: JSON.stringify(sorted),
          content_hash: resourceContentHash({
            key,
            resourceId: row.resource_id,
            subscriptionId: row.subscription_id,
            tenantId: row.tenant_id,
            resourceGroup: row.resource_group,
            name: row.name,
            type: row.type,
            location: row.location ?? undefined,
            kind: row.kind ?? undefined,
            tags: sorted,
            createdTime: row.created_time ?? undefined,
            changedTime: row.changed_time ?? undefined,
          }),
          revision,
        });
      return revision;
    });
  }

  async writePortalTags(
    resourceId: string,
    portalTags: Record<string, string>,
  ) {
    const key = resourceId.toLowerCase();
    return this.db.transaction(async tx => {
      const exists = await tx('resources')
        .where({ resource_key: key })
        .first('resource_key');
      if (!exists) return undefined;
      const revision = await takeNextRevision(tx);
      await tx('resources')
        .where({ resource_key: key })
        .update({
          portal_tags:
            Object.keys(portalTags).length > 0
              ? JSON.stringify(sortedTags(portalTags))
              : null,
          revision,
        });
      return revision;
    });
  }
}
