import crypto from 'node:crypto';

/**
 * What the content hash of a resource covers: everything the sync stores of it, apart from what is derived from the
 * resource id (its key, subscription and resource group). Times are epoch milliseconds, so the sync can hash the
 * SDK's `Date` objects and the tag store the stored ISO strings, and both get the same hash.
 */
export interface ResourceHashInput {
  resourceId: string;
  tenantId: string;
  name: string;
  type: string;
  location?: string;
  kind?: string;
  /** Absent when the sync mode keeps no tags. In any order. */
  tags?: Record<string, string>;
  createdTimeMs?: number;
  changedTimeMs?: number;
}

/** Appends a field with its length in front, so that no two different inputs give the same text. */
function field(value: string | number | undefined): string {
  if (value === undefined) return '-';
  const text = String(value);
  return `${text.length}:${text}`;
}

/**
 * The content hash of a stored resource: SHA-256 (base64url) over its fields, each prefixed with its length, and
 * its tags sorted by name. The sync compares it with the stored one to tell what changed without building a record;
 * a tag write recomputes it, so the next sync rewrites the row only when Azure differs from it.
 *
 * It is computed for every resource of every sync, so it avoids intermediate objects: a no-change re-sync of a large
 * tenant spends most of its time here and in the SDK.
 */
export function resourceContentHash(resource: ResourceHashInput): string {
  let text =
    field(resource.resourceId) +
    field(resource.tenantId) +
    field(resource.name) +
    field(resource.type) +
    field(resource.location || undefined) +
    field(resource.kind || undefined) +
    field(resource.createdTimeMs) +
    field(resource.changedTimeMs);
  const tags = resource.tags;
  if (tags) {
    const names = Object.keys(tags);
    if (!isSorted(names)) names.sort(compareCodeUnits);
    text += `t${names.length}`;
    for (const name of names) text += field(name) + field(tags[name]);
  } else {
    text += '-';
  }
  return crypto.hash('sha256', text, 'base64url');
}

/** Epoch milliseconds of a stored ISO time, for {@link ResourceHashInput}. */
export function timeMs(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

function isSorted(names: string[]): boolean {
  for (let i = 1; i < names.length; i++) {
    if (!(names[i - 1] < names[i])) return false;
  }
  return true;
}

/** Tags in a stable order (by name), so the same tags are always stored the same way. */
export function sortedTags(
  tags: Record<string, string>,
): Record<string, string> {
  // Tags that are already sorted are returned as they are.
  if (isSorted(Object.keys(tags))) return tags;
  return Object.fromEntries(
    // Code-unit order: stable everywhere, and much cheaper than localeCompare on 100,000 resources.
    Object.entries(tags).sort(([a], [b]) => compareCodeUnits(a, b)),
  );
}

/** Orders strings by UTF-16 code unit, the same on every machine and locale. */
export function compareCodeUnits(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
