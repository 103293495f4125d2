import {
  putTag,
  TagFixKind,
  TagFixSuggestion,
  TagViolation,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  CompiledTagPolicy,
  comparableTagText,
  findPolicyTag,
  FoundTag,
  inheritanceParents,
  listedSpelling,
  policyApplies,
  TagPolicyContext,
  TagPolicySubject,
  valueProblem,
} from './tagPolicyRules';

/** What {@link suggestTagFixes} needs beyond the resource and its policies. */
export interface TagFixContext extends TagPolicyContext {
  /** The effective tags of the other resources of the resource's group (not the resource itself). */
  siblings?: Array<Record<string, string>>;
}

/** Siblings that must agree on an owner before it is suggested. */
const MIN_AGREEING_SIBLINGS = 2;

type Fix = Pick<TagFixSuggestion, 'kind' | 'reason'> & {
  set: Record<string, string>;
  remove?: string[];
  expected: Record<string, string | null>;
};

function record<T>(entries: Array<[string, T]>): Record<string, T> {
  const result: Record<string, T> = {};
  for (const [name, value] of entries) putTag(result, name, value);
  return result;
}

/**
 * The fixes for a resource's violations, at most one per policy (the planner merges those of one resource). Each
 * fix's `expected` holds what it saw for every tag it sets or removes (`null` when absent), so that the tag write
 * path refuses it when the tags changed since. No fix when it is unsure: a parent or siblings without one valid
 * value, a value the list spells two ways, a name that only looks like the key (Unicode NFC and NFD).
 *
 * Besides fixing violations, a value that a case-insensitive list allows in another case gets the list's spelling
 * (`canonical-value`), as `TagValueRule` describes.
 */
export function suggestTagFixes(
  s: TagPolicySubject,
  violations: TagViolation[],
  policies: CompiledTagPolicy[],
  ctx: TagFixContext,
): TagFixSuggestion[] {
  if (!s.tags) return [];
  const suggestions: TagFixSuggestion[] = [];
  for (const p of policies) {
    if (!policyApplies(p, s)) continue;
    const codes = new Set(
      violations.filter(v => v.policyId === p.policy.id).map(v => v.code),
    );
    const found = findPolicyTag(p, s.tags);
    let fix: Fix | undefined;
    if (found) {
      fix = codes.has('non-canonical-key')
        ? canonicalKey(p, found)
        : canonicalValue(p, found);
    } else if (codes.has('not-inherited') || codes.has('missing')) {
      fix =
        (codes.has('not-inherited') ? inherit(p, s, ctx) : undefined) ??
        ownerFromResourceGroup(p, s, ctx) ??
        ownerFromSiblings(p, s, ctx);
    }
    if (fix) {
      suggestions.push({
        resourceId: s.resourceId,
        subscriptionId: s.subscriptionId,
        policyId: p.policy.id,
        kind: fix.kind,
        change: {
          set: fix.set,
          remove: fix.remove ?? [],
          expected: fix.expected,
        },
        reason: fix.reason,
      });
    }
  }
  return suggestions;
}

/** The value to write for a value that passes the rule: the list's spelling when the list has one. */
function preferredValue(p: CompiledTagPolicy, value: string): string {
  return listedSpelling(p.policy.values, value) ?? value;
}

function canonicalKey(p: CompiledTagPolicy, found: FoundTag): Fix | undefined {
  const { key } = p.policy;
  // How the tag write path compares names (findTag): a case-only variant is renamed by setting the key alone.
  const caseOnly = found.name.toLowerCase() === key.toLowerCase();
  if (!caseOnly && comparableTagText(found.name) === comparableTagText(key)) {
    // The same letters encoded otherwise (NFD): the write path refuses a name that looks like an existing one.
    return undefined;
  }
  const value = preferredValue(p, found.value);
  const valueNote =
    value === found.value
      ? ''
      : ` The policy's list spells its value '${found.value}' as '${value}'.`;
  return {
    kind: 'canonical-key',
    set: record([[key, value]]),
    ...(caseOnly ? {} : { remove: [found.name] }),
    expected: caseOnly
      ? record([[key, found.value]])
      : record<string | null>([
          [key, null],
          [found.name, found.value],
        ]),
    reason: `${
      caseOnly
        ? `The tag '${found.name}' is the key '${key}' spelled otherwise.`
        : `The tag '${found.name}' is another name of the key '${key}'.`
    }${valueNote}`,
  };
}

