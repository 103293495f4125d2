import {
  findTag,
  ownTag,
  putTag,
  ResourceTags,
  TagProblem,
  validateTagChange,
} from '@azure-tenant/plugin-azure-tenant-common';

/** One line of the editor: a tag the resource has (`original`), or one being added. */
export interface TagDraftRow {
  /** React key, stable while the row lives. */
  key: string;
  /** The tag's name as the resource has it; undefined for a tag being added. */
  original?: string;
  name: string;
  value: string;
  /** An existing tag marked for removal. */
  removed: boolean;
}

/** A change as `PATCH /tags` takes it. */
export interface PendingTagChange {
  set: Record<string, string>;
  remove: string[];
  expected: Record<string, string | null>;
}

/**
 * The tags the editor starts from, which `expected` refers to: Azure's under `read-write-tags`; under `read-tags`
 * Azure's with the portal-only ones over them, as the backend checks them.
 */
export function editableTags(tags: ResourceTags): Record<string, string> {
  const base: Record<string, string> = { ...(tags.liveTags ?? tags.tags) };
  if (tags.syncMode === 'read-tags') {
    for (const [name, value] of Object.entries(tags.portalTags ?? {})) {
      const existing = findTag(base, name);
      if (existing !== undefined) delete base[existing];
      putTag(base, name, value);
    }
  }
  return base;
}

let nextKey = 0;
/** A key for a new row. */
export function newRowKey(): string {
  nextKey += 1;
  return `new-${nextKey}`;
}

export function draftRows(base: Record<string, string>): TagDraftRow[] {
  return Object.entries(base)
    .sort(([a], [b]) => a.localeCompare(b, undefined, { sensitivity: 'base' }))
    .map(([name, value]) => ({
      key: `tag-${name}`,
      original: name,
      name,
      value,
      removed: false,
    }));
}

/** Only what changed: edited and added tags in `set`, removed ones in `remove`, and what the editor saw of each. */
export function pendingChange(
  rows: TagDraftRow[],
  base: Record<string, string>,
): PendingTagChange {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const row of rows) {
    if (row.original !== undefined) {
      if (row.removed) remove.push(row.original);
      else if (row.value !== ownTag(base, row.original)) {
        putTag(set, row.original, row.value);
      }
    } else if (!row.removed) {
      putTag(set, row.name, row.value);
    }
  }
  return { set, remove, expected: expectedOf(base, set, remove) };
}

/** The value the editor saw of every tag a change names; `null` for an absent tag. */
export function expectedOf(
  base: Record<string, string>,
  set: Record<string, string>,
  remove: string[],
): Record<string, string | null> {
  const expected: Record<string, string | null> = {};
  for (const name of [...Object.keys(set), ...remove]) {
    const existing = findTag(base, name);
    putTag(expected, name, existing === undefined ? null : base[existing]);
  }
  return expected;
}

export function isEmptyChange(
  change: Pick<PendingTagChange, 'set' | 'remove'>,
) {
  return Object.keys(change.set).length === 0 && change.remove.length === 0;
}

/**
 * The problems of a draft: Azure's rules from the common package, plus a tag added under the name of one that is
 * already in the list (setting it would silently replace the other, since names are case-insensitive).
 */
export function draftProblems(
  rows: TagDraftRow[],
  base: Record<string, string>,
  change: PendingTagChange,
): TagProblem[] {
  const problems = validateTagChange({
    current: base,
    set: change.set,
    remove: change.remove,
  });
  const seen = new Map<string, string>();
  for (const row of rows) {
    if (row.original !== undefined && !row.removed) {
      seen.set(row.original.toLowerCase(), row.original);
    }
  }
  for (const row of rows) {
    if (row.original !== undefined || row.removed || !row.name.trim()) continue;
    const lower = row.name.toLowerCase();
    const other = seen.get(lower);
    if (
      other !== undefined &&
      !problems.some(p => p.tag === row.name && p.code === 'duplicate-name')
    ) {
      problems.push({
        tag: row.name,
        code: 'duplicate-name',
        message: `The resource already has the tag '${other}': tag names are case-insensitive, so edit its value instead.`,
      });
    }
    seen.set(lower, row.name);
  }
  return problems;
}

/** The problems that belong to a row: those naming it as the change spells it. */
export function rowProblems(
  row: TagDraftRow,
  problems: TagProblem[],
): TagProblem[] {
  const name = row.original ?? row.name;
  return problems.filter(p => p.tag === name);
}

/** The names in a change whose value Azure changed since the editor read it. */
export function changedInAzure(
  change: PendingTagChange,
  current: Record<string, string | null>,
): string[] {
  return Object.keys(change.expected).filter(
    name => (ownTag(current, name) ?? null) !== ownTag(change.expected, name),
  );
}

/**
 * Merge after a conflict: the user's edits of tags Azure did not change, with Azure's values for those it did (the
 * user's edits of those are dropped). `expected` is Azure's current value of each tag kept.
 */
export function mergedChange(
  change: PendingTagChange,
  current: Record<string, string | null>,
): { change: PendingTagChange; taken: string[] } {
  const taken = changedInAzure(change, current);
  const keep = (name: string) => !taken.includes(name);
  const set = Object.fromEntries(
    Object.entries(change.set).filter(([name]) => keep(name)),
  );
  const remove = change.remove.filter(keep);
  const expected = Object.fromEntries(
    [...Object.keys(set), ...remove].map(name => [
      name,
      ownTag(current, name) ?? ownTag(change.expected, name) ?? null,
    ]),
  );
  return { change: { set, remove, expected }, taken };
}
