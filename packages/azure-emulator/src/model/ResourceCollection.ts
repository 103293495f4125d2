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
 * deleted resources), kept apart so that the base set can stay lazy.
 */
export class ResourceCollection {
  private readonly changed = new Map<number, ResourceRecord | null>();
  private readonly addedIndexes: number[] = [];
  private readonly addedById = new Map<string, number>();
  private nextIndex: number;

  constructor(private readonly source: ResourceSource) {
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

  /** Replaces a resource, or adds it when it does not exist. Returns the stored record. */
  put(record: Omit<ResourceRecord, 'index'>): ResourceRecord {
    const existing = this.indexOf(record.id);
    if (existing !== undefined && this.changed.get(existing) !== null) {
      const stored = { ...record, index: existing };
      this.changed.set(existing, stored);
      return stored;
    }
    const index = this.nextIndex++;
    const stored = { ...record, index };
    this.changed.set(index, stored);
    this.addedIndexes.push(index);
    this.addedById.set(record.id.toLowerCase(), index);
    return stored;
  }

  /** Deletes a resource. Returns whether it existed. */
  delete(id: string): boolean {
    const index = this.indexOf(id);
    if (index === undefined || this.changed.get(index) === null) return false;
    this.changed.set(index, null);
    this.addedById.delete(id.toLowerCase());
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