function canonicalValue(
  p: CompiledTagPolicy,
  found: FoundTag,
): Fix | undefined {
  const value = listedSpelling(p.policy.values, found.value);
  if (value === undefined || value === found.value) return undefined;
  const { key } = p.policy;
  return {
    kind: 'canonical-value',
    set: record([[key, value]]),
    expected: record([[key, found.value]]),
    reason: `The policy's list spells the value '${found.value}' of the tag '${key}' as '${value}'.`,
  };
}

function fromParent(
  kind: TagFixKind,
  p: CompiledTagPolicy,
  tag: FoundTag,
  where: string,
  ctx: TagPolicyContext,
): Fix | undefined {
  if (valueProblem(p, tag.name, tag.value, ctx.owners)) return undefined;
  const { key } = p.policy;
  const value = preferredValue(p, tag.value);
  const ref =
    p.policy.values?.kind === 'catalog-entity'
      ? ctx.owners.resolve(tag.value)
      : undefined;
  return {
    kind,
    set: record([[key, value]]),
    expected: record([[key, null]]),
    reason: `${where} has ${tag.name}=${tag.value}${
      ref ? `, which names ${ref}` : ''
    }.`,
  };
}

function describeParent(
  parent: 'resource-group' | 'subscription',
  s: TagPolicySubject,
): string {
  return parent === 'resource-group'
    ? `The resource group ${s.resourceGroup}`
    : `The subscription ${s.subscriptionId}`;
}

function inherit(
  p: CompiledTagPolicy,
  s: TagPolicySubject,
  ctx: TagPolicyContext,
): Fix | undefined {
  // The first parent that has the key decides, as inheritance does: a value that fails the rule is not passed on, and
  // the next parent is not tried in its place.
  for (const { parent, tags } of inheritanceParents(p.policy.inherit, ctx)) {
    const tag = findPolicyTag(p, tags);
    if (tag) {
      return fromParent('inherit', p, tag, describeParent(parent, s), ctx);
    }
  }
  return undefined;
}

function ownerFromResourceGroup(
  p: CompiledTagPolicy,
  s: TagPolicySubject,
  ctx: TagPolicyContext,
): Fix | undefined {
  if (p.policy.values?.kind !== 'catalog-entity') return undefined;
  const tag = findPolicyTag(p, ctx.resourceGroupTags);
  return tag
    ? fromParent(
        'owner-from-resource-group',
        p,
        tag,
        describeParent('resource-group', s),
        ctx,
      )
    : undefined;
}

function ownerFromSiblings(
  p: CompiledTagPolicy,
  s: TagPolicySubject,
  ctx: TagFixContext,
): Fix | undefined {
  if (p.policy.values?.kind !== 'catalog-entity') return undefined;
  const counts = new Map<string, number>();
  for (const tags of ctx.siblings ?? []) {
    const tag = findPolicyTag(p, tags);
    if (tag && !valueProblem(p, tag.name, tag.value, ctx.owners)) {
      counts.set(tag.value, (counts.get(tag.value) ?? 0) + 1);
    }
  }
  if (counts.size !== 1) return undefined;
  const [[value, count]] = [...counts];
  if (count < MIN_AGREEING_SIBLINGS) return undefined;
  const { key } = p.policy;
  const ref = ctx.owners.resolve(value);
  return {
    kind: 'owner-from-siblings',
    set: record([[key, value]]),
    expected: record([[key, null]]),
    reason: `${count} other resources of the resource group ${
      s.resourceGroup
    } have ${key}=${value}${
      ref ? `, which names ${ref}` : ''
    }, and none has another valid value.`,
  };
}
