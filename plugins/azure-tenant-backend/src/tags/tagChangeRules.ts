import { InputError } from '@backstage/errors';
import {
  AzureSubscription,
  findTag,
  putTag,
  SYNC_MODE_DESCRIPTIONS,
  TagChange,
  validateTagChange,
} from '@azure-tenant/plugin-azure-tenant-common';
import { TagEditRefusal } from './ResourceTags';
import { TagValidationError } from './tagErrors';

/*
 * The rules of a tag change, apart from the service that applies them: its shape, who may make it under which sync
 * mode, whether the editor saw the current values, and what Azure's answer says was applied.
 */

/** Checks the shape of a change from a request body, and Azure's rules for the tags it names. */
export function parseTagChange(body: unknown): Required<TagChange> {
  const { set = {}, remove = [], expected = {} } = (body ?? {}) as TagChange;
  const isRecord = (v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isRecord(set)) throw new InputError('set must be an object of tags');
  if (!Array.isArray(remove)) {
    throw new InputError('remove must be an array of tag names');
  }
  if (!isRecord(expected)) {
    throw new InputError('expected must be an object of tag values or null');
  }
  for (const [name, value] of Object.entries(expected)) {
    if (value !== null && typeof value !== 'string') {
      throw new InputError(
        `expected['${name}'] must be the value you saw, or null for a tag that was absent`,
      );
    }
  }
  const problems = validateTagChange({ set, remove });
  if (problems.length > 0) throw new TagValidationError(problems);
  if (Object.keys(set).length === 0 && remove.length === 0) {
    throw new InputError('The change sets and removes no tag');
  }
  return { set, remove, expected };
}

const manageHint =
  'A portal admin with the azure-tenant.subscription.manage permission can change the sync mode on the Azure tenants page.';

/** Why tags cannot be edited under a subscription's mode, or undefined when they can. */
export function syncModeRefusal(
  subscription: AzureSubscription,
): TagEditRefusal | undefined {
  const { syncMode, subscriptionId } = subscription;
  if (syncMode === 'read-tags' || syncMode === 'read-write-tags') {
    return undefined;
  }
  const mode = SYNC_MODE_DESCRIPTIONS[syncMode];
  return {
    code: 'sync-mode',
    message: `Tags cannot be edited: subscription ${subscriptionId} is synchronized with the mode ${mode.title} (${syncMode}). ${mode.description} ${manageHint}`,
  };
}

/** Whether the portal knows that its service principal lacks Tag Contributor on the subscription. */
export function roleRefusal(
  subscription: AzureSubscription,
): TagEditRefusal | undefined {
  if (subscription.syncMode !== 'read-write-tags') return undefined;
  if (subscription.roleStatus === 'unknown') return undefined;
  const hasRole = subscription.grantedRoles.some(
    role => role.toLowerCase() === 'tag contributor',
  );
  if (hasRole) return undefined;
  return {
    code: 'role',
    message: `The portal's service principal does not hold Tag Contributor on subscription ${subscription.subscriptionId}, so it cannot write tags there. A subscription Owner can grant it with "Add more subscriptions".`,
  };
}

/** The value each `expected` tag has now, and the names whose value differs from what the editor saw. */
export function checkExpected(
  expected: Record<string, string | null>,
  tags: Record<string, string>,
) {
  const current: Record<string, string | null> = {};
  const conflicts: string[] = [];
  for (const [name, value] of Object.entries(expected)) {
    const existing = findTag(tags, name);
    const now = existing === undefined ? null : tags[existing];
    putTag(current, name, now);
    if (now !== value) conflicts.push(name);
  }
  return { current, conflicts };
}

/**
 * Whether a failed write may have reached Azure: no answer, a server error, or an answer that could not be read.
 * A 4xx other than 408 is Azure's refusal, and changes nothing.
 */
export function mayHaveReachedAzure(error: unknown): boolean {
  const statusCode = (error as { statusCode?: number })?.statusCode;
  if (statusCode === undefined) return true;
  return !(statusCode >= 400 && statusCode < 500 && statusCode !== 408);
}

export const sameTags = (
  a: Record<string, string>,
  b: Record<string, string>,
) =>
  JSON.stringify(sortedTagEntries(a)) === JSON.stringify(sortedTagEntries(b));

function sortedTagEntries(tags: Record<string, string>) {
  return Object.entries(tags).sort(([x], [y]) => {
    if (x === y) return 0;
    return x < y ? -1 : 1;
  });
}

/** The sets Azure holds with their value, and the removals it no longer holds. */
function partsApplied(
  tags: Record<string, string>,
  merge: Record<string, string>,
  removal: Record<string, string>,
) {
  const set = Object.keys(merge).filter(name => {
    const existing = findTag(tags, name);
    return existing !== undefined && tags[existing] === merge[name];
  });
  const removed = Object.keys(removal).filter(
    name => findTag(tags, name) === undefined,
  );
  return { set, removed };
}

export function changeApplied(
  tags: Record<string, string>,
  merge: Record<string, string>,
  removal: Record<string, string>,
): boolean {
  const { set, removed } = partsApplied(tags, merge, removal);
  return (
    set.length === Object.keys(merge).length &&
    removed.length === Object.keys(removal).length
  );
}

export function describeOutcome(
  tags: Record<string, string>,
  merge: Record<string, string>,
  removal: Record<string, string>,
): string {
  const { set, removed } = partsApplied(tags, merge, removal);
  const list = (names: string[]) => names.map(n => `'${n}'`).join(', ');
  const notSet = Object.keys(merge).filter(n => !set.includes(n));
  const notRemoved = Object.keys(removal).filter(n => !removed.includes(n));
  if (set.length === 0 && removed.length === 0) {
    return 'Azure did not apply the change.';
  }
  const done = [
    set.length ? `set ${list(set)}` : '',
    removed.length ? `removed ${list(removed)}` : '',
  ].filter(Boolean);
  const missing = [
    notSet.length ? `setting ${list(notSet)}` : '',
    notRemoved.length ? `removing ${list(notRemoved)}` : '',
  ].filter(Boolean);
  return `Azure applied part of the change: it ${done.join(
    ' and ',
  )}, but ${missing.join(' and ')} failed.`;
}
