import {
  AzureResourceChanges,
  AzureResourceGroupPage,
  AzureResourceGroupRecord,
  AzureResourcePage,
  AzureResourceRecord,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import {
  compareCodeUnits,
  resourceContentHash,
  sortedTags,
  timeMs,
} from '../tags/resourceContentHash';
import { TagStore } from '../tags/TagStore';
import { isPostgres } from '../spend/spendRows';
import { chunks } from './batches';
import { ResourceRow, takeRevisions, toResourceRecord } from './resourceRows';
import {
  ChangeFeedAdvance,
  ChangeFeedCursor,
  ResourceQuery,
  ResourceStore,
  StoredResourceGroup,
  SubscriptionSyncResult,
  SyncedResource,
} from './ResourceStore';

/** Resources per touch statement: three bound parameters each, below SQLite's oldest limit of 999. */
const TOUCHES_PER_STATEMENT = 300;

type TombstoneRow = {
  resource_key: string;
  resource_id: string;
  subscription_id: string;
  revision: number | string;
};

/** The sync's resource groups as stored rows, in the stored order. */
function incomingResourceGroups(result: SubscriptionSyncResult) {
  return [...(result.resourceGroups ?? [])]
    .sort((a, b) => compareCodeUnits(a.name, b.name))
    .map(group => ({
      name: group.name,
      location: group.location ?? null,
      tags: group.tags ? JSON.stringify(group.tags) : null,
    }));
}

function toRow(resource: SyncedResource, revision: number, syncedAt: string) {
  return {
    resource_key: resource.key,
    resource_id: resource.resourceId,
    subscription_id: resource.subscriptionId,
    tenant_id: resource.tenantId,
    resource_group: resource.resourceGroup,
    name: resource.name,
    type: resource.type,
    location: resource.location ?? null,
    kind: resource.kind ?? null,
    tags: resource.tags ? JSON.stringify(resource.tags) : null,
    created_time: resource.createdTime ?? null,
    changed_time: resource.changedTime ?? null,
    content_hash: resource.contentHash,
    revision,
    synced_at: syncedAt,
  };
}

/**
 * Inserts `resources` rows, or updates them by key. On PostgreSQL the rows go as one array per column (`unnest`): a
 * short statement with a parameter per column, which PostgreSQL parses and plans in a fraction of the time it takes
 * for a statement with a parameter per column of every row (the first sync of a large tenant is mostly these). On
 * better-sqlite3, one single-row statement is prepared and run for each row, in the transaction's own connection:
 * SQLite would otherwise compile a statement with 15 parameters per row for every batch, and knex build it, which
 * together cost the bench:sync process more CPU than SQLite's writing itself.
 */
async function upsertResourceRows(
  tx: Knex.Transaction,
  rows: Array<Record<string, string | number | null>>,
) {
  const columns = Object.keys(rows[0]);
  const updated = columns.filter(c => c !== 'resource_key');
  if ((tx.client as { driverName?: string }).driverName === 'better-sqlite3') {
    // A transaction's knex client hands out the transaction's connection (a better-sqlite3 Database).
    const connection = await tx.client.acquireConnection();
    const statement = connection.prepare(
      `INSERT INTO resources (${columns.join(', ')}) VALUES (${columns
        .map(() => '?')
        .join(', ')}) ON CONFLICT (resource_key) DO UPDATE SET ${updated
        .map(c => `${c} = excluded.${c}`)
        .join(', ')}`,
    );
    for (const row of rows) statement.run(columns.map(c => row[c]));
    return;
  }
  if (!isPostgres(tx)) {
    await tx('resources')
      .insert(rows)
      .onConflict('resource_key')
      .merge(updated);
    return;
  }
  const bindings: Knex.RawBinding[] = [
    ...columns,
    // Nulls go in the arrays as SQL nulls; knex's types know arrays of one type only.
    ...columns.map(c => rows.map(row => row[c]) as string[]),
    ...updated.flatMap(c => [c, c]),
  ];
  await tx.raw(
    `INSERT INTO resources (${columns.map(() => '??').join(', ')})
     SELECT * FROM unnest(${columns
       .map(c => (c === 'revision' ? '?::bigint[]' : '?::text[]'))
       .join(', ')})
     ON CONFLICT (resource_key) DO UPDATE SET ${updated
       .map(() => '?? = excluded.??')
       .join(', ')}`,
    bindings,
  );
}

/**
 * Whether a batch's results can be stored by {@link applyTogether}: more than one, none dropping portal-only tags
 * (a full listing's concern), and no resource in two of them (each subscription's resources are its own, so this
 * only guards the order of writes).
 */
function canApplyTogether(results: SubscriptionSyncResult[]): boolean {
  if (results.length < 2 || results.some(r => r.purgePortalTags)) return false;
  const keys = new Set<string>();
  for (const result of results) {
    for (const key of [
      ...result.upserts.map(u => u.key),
      ...result.removedKeys,
    ]) {
      if (keys.has(key)) return false;
      keys.add(key);
    }
  }
  return true;
}

/**
 * Stores a batch of small results (the change feed's, a few changes for each of many subscriptions) with a few
 * statements for the whole batch rather than a handful for each subscription: one block of revisions, the upserts,
 * the removals and their tombstones, the resource groups of the subscriptions whose groups changed and the cursors.
 * Each result's answer is what {@link DatabaseResourceStore.applySync} gives for it on its own: its writes take
 * increasing revisions in the order of the batch, and its revision is the highest of them.
 */
async function applyTogether(
  tx: Knex.Transaction,
  results: SubscriptionSyncResult[],
): Promise<Array<{ revision: number; changed: number; added: number }>> {
  // Which of the keys the batch writes are stored: an upsert of another is a new resource, a removal of another
  // leaves no tombstone.
  const stored = new Map<string, GoneResource>();
  for (const batch of chunks(
    results.flatMap(r => [...r.upserts.map(u => u.key), ...r.removedKeys]),
  )) {
    const rows: GoneResource[] = await tx('resources')
      .whereIn('resource_key', batch)
      .select('resource_key', 'resource_id', 'subscription_id');
    for (const row of rows) stored.set(row.resource_key, row);
  }

  const changedOf = results.map(r => r.upserts.length + r.removedKeys.length);
  const total = changedOf.reduce((sum, changed) => sum + changed, 0);
  let next = total > 0 ? await takeRevisions(tx, total) : 0;
  const rows: Array<Record<string, string | number | null>> = [];
  const tombstones: Tombstone[] = [];
  const answers = results.map((result, i) => {
    if (changedOf[i] === 0) return { revision: 0, changed: 0, added: 0 };
    const syncedAt = result.finishedAt.toISOString();
    let added = 0;
    for (const resource of result.upserts) {
      rows.push(toRow(resource, next++, syncedAt));
      if (!stored.has(resource.key)) added++;
    }
    for (const key of result.removedKeys) {
      const row = stored.get(key);
      if (row) {
        tombstones.push({ ...row, revision: next++ });
        added--;
      }
    }
    return { revision: next - 1, changed: changedOf[i], added };
  });

  for (const batch of chunks(rows)) await upsertResourceRows(tx, batch);
  await removeForTombstones(tx, tombstones);
  await forgetTombstones(
    tx,
    rows.map(r => r.resource_key as string),
  );

  await replaceChangedResourceGroups(tx, results);
  await advanceChangeCursors(tx, results);
  // The count each subscription's last sync recorded moves with this batch, in the same commit.
  const moved = answers
    .map(({ added }, i) => ({
      subscriptionId: results[i].subscriptionId,
      added,
    }))
    .filter(m => m.added !== 0);
  for (const batch of chunks(moved, 200)) {
    await tx('subscriptions')
      .whereIn(
        'subscription_id',
        batch.map(m => m.subscriptionId),
      )
      .whereNotNull('resource_count')
      .update({
        resource_count: tx.raw('resource_count + ?', [
          caseBySubscription(
            tx,
            batch.map(m => [m.subscriptionId, m.added]),
            'cast(? as integer)',
          ),
        ]),
      });
  }
  return answers;
}

/**
 * The resource count of each result's subscription after the batch's writes: the count recorded on the subscription
 * where the batch kept it in step (`keptInStep`), so that an incremental run costs what its changes cost rather
 * than a count of every resource; the rows counted otherwise, and where no count is recorded yet.
 */
async function resourceCountsAfter(
  tx: Knex.Transaction,
  subscriptionIds: string[],
  keptInStep: boolean,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (keptInStep) {
    for (const batch of chunks(subscriptionIds)) {
      const rows: Array<{
        subscription_id: string;
        resource_count: string | number | null;
      }> = await tx('subscriptions')
        .whereIn('subscription_id', batch)
        .whereNotNull('resource_count')
        .select('subscription_id', 'resource_count');
      for (const row of rows) {
        counts.set(String(row.subscription_id), Number(row.resource_count));
      }
    }
  }
  // Every other count in one statement.
  for (const batch of chunks(subscriptionIds.filter(id => !counts.has(id)))) {
    const rows: Array<{
      subscription_id: string;
      count: string | number;
    }> = await tx('resources')
      .whereIn('subscription_id', batch)
      .groupBy('subscription_id')
      .select('subscription_id', tx.raw('count(*) as count'));
    for (const row of rows) {
      counts.set(String(row.subscription_id), Number(row.count));
    }
  }
  return counts;
}

/**
 * The results that read resource groups differing from the stored ones: those are rewritten only then, so that a sync
 * with nothing new writes as little as it can.
 */
async function withChangedResourceGroups(
  db: Knex,
  results: SubscriptionSyncResult[],
): Promise<SubscriptionSyncResult[]> {
  const withGroups = results.filter(r => r.resourceGroups);
  if (withGroups.length === 0) return [];
  const storedGroups = new Map<
    string,
    ReturnType<typeof incomingResourceGroups>
  >();
  for (const batch of chunks(withGroups.map(r => r.subscriptionId))) {
    const rows = await db('resource_groups')
      .whereIn('subscription_id', batch)
      .select('subscription_id', 'name', 'location', 'tags');
    for (const { subscription_id: subscriptionId, ...group } of rows) {
      const groups = storedGroups.get(subscriptionId) ?? [];
      groups.push(group);
      storedGroups.set(subscriptionId, groups);
    }
  }
  return withGroups.filter(result => {
    const before = (storedGroups.get(result.subscriptionId) ?? []).sort(
      (a, b) => compareCodeUnits(a.name, b.name),
    );
    return (
      JSON.stringify(before) !== JSON.stringify(incomingResourceGroups(result))
    );
  });
}

/** A stored resource that a sync removes, as its tombstone keeps it. */
type GoneResource = {
  resource_key: string;
  resource_id: string;
  subscription_id: string;
};
type Tombstone = GoneResource & { revision: number };

/** Removes resources, leaving each a tombstone at its revision for the catalog feed. */
async function removeForTombstones(
  tx: Knex.Transaction,
  tombstones: Tombstone[],
) {
  for (const batch of chunks(tombstones)) {
    await tx('resource_tombstones')
      .insert(batch)
      .onConflict('resource_key')
      .merge(['resource_id', 'subscription_id', 'revision']);
    await tx('resources')
      .whereIn(
        'resource_key',
        batch.map(t => t.resource_key),
      )
      .delete();
  }
}

/** A resource that comes back is no longer a tombstone. */
async function forgetTombstones(tx: Knex.Transaction, keys: string[]) {
  for (const batch of chunks(keys)) {
    await tx('resource_tombstones').whereIn('resource_key', batch).delete();
  }
}

/** `case subscription_id when ? then <value> … end`: one value per subscription, for one update of many rows. */
function caseBySubscription(
  db: Knex,
  values: Array<[subscriptionId: string, value: string | number]>,
  valueSql = '?',
): Knex.Raw {
  return db.raw(
    `case subscription_id ${values
      .map(() => `when ? then ${valueSql}`)
      .join(' ')} end`,
    values.flat(),
  );
}

/** Rewrites the resource groups of the results that read groups differing from the stored ones. */
async function replaceChangedResourceGroups(
  tx: Knex.Transaction,
  results: SubscriptionSyncResult[],
) {
  const changed = await withChangedResourceGroups(tx, results);
  for (const batch of chunks(changed.map(r => r.subscriptionId))) {
    await tx('resource_groups').whereIn('subscription_id', batch).delete();
  }
  const inserted = changed.flatMap(result =>
    incomingResourceGroups(result).map(group => ({
      subscription_id: result.subscriptionId,
      ...group,
    })),
  );
  for (const batch of chunks(inserted)) {
    await tx('resource_groups').insert(batch);
  }
}

/**
 * Moves the results' places in the change feed: the plain advances of incremental runs in one statement per chunk,
 * the rest (a full listing's, a forgotten cursor) one by one.
 */
async function advanceChangeCursors(
  tx: Knex.Transaction,
  results: SubscriptionSyncResult[],
) {
  const plain: Array<{ subscriptionId: string; cursor: string }> = [];
  for (const result of results) {
    const advance = result.changeFeed;
    if (advance === undefined) continue;
    if (advance && !advance.fullListing) {
      plain.push({
        subscriptionId: result.subscriptionId,
        cursor: advance.cursor,
      });
    } else {
      await writeChangeFeed(tx, result);
    }
  }
  // Bindings per row: two; chunks stay well under SQLite's and PostgreSQL's limits.
  for (const batch of chunks(plain, 200)) {
    await tx('resource_change_cursors')
      .whereIn(
        'subscription_id',
        batch.map(p => p.subscriptionId),
      )
      .update({
        change_cursor: caseBySubscription(
          tx,
          batch.map(p => [p.subscriptionId, p.cursor]),
        ),
      });
  }
}

/** Moves (or forgets) the subscription's place in the change feed, as the sync's result says. */
async function writeChangeFeed(db: Knex, result: SubscriptionSyncResult) {
  const advance: ChangeFeedAdvance | null | undefined = result.changeFeed;
  if (advance === undefined) return;
  const where = { subscription_id: result.subscriptionId };
  if (advance === null) {
    await db('resource_change_cursors').where(where).delete();
  } else if (advance.fullListing) {
    await db('resource_change_cursors')
      .insert({
        ...where,
        change_cursor: advance.cursor,
        full_listing_at: advance.fullListing.at,
        full_listing_settings: advance.fullListing.settings,
      })
      .onConflict('subscription_id')
      .merge(['change_cursor', 'full_listing_at', 'full_listing_settings']);
  } else {
    await db('resource_change_cursors')
      .where(where)
      .update({ change_cursor: advance.cursor });
  }
}

/**
 * {@link ResourceStore} on the plugin's database, and the {@link TagStore} of the tag write path: it is the one writer
 * of the resource tables, so a tag edit asks it to apply Azure's answer (or the portal-only tags), each with a new
 * revision of the feed. Others read resources through it or through {@link DatabaseResourceTagReader}.
 */
export class DatabaseResourceStore implements ResourceStore, TagStore {
  constructor(private readonly db: Knex) {}

  async loadContentHashes(subscriptionId: string): Promise<Set<string>> {
    // Served from the (subscription_id, content_hash) index alone.
    const rows = await this.db('resources')
      .where({ subscription_id: subscriptionId })
      .select('content_hash');
    const hashes = new Set<string>();
    for (const row of rows) hashes.add(row.content_hash);
    return hashes;
  }

  async keysOfContentHashes(
    subscriptionId: string,
    contentHashes: string[],
  ): Promise<string[]> {
    const keys: string[] = [];
    for (const batch of chunks(contentHashes)) {
      const rows = await this.db('resources')
        .where({ subscription_id: subscriptionId })
        .whereIn('content_hash', batch)
        .select('resource_key');
      for (const row of rows) keys.push(row.resource_key);
    }
    return keys;
  }

  async listKeys(subscriptionId: string): Promise<string[]> {
    const rows = await this.db('resources')
      .where({ subscription_id: subscriptionId })
      .select('resource_key');
    return rows.map(r => r.resource_key);
  }

  async applySync(
    result: SubscriptionSyncResult,
  ): Promise<{ revision: number; changed: number }> {
    const syncedAt = result.finishedAt.toISOString();
    if (
      result.upserts.length === 0 &&
      result.removedKeys.length === 0 &&
      !result.purgePortalTags &&
      (await withChangedResourceGroups(this.db, [result])).length === 0
    ) {
      // Nothing to write: no transaction (a commit is the costly part of a no-change sync on SQLite). The change
      // feed's cursor alone is one statement.
      await writeChangeFeed(this.db, result);
      return { revision: 0, changed: 0 };
    }
    return this.db.transaction(async tx => {
      let portalTagKeys: string[] = [];
      if (result.purgePortalTags) {
        const rows = await tx('resources')
          .where({ subscription_id: result.subscriptionId })
          .whereNotNull('portal_tags')
          .select('resource_key');
        const upserted = new Set(result.upserts.map(u => u.key));
        const removed = new Set(result.removedKeys);
        portalTagKeys = rows
          .map(r => r.resource_key)
          .filter(key => !upserted.has(key) && !removed.has(key));
      }
      const changed =
        result.upserts.length +
        result.removedKeys.length +
        portalTagKeys.length;
      let revision = 0;
      if (changed > 0) {
        let next = await takeRevisions(tx, changed);
        for (const batch of chunks(result.upserts)) {
          const first = next;
          next += batch.length;
          const rows = batch.map((resource, i) => ({
            ...toRow(resource, first + i, syncedAt),
            ...(result.purgePortalTags ? { portal_tags: null } : {}),
          }));
          await upsertResourceRows(tx, rows);
        }
        for (const batch of chunks(result.removedKeys)) {
          const gone: GoneResource[] = await tx('resources')
            .whereIn('resource_key', batch)
            .select('resource_key', 'resource_id', 'subscription_id');
          const first = next;
          next += gone.length;
          await removeForTombstones(
            tx,
            gone.map((row, i) => ({ ...row, revision: first + i })),
          );
        }
        for (const key of portalTagKeys) {
          await tx('resources')
            .where({ resource_key: key })
            .update({ portal_tags: null, revision: next++ });
        }
        await forgetTombstones(
          tx,
          result.upserts.map(u => u.key),
        );
        revision = next - 1;
      }

      await replaceChangedResourceGroups(tx, [result]);
      await writeChangeFeed(tx, result);
      return { revision, changed };
    });
  }

  async applySyncBatch(results: SubscriptionSyncResult[]) {
    return this.db.transaction(async tx => {
      type Answer =
        | { revision: number; changed: number; resourceCount: number }
        | { error: unknown };
      let answers: Answer[] | undefined;
      if (canApplyTogether(results)) {
        try {
          // In a savepoint: if it fails, nothing of it stays and each result is tried on its own below.
          answers = (
            await tx.transaction(inner => applyTogether(inner, results))
          ).map(({ revision, changed }) => ({
            revision,
            changed,
            resourceCount: 0,
          }));
        } catch {
          answers = undefined;
        }
      }
      const keptInStep = answers !== undefined;
      if (!answers) {
        // applySync on the transaction: each result in a savepoint of its own, all committed together.
        const inTransaction = new DatabaseResourceStore(tx);
        answers = [];
        for (const result of results) {
          try {
            answers.push({
              ...(await inTransaction.applySync(result)),
              resourceCount: 0,
            });
          } catch (error) {
            answers.push({ error });
          }
        }
      }
      const counts = await resourceCountsAfter(
        tx,
        results.map(r => r.subscriptionId),
        keptInStep,
      );
      for (const [i, answer] of answers.entries()) {
        if ('resourceCount' in answer) {
          answer.resourceCount = counts.get(results[i].subscriptionId) ?? 0;
        }
      }
      return answers;
    });
  }

  async loadChangeCursors(
    subscriptionIds: string[],
  ): Promise<ChangeFeedCursor[]> {
    const cursors: ChangeFeedCursor[] = [];
    for (const batch of chunks(subscriptionIds)) {
      const rows = await this.db('resource_change_cursors')
        .whereIn('subscription_id', batch)
        .select();
      for (const row of rows) {
        cursors.push({
          subscriptionId: row.subscription_id,
          cursor: row.change_cursor,
          fullListingAt: row.full_listing_at,
          fullListingSettings: row.full_listing_settings,
        });
      }
    }
    return cursors;
  }

  async loadSyncedResources(keys: string[]): Promise<SyncedResource[]> {
    const resources: SyncedResource[] = [];
    for (const batch of chunks(keys)) {
      const rows: ResourceRow[] = await this.db<ResourceRow>('resources')
        .whereIn('resource_key', batch)
        .select();
      for (const row of rows) {
        resources.push({
          key: row.resource_key,
          resourceId: row.resource_id,
          subscriptionId: row.subscription_id,
          tenantId: row.tenant_id,
          resourceGroup: row.resource_group,
          name: row.name,
          type: row.type,
          ...(row.location ? { location: row.location } : {}),
          ...(row.kind ? { kind: row.kind } : {}),
          ...(row.tags ? { tags: JSON.parse(row.tags) } : {}),
          ...(row.created_time ? { createdTime: row.created_time } : {}),
          ...(row.changed_time ? { changedTime: row.changed_time } : {}),
          contentHash: row.content_hash ?? '',
        });
      }
    }
    return resources;
  }

  async countResources(subscriptionId: string): Promise<number> {
    const row = await this.db('resources')
      .where({ subscription_id: subscriptionId })
      .count({ count: '*' })
      .first();
    return Number(row?.count ?? 0);
  }

  async listResources(options: {
    cursor?: string;
    limit: number;
  }): Promise<AzureResourcePage> {
    const revisionRow = await this.db('sync_counters')
      .where({ name: 'revision' })
      .first('value');
    const query = this.db<ResourceRow>('resources')
      .orderBy('resource_key')
      .limit(options.limit + 1);
    if (options.cursor)
      query.where('resource_key', '>', decodeCursor(options.cursor));
    const rows = await query;
    const page = rows.slice(0, options.limit);
    return {
      items: page.map(toResourceRecord),
      ...(rows.length > options.limit
        ? { nextCursor: encodeCursor(page[page.length - 1].resource_key) }
        : {}),
      revision: Number(revisionRow?.value ?? 0),
    };
  }

  async listChanges(options: {
    after: number;
    limit: number;
  }): Promise<AzureResourceChanges> {
    const changedRows = await this.db<ResourceRow>('resources')
      .where('revision', '>', options.after)
      .orderBy('revision')
      .limit(options.limit + 1);
    const removedRows = await this.db<TombstoneRow>('resource_tombstones')
      .where('revision', '>', options.after)
      .orderBy('revision')
      .limit(options.limit + 1);
    // Merge both by revision and cut at the limit, so that the returned revision covers exactly what is returned.
    type Entry =
      | { revision: number; row: ResourceRow; gone: false }
      | { revision: number; row: TombstoneRow; gone: true };
    const merged: Entry[] = [
      ...changedRows.map(row => ({
        revision: Number(row.revision),
        row,
        gone: false as const,
      })),
      ...removedRows.map(row => ({
        revision: Number(row.revision),
        row,
        gone: true as const,
      })),
    ].sort((a, b) => a.revision - b.revision);
    const taken = merged.slice(0, options.limit);
    const hasMore = merged.length > options.limit;
    const changed: AzureResourceRecord[] = [];
    const removed: AzureResourceChanges['removed'] = [];
    for (const entry of taken) {
      if (entry.gone) {
        removed.push({
          resourceId: entry.row.resource_id,
          subscriptionId: entry.row.subscription_id,
          revision: entry.revision,
        });
      } else {
        changed.push(toResourceRecord(entry.row));
      }
    }
    return {
      changed,
      removed,
      revision:
        taken.length > 0 ? taken[taken.length - 1].revision : options.after,
      hasMore,
    };
  }

  async listResourceGroups(
    subscriptionId: string,
  ): Promise<StoredResourceGroup[]> {
    const rows: Array<{ name: string; tags: string | null }> = await this.db(
      'resource_groups',
    )
      .where({ subscription_id: subscriptionId.toLowerCase() })
      .orderBy('name')
      .select('name', 'tags');
    return rows.map(row => ({
      name: row.name,
      ...(row.tags ? { tags: JSON.parse(row.tags) } : {}),
    }));
  }

  async listResourceGroupSummaries(options: {
    subscriptionId?: string;
    cursor?: string;
    limit: number;
  }): Promise<AzureResourceGroupPage> {
    const query = this.db('resource_groups')
      .orderBy([{ column: 'subscription_id' }, { column: 'name' }])
      .limit(options.limit + 1)
      .select('subscription_id', 'name', 'location', 'tags');
    if (options.subscriptionId) {
      query.where({ subscription_id: options.subscriptionId.toLowerCase() });
    }
    if (options.cursor) {
      const { subscriptionId, name } = decodeResourceGroupCursor(
        options.cursor,
      );
      query.where(after =>
        after
          .where('subscription_id', '>', subscriptionId)
          .orWhere(same =>
            same
              .where({ subscription_id: subscriptionId })
              .where('name', '>', name),
          ),
      );
    }
    const rows: Array<{
      subscription_id: string;
      name: string;
      location: string | null;
      tags: string | null;
    }> = await query;
    const page = rows.slice(0, options.limit);

    // Counted per type for the page's groups only, subscription by subscription (from its index).
    const counts = new Map<
      string,
      Map<string, { type: string; count: number }>
    >();
    const groupsBySubscription = new Map<string, string[]>();
    for (const row of page) {
      const names = groupsBySubscription.get(row.subscription_id) ?? [];
      names.push(row.name.toLowerCase());
      groupsBySubscription.set(row.subscription_id, names);
    }
    for (const [subscriptionId, names] of groupsBySubscription) {
      for (const batch of chunks(names)) {
        const found: Array<{ rg: string; type: string; n: number | string }> =
          await this.db('resources')
            .where({ subscription_id: subscriptionId })
            .whereRaw(
              `lower(resource_group) in (${batch.map(() => '?').join(', ')})`,
              batch,
            )
            .groupByRaw('lower(resource_group), type')
            .select(
              this.db.raw('lower(resource_group) as rg'),
              'type',
              this.db.raw('count(*) as n'),
            );
        for (const { rg, type, n } of found) {
          const key = `${subscriptionId}/${rg}`;
          const types = counts.get(key) ?? new Map();
          // ARM types compare without regard to case: one count per type, in the first casing seen.
          const typeKey = type.toLowerCase();
          const entry = types.get(typeKey) ?? { type, count: 0 };
          entry.count += Number(n);
          types.set(typeKey, entry);
          counts.set(key, types);
        }
      }
    }

    const items = page.map((row): AzureResourceGroupRecord => {
      const types = [
        ...(counts
          .get(`${row.subscription_id}/${row.name.toLowerCase()}`)
          ?.values() ?? []),
      ].sort((a, b) => b.count - a.count || compareCodeUnits(a.type, b.type));
      return {
        subscriptionId: row.subscription_id,
        name: row.name,
        ...(row.location ? { location: row.location } : {}),
        ...(row.tags ? { tags: JSON.parse(row.tags) } : {}),
        resourceCount: types.reduce((sum, t) => sum + t.count, 0),
        resourceTypes: types,
      };
    });
    const last = page[page.length - 1];
    return {
      items,
      ...(rows.length > options.limit
        ? { nextCursor: encodeCursor(`${last.subscription_id}/${last.name}`) }
        : {}),
    };
  }

  async getResource(
    resourceId: string,
  ): Promise<AzureResourceRecord | undefined> {
    const row = await this.db<ResourceRow>('resources')
      .where({ resource_key: resourceId.toLowerCase() })
      .first();
    return row ? toResourceRecord(row) : undefined;
  }

  async findResources(
    query: ResourceQuery,
  ): Promise<{ items: AzureResourceRecord[]; hasMore: boolean }> {
    // An empty list of keys would make no condition at all, and match everything.
    if (query.resourceKeys?.length === 0) return { items: [], hasMore: false };
    const rows = this.db<ResourceRow>('resources')
      .orderBy('resource_key')
      .limit(query.limit + 1);
    // The subscription's rows come from its (subscription_id, …) indexes; the other filters are checked on those
    // rows, or on the primary key's order when no subscription is given.
    if (query.subscriptionId) {
      rows.where({ subscription_id: query.subscriptionId });
    }
    if (query.afterKey) rows.where('resource_key', '>', query.afterKey);
    if (query.resourceKeys) {
      const keys = query.resourceKeys;
      rows.where(inKeys => {
        for (const batch of chunks(keys))
          inKeys.orWhereIn('resource_key', batch);
      });
    }
    if (query.resourceGroup) {
      rows.whereRaw('lower(resource_group) = lower(?)', [query.resourceGroup]);
    }
    if (query.type) rows.whereRaw('lower(type) = lower(?)', [query.type]);
    if (query.nameContains) {
      // The text is matched as written: LIKE's wildcards in it are escaped.
      const pattern = query.nameContains.replace(/[\\%_]/g, c => `\\${c}`);
      rows.whereRaw(`lower(name) LIKE lower(?) ESCAPE '\\'`, [`%${pattern}%`]);
    }
    const tagFilter =
      query.tagKey !== undefined || query.missingTag !== undefined;
    if (tagFilter && query.tagsUnknownIn?.length) {
      for (const batch of chunks(query.tagsUnknownIn)) {
        rows.whereNotIn('subscription_id', batch);
      }
    }
    if (query.tagKey !== undefined) {
      const [sql, bindings] = this.tagExists(query.tagKey, query.tagValue);
      rows.whereRaw(`EXISTS (${sql})`, bindings);
    }
    if (query.missingTag !== undefined) {
      const [sql, bindings] = this.tagExists(query.missingTag);
      rows.whereRaw(`NOT EXISTS (${sql})`, bindings);
    }
    const found = await rows;
    return {
      items: found.slice(0, query.limit).map(toResourceRecord),
      hasMore: found.length > query.limit,
    };
  }

  /**
   * A subquery that finds the tag `key` (with `value`, exactly, when given) in a row's Azure tags, stored as a JSON
   * object. Names compare with `lower()` on both sides: PostgreSQL folds every letter its locale knows, SQLite only
   * ASCII letters (a non-ASCII letter must then match its case). Tags that were never stored (null) have no tag.
   */
  private tagExists(key: string, value?: string): [string, string[]] {
    const tags = isPostgres(this.db)
      ? 'json_each_text(resources.tags::json)'
      : 'json_each(resources.tags)';
    const sql = `SELECT 1 FROM ${tags} AS tag WHERE lower(tag.key) = lower(?)`;
    return value === undefined
      ? [sql, [key]]
      : [`${sql} AND tag.value = ?`, [key, value]];
  }

  async touchResources(
    keys: string[],
  ): Promise<Array<{ subscriptionId: string; revision: number }>> {
    const highest = new Map<string, number>();
    // One transaction per batch: the revision counter stays locked only briefly, so syncs are not held up.
    for (const batch of chunks([...new Set(keys)], TOUCHES_PER_STATEMENT)) {
      await this.db.transaction(async tx => {
        const rows: Array<{ resource_key: string; subscription_id: string }> =
          await tx('resources')
            .whereIn('resource_key', batch)
            .select('resource_key', 'subscription_id');
        if (rows.length === 0) return;
        const first = await takeRevisions(tx, rows.length);
        // Each row its own revision, in one statement: the feed pages by revision, so none may share one.
        const bindings: Array<string | number> = [];
        for (const [i, row] of rows.entries()) {
          bindings.push(row.resource_key, first + i);
        }
        await tx.raw(
          `UPDATE resources SET revision = CASE resource_key ${rows
            .map(() => 'WHEN ? THEN CAST(? AS bigint)')
            .join(' ')} END WHERE resource_key IN (${rows
            .map(() => '?')
            .join(', ')})`,
          [...bindings, ...rows.map(row => row.resource_key)],
        );
        for (const [i, row] of rows.entries()) {
          highest.set(
            row.subscription_id,
            Math.max(highest.get(row.subscription_id) ?? 0, first + i),
          );
        }
      });
    }
    return [...highest].map(([subscriptionId, revision]) => ({
      subscriptionId,
      revision,
    }));
  }

  async writeAzureTags(resourceId: string, tags: Record<string, string>) {
    const key = resourceId.toLowerCase();
    return this.db.transaction(async tx => {
      const row = await tx<ResourceRow>('resources')
        .where({ resource_key: key })
        .first();
      if (!row) return undefined;
      const sorted = sortedTags(tags);
      const revision = await takeRevisions(tx, 1);
      await tx('resources')
        .where({ resource_key: key })
        .update({
          tags: JSON.stringify(sorted),
          // The next sync then sees the resource as unchanged, as long as Azure still has these tags.
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
      const revision = await takeRevisions(tx, 1);
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

function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

/** The cursor of a resource group page: `{subscriptionId}/{name}` (a subscription id is 36 characters). */
function decodeResourceGroupCursor(cursor: string): {
  subscriptionId: string;
  name: string;
} {
  const key = decodeCursor(cursor);
  return { subscriptionId: key.slice(0, 36), name: key.slice(37) };
}
