import { Knex } from 'knex';
import { resourceContentHash, sortedTags, timeMs } from './resourceContentHash';
import { TagStore } from './TagStore';
import {
  ResourceRow,
  takeRevisions,
  toResourceRecord,
} from '../database/resourceRows';

/** Takes the next revision from the `sync_counters` row, as the sync does (see {@link takeRevisions}). */
export function takeNextRevision(tx: Knex.Transaction): Promise<number> {
  return takeRevisions(tx, 1);
}

/** {@link TagStore} on the plugin's database, over the `resources` table of the sync. */
export class DatabaseTagStore implements TagStore {
  constructor(private readonly db: Knex) {}

  async getResource(resourceId: string) {
    const row = await this.db<ResourceRow>('resources')
      .where({ resource_key: resourceId.toLowerCase() })
      .first();
    return row ? toResourceRecord(row) : undefined;
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
            resourceId: row.resource_id,
            tenantId: row.tenant_id,
            name: row.name,
            type: row.type,
            location: row.location ?? undefined,
            kind: row.kind ?? undefined,
            tags: sorted,
            createdTimeMs: timeMs(row.created_time),
            changedTimeMs: timeMs(row.changed_time),
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
