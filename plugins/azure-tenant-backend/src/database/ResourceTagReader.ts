import { Knex } from 'knex';
import { chunks } from './batches';

/** A stored resource with its synced Azure tags, as spend reads it. */
export interface TaggedResource {
  resourceKey: string;
  resourceId: string;
  subscriptionId: string;
  /** Absent under the sync modes `no-tags` and `none`. */
  tags?: Record<string, string>;
}

/** Where a subscription's resources stand: their highest revision (removed ones too) and how many there are. */
export interface ResourceFingerprint {
  revision: number;
  count: number;
}

/**
 * What spend reads of the resources the resource store owns: their tag values, and the revisions that tell whether
 * they changed. Spend keeps its own tables; it never writes these.
 */
export interface ResourceTagReader {
  /** The feed's revision counter: it moves with every change of any resource. */
  currentRevision(): Promise<number>;
  fingerprint(subscriptionId: string): Promise<ResourceFingerprint>;
  /**
   * A subscription's resources changed (with their value of `tagKey`) and removed after `revision`, at most
   * `limit` of each.
   */
  changesSince(options: {
    subscriptionId: string;
    revision: number;
    tagKey: string;
    limit: number;
  }): Promise<{
    changed: Array<{ resourceKey: string; tagValue?: string }>;
    removed: string[];
  }>;
  /** The value of `tagKey` of each of a subscription's resources that has one, by resource key. */
  tagValues(
    subscriptionId: string,
    tagKey: string,
  ): Promise<Map<string, string>>;
  /** The value of `tagKey` of each of these resources that has one, by resource key. */
  tagValuesOf(
    resourceKeys: string[],
    tagKey: string,
  ): Promise<Map<string, string>>;
  getResources(resourceKeys: string[]): Promise<TaggedResource[]>;
  /** The subscription of a stored resource. */
  subscriptionOf(resourceKey: string): Promise<string | undefined>;
}

/**
 * A resource's value of a tag, from its stored tags (JSON): the first tag whose name is `tagKey` (lower case) ignoring
 * case, if its value is not empty. Undefined when the resource has no tags, no such tag, or tags that are not JSON.
 */
export function tagValueOf(
  tags: string | null | undefined,
  tagKey: string,
): string | undefined {
  if (!tags) return undefined;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(tags);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const entry = Object.entries(parsed).find(
    ([name]) => name.toLowerCase() === tagKey,
  );
  return entry && entry[1] !== '' && entry[1] !== null && entry[1] !== undefined
    ? String(entry[1])
    : undefined;
}

/**
 * {@link ResourceTagReader} on the resource store's tables (`resources`, `resource_tombstones`, `sync_counters`). Made
 * on a transaction, it reads inside it: SQLite has one connection, which a reader outside would wait for.
 */
export class DatabaseResourceTagReader implements ResourceTagReader {
  constructor(private readonly db: Knex) {}

  async currentRevision(): Promise<number> {
    const row = await this.db('sync_counters')
      .where({ name: 'revision' })
      .first('value');
    return Number(row?.value ?? 0);
  }

  async fingerprint(subscriptionId: string): Promise<ResourceFingerprint> {
    const result = await this.db.raw(
      `SELECT
         (SELECT MAX(revision) FROM resources WHERE subscription_id = ?) AS resources,
         (SELECT MAX(revision) FROM resource_tombstones WHERE subscription_id = ?) AS tombstones,
         (SELECT COUNT(*) FROM resources WHERE subscription_id = ?) AS resource_count`,
      [subscriptionId, subscriptionId, subscriptionId],
    );
    const row = Array.isArray(result) ? result[0] : result.rows[0];
    return {
      revision: Math.max(
        Number(row.resources ?? 0),
        Number(row.tombstones ?? 0),
      ),
      count: Number(row.resource_count ?? 0),
    };
  }

  async changesSince(options: {
    subscriptionId: string;
    revision: number;
    tagKey: string;
    limit: number;
  }) {
    const { subscriptionId, revision, tagKey, limit } = options;
    const [changed, removed] = await Promise.all([
      this.db('resources')
        .select('resource_key', 'tags')
        .where('subscription_id', subscriptionId)
        .where('revision', '>', revision)
        .limit(limit),
      this.db('resource_tombstones')
        .select('resource_key')
        .where('subscription_id', subscriptionId)
        .where('revision', '>', revision)
        .limit(limit),
    ]);
    return {
      changed: changed.map(row => ({
        resourceKey: row.resource_key as string,
        tagValue: tagValueOf(row.tags, tagKey),
      })),
      removed: removed.map(row => row.resource_key as string),
    };
  }

  async tagValues(
    subscriptionId: string,
    tagKey: string,
  ): Promise<Map<string, string>> {
    const rows = await this.db('resources')
      .select('resource_key', 'tags')
      .where('subscription_id', subscriptionId);
    return collectTagValues(rows, tagKey);
  }

  async tagValuesOf(
    resourceKeys: string[],
    tagKey: string,
  ): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    for (const chunk of chunks(resourceKeys)) {
      const rows = await this.db('resources')
        .select('resource_key', 'tags')
        .whereIn('resource_key', chunk);
      for (const [key, value] of collectTagValues(rows, tagKey)) {
        values.set(key, value);
      }
    }
    return values;
  }

  async getResources(resourceKeys: string[]): Promise<TaggedResource[]> {
    const result: TaggedResource[] = [];
    for (const chunk of chunks(resourceKeys)) {
      const rows = await this.db('resources')
        .select('resource_key', 'resource_id', 'subscription_id', 'tags')
        .whereIn('resource_key', chunk);
      for (const row of rows) {
        let tags: Record<string, string> | undefined;
        try {
          tags = row.tags ? JSON.parse(row.tags) : undefined;
        } catch {
          tags = undefined;
        }
        result.push({
          resourceKey: row.resource_key,
          resourceId: row.resource_id,
          subscriptionId: row.subscription_id,
          tags,
        });
      }
    }
    return result;
  }

  async subscriptionOf(resourceKey: string): Promise<string | undefined> {
    const row = await this.db('resources')
      .select('subscription_id')
      .where('resource_key', resourceKey)
      .first();
    return row?.subscription_id;
  }
}

function collectTagValues(
  rows: Array<{ resource_key: string; tags: string | null }>,
  tagKey: string,
): Map<string, string> {
  const values = new Map<string, string>();
  for (const row of rows) {
    const value = tagValueOf(row.tags, tagKey);
    if (value !== undefined) values.set(row.resource_key, value);
  }
  return values;
}
