import {
  ChangeLog,
  ChangeWriteOptions,
  PropertyChange,
  portalActor,
  propertyChange,
  tagChanges,
} from './ChangeLog';
import { ResourceRecord } from './ResourceRecord';

/**
 * A read-only base set of resources, addressed by index. Fixture resources are an array;
 * generated resources are computed from their index on demand, so 200,000 of them cost no memory.
 */
export interface ResourceSource {
  readonly count: number;
  at(index: number): ResourceRecord;
  /** The index of the resource with this (lower-cased) id, if the base set has it. */
  indexOfId(lowerCaseId: string): number | undefined;
}

/** An array-backed {@link ResourceSource}. */
export function createArrayResourceSource(
  records: ResourceRecord[],
): ResourceSource {
  const byId = new Map(records.map((r, i) => [r.id.toLowerCase(), i]));
  return {
    count: records.length,
    at: index => records[index],
    indexOfId: id => byId.get(id),
  };
}

/**
 * The resources of one subscription: a base set plus the changes made since (tag edits, added and
 * deleted resources), kept apart so that the base set can stay lazy. Every put and delete leaves a change record in
 * the change log it is given (Resource Graph's `resourcechanges`), unless the write says `omitFromChangeFeed`.
 */
export class ResourceCollection {
  private readonly changed = new Map<number, ResourceRecord | null>();
  private readonly addedIndexes: number[] = [];
  private readonly addedById = new Map<string, number>();
  private nextIndex: number;

  constructor(
    private readonly source: ResourceSource,
    private readonly changes?: ChangeLog,
  ) {
    this.nextIndex = source.count;
  }

  /** Every live resource, in index order, starting after the given index. */
  *entries(afterIndex = -1): IterableIterator<ResourceRecord> {
    for (let i = Math.max(0, afterIndex + 1); i < this.source.count; i++) {
      const changed = this.changed.get(i);
      if (changed === null) continue;
      yield changed ?? this.source.at(i);
    }
    for (const i of this.addedIndexes) {
      if (i <= afterIndex) continue;
      const record = this.changed.get(i);
      if (record) yield record;
    }
  }

  /** The resource with this id (case-insensitive), if it exists. */
  get(id: string): ResourceRecord | undefined {
    const index = this.indexOf(id);
    if (index === undefined) return undefined;
    if (this.changed.has(index)) return this.changed.get(index) ?? undefined;
    return this.source.at(index);
  }

  /**
   * Replaces a resource, or adds it when it does not exist. Returns the stored record. The change record's time is
   * the record's `changedTime`, so that a reader of the change feed and a reader of the listing see the same time.
   */
  put(
    record: Omit<ResourceRecord, 'index'>,
    options: ChangeWriteOptions & { operation?: string } = {},
  ): ResourceRecord {
    const existing = this.indexOf(record.id);
    const previous = existing === undefined ? undefined : this.get(record.id);
    let stored: ResourceRecord;
    if (existing !== undefined && previous) {
      stored = { ...record, index: existing };
      this.changed.set(existing, stored);
    } else {
      const index = this.nextIndex++;
      stored = { ...record, index };
      this.changed.set(index, stored);
      this.addedIndexes.push(index);
      this.addedById.set(record.id.toLowerCase(), index);
    }
    if (this.changes && !options.omitFromChangeFeed) {
      this.changes.append({
        subscriptionId: stored.subscriptionId,
        targetResourceId: stored.id,
        targetResourceType: stored.type,
        changeType: previous ? 'Update' : 'Create',
        timestampMs: Date.parse(stored.changedTime),
        operation: options.operation ?? `${stored.type}/write`,
        actor: options.actor ?? portalActor(),
        // As in the spec example, a Create lists no property changes.
        changes: previous ? resourceChanges(previous, stored) : {},
      });
    }
    return stored;
  }

  /** Deletes a resource. Returns whether it existed. */
  delete(id: string, options: ChangeWriteOptions = {}): boolean {
    const index = this.indexOf(id);
    if (index === undefined || this.changed.get(index) === null) return false;
    const previous = this.get(id);
    this.changed.set(index, null);
    this.addedById.delete(id.toLowerCase());
    if (previous && this.changes && !options.omitFromChangeFeed) {
      this.changes.append({
        subscriptionId: previous.subscriptionId,
        targetResourceId: previous.id,
        targetResourceType: previous.type,
        changeType: 'Delete',
        timestampMs: this.changes.now(),
        operation: `${previous.type}/delete`,
        actor: options.actor ?? portalActor(),
        changes: {},
      });
    }
    return true;
  }

  private indexOf(id: string): number | undefined {
    const lower = id.toLowerCase();
    const added = this.addedById.get(lower);
    if (added !== undefined) return added;
    const index = this.source.indexOfId(lower);
    if (index === undefined) return undefined;
    return this.changed.get(index) === null ? undefined : index;
  }
}

/** What a write changed in a resource: its tags, location, kind and SKU. */
function resourceChanges(
  before: ResourceRecord,
  after: ResourceRecord,
): Record<string, PropertyChange> {
  return {
    ...tagChanges(before.tags, after.tags),
    ...propertyChange('location', before.location, after.location),
    ...propertyChange('kind', before.kind, after.kind),
    ...propertyChange('sku.name', before.sku?.name, after.sku?.name),
  };
}
