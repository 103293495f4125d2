import { createHash } from 'node:crypto';
import {
  compileTagValuePattern,
  TagInheritance,
  TagPolicy,
  TagValuePattern,
  TagValueRule,
  TagViolation,
} from '@azure-tenant/plugin-azure-tenant-common';
import type { AzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import { InputError } from '@backstage/errors';

/** A tag policy with its patterns and names compiled once, for evaluating many resources. */
export interface CompiledTagPolicy {
  policy: TagPolicy;
  /** The comparable forms (NFC, lower case) of the key, then of each alias in order. */
  readonly names: string[];
  readonly subscriptionIds?: ReadonlySet<string>;
  readonly resourceGroup?: RegExp;
  readonly resourceTypes?: ReadonlySet<string>;
  /** The whole-value matcher of a `pattern` rule. */
  readonly valuePattern?: TagValuePattern;
}

/** A resource as the policies see it. */
export interface TagPolicySubject {
  resourceId: string;
  subscriptionId: string;
  resourceGroup: string;
  type: string;
  /** effective tags; undefined = tags not kept */
  tags?: Record<string, string>;
}

/** What the policies need beyond the resource itself. */
export interface TagPolicyContext {
  resourceGroupTags?: Record<string, string>;
  subscriptionTags?: Record<string, string>;
  owners: Pick<AzureOwnerDirectory, 'resolve'> & {
    /** The kind of a resolved ref; by default the ref's own kind (`group:default/x` is a group). */
    kindOf?(ref: string): 'group' | 'user' | undefined;
  };
}

/** A tag of a resource read as a policy's key. */
export interface FoundTag {
  /** The tag's name as the resource spells it. */
  name: string;
  value: string;
}

/** Why a value breaks a policy's value rule. */
interface ValueProblem {
  code: Extract<
    TagViolation['code'],
    'value-not-allowed' | 'value-pattern-mismatch' | 'value-not-catalog-entity'
  >;
  message: string;
}

/** How many allowed values a message names before it says how many more there are. */
const LISTED_VALUES_IN_MESSAGE = 10;

/** A tag name or value as policies compare them case-insensitively: Unicode NFC, lower case. */
export function comparableTagText(text: string): string {
  return text.normalize('NFC').toLowerCase();
}

function globToRegExp(glob: string): RegExp {
  const source = [...glob]
    .map(char => {
      if (char === '*') return '.*';
      if (char === '?') return '.';
      // Only syntax characters: Unicode mode refuses an escaped `-` outside a class.
      return char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`, 'iu');
}

/**
 * Compiles policies for {@link evaluateTagPolicies}. Throws an `InputError` naming the policy when its value pattern
 * is not a regular expression {@link compileTagValuePattern} accepts.
 */
export function compileTagPolicies(policies: TagPolicy[]): CompiledTagPolicy[] {
  return policies.map(policy => {
    const { scope, values } = policy;
    let valuePattern: TagValuePattern | undefined;
    if (values?.kind === 'pattern') {
      try {
        valuePattern = compileTagValuePattern(values.pattern);
      } catch (error) {
        throw new InputError(
          `The tag policy '${policy.name}' (${
            policy.id
          }) has a value pattern that is not a regular expression: ${
            (error as Error).message
          }`,
        );
      }
    }
    return {
      policy,
      names: [policy.key, ...(policy.aliases ?? [])].map(comparableTagText),
      ...(scope?.subscriptionIds
        ? {
            subscriptionIds: new Set(
              scope.subscriptionIds.map(id => id.toLowerCase()),
            ),
          }
        : {}),
      ...(scope?.resourceGroupPattern
        ? { resourceGroup: globToRegExp(scope.resourceGroupPattern) }
        : {}),
      ...(scope?.resourceTypes
        ? {
            resourceTypes: new Set(
              scope.resourceTypes.map(type => type.toLowerCase()),
            ),
          }
        : {}),
      ...(valuePattern ? { valuePattern } : {}),
    };
  });
}

function sortedLower(items: string[] | undefined): string[] | null {
  return items
    ? [...new Set(items.map(item => item.toLowerCase()))].sort()
    : null;
}

function normalizedValueRule(rule: TagValueRule | undefined) {
  switch (rule?.kind) {
    case 'list':
      return {
        kind: rule.kind,
        values: rule.values,
        caseSensitive: rule.caseSensitive ?? false,
      };
    case 'pattern':
      return { kind: rule.kind, pattern: rule.pattern };
    case 'catalog-entity':
      return {
        kind: rule.kind,
        entityKinds: [...new Set(rule.entityKinds ?? ['group', 'user'])].sort(),
      };
    default:
      return null;
  }
}

/**
 * A sha256 of everything in the policies that changes what {@link evaluateTagPolicies} answers (ids, names, keys,
 * aliases, rules, inheritance, scopes), and of nothing else (descriptions, authors, times). Equal for policies given in
 * another order or with an absent default spelled out.
 */
export function tagPoliciesFingerprint(policies: TagPolicy[]): string {
  const normalized = [...policies]
    // By code unit, not locale: the same policies give the same fingerprint on every machine.
    .sort((a, b) => Number(a.id > b.id) - Number(a.id < b.id))
    .map(policy => ({
      id: policy.id,
      name: policy.name,
      key: policy.key,
      aliases: policy.aliases ?? [],
      required: policy.required ?? false,
      values: normalizedValueRule(policy.values),
      inherit: policy.inherit ?? null,
      scope: {
        subscriptionIds: sortedLower(policy.scope?.subscriptionIds),
        resourceGroupPattern: policy.scope?.resourceGroupPattern ?? null,
        resourceTypes: sortedLower(policy.scope?.resourceTypes),
      },
    }));
  return createHash('sha256').update(JSON.stringify(normalized)).digest('hex');
}

/** Whether a policy's scope takes in the resource. */
export function policyApplies(
  p: CompiledTagPolicy,
  s: TagPolicySubject,
): boolean {
  if (
    p.subscriptionIds &&
    !p.subscriptionIds.has(s.subscriptionId.toLowerCase())
  ) {
    return false;
  }
  if (p.resourceGroup && !p.resourceGroup.test(s.resourceGroup)) {
    return false;
  }
  if (p.resourceTypes && !p.resourceTypes.has(s.type.toLowerCase())) {
    return false;
  }
  return true;
}

/**
 * The tag of `tags` read as the policy's key: one named `key` or an alias, case-insensitively (NFC). When several
 * are, the exact canonical spelling wins, then the key in another case, then the aliases in the policy's order.
 */
export function findPolicyTag(
  p: CompiledTagPolicy,
  tags: Record<string, string> | undefined,
): FoundTag | undefined {
  if (!tags) return undefined;
  let best: { name: string; rank: number } | undefined;
  for (const name of Object.keys(tags)) {
    let rank = -1;
    if (name !== p.policy.key) {
      rank = p.names.indexOf(comparableTagText(name));
      if (rank < 0) continue;
    }
    if (!best || rank < best.rank || (rank === best.rank && name < best.name)) {
      best = { name, rank };
    }
  }
  return best && { name: best.name, value: tags[best.name] };
}

/** The parents `inherit` names, in the order they are tried. */
export function inheritanceParents(
  inherit: TagInheritance | undefined,
  ctx: Pick<TagPolicyContext, 'resourceGroupTags' | 'subscriptionTags'>,
): Array<{
  parent: 'resource-group' | 'subscription';
  tags?: Record<string, string>;
}> {
  const resourceGroup = {
    parent: 'resource-group' as const,
    tags: ctx.resourceGroupTags,
  };
  const subscription = {
    parent: 'subscription' as const,
    tags: ctx.subscriptionTags,
  };
  switch (inherit) {
    case 'resource-group':
      return [resourceGroup];
    case 'subscription':
      return [subscription];
    case 'resource-group-then-subscription':
      return [resourceGroup, subscription];
    default:
      return [];
  }
}

/** The list's spelling of a value that matches one listed value but for case, or undefined. */
export function listedSpelling(
  rule: TagValueRule | undefined,
  value: string,
): string | undefined {
  if (rule?.kind !== 'list') return undefined;
  const wanted = comparableTagText(value);
  const matches = [
    ...new Set(rule.values.filter(v => comparableTagText(v) === wanted)),
  ];
  return matches.length === 1 ? matches[0] : undefined;
}

function describeValues(values: string[]): string {
  const shown = values
    .slice(0, LISTED_VALUES_IN_MESSAGE)
    .map(value => `'${value}'`)
    .join(', ');
  const more = values.length - LISTED_VALUES_IN_MESSAGE;
  return more > 0 ? `${shown} and ${more} more` : shown;
}

function describeKinds(kinds: Array<'group' | 'user'>): string {
  return kinds.length === 1
    ? `a catalog ${kinds[0]}`
    : 'a catalog group or user';
}

/** Why a value breaks the policy's value rule, or undefined when it passes (or there is no rule). */
export function valueProblem(
  p: CompiledTagPolicy,
  tagName: string,
  value: string,
  owners: TagPolicyContext['owners'],
): ValueProblem | undefined {
  const rule = p.policy.values;
  switch (rule?.kind) {
    case 'list': {
      const allowed = rule.caseSensitive
        ? rule.values.some(v => v.normalize('NFC') === value.normalize('NFC'))
        : rule.values.some(
            v => comparableTagText(v) === comparableTagText(value),
          );
      return allowed
        ? undefined
        : {
            code: 'value-not-allowed',
            message: `The value '${value}' of the tag '${tagName}' is not one of the allowed values ${describeValues(
              rule.values,
            )}${rule.caseSensitive ? ' (case-sensitive)' : ''}.`,
          };
    }
    case 'pattern':
      return p.valuePattern?.matches(value)
        ? undefined
        : {
            code: 'value-pattern-mismatch',
            message: `The value '${value}' of the tag '${tagName}' does not match the pattern ${rule.pattern}.`,
          };
    case 'catalog-entity': {
      const kinds = rule.entityKinds ?? ['group', 'user'];
      const ref = owners.resolve(value);
      if (!ref) {
        return {
          code: 'value-not-catalog-entity',
          message: `The value '${value}' of the tag '${tagName}' names no ${describeKinds(
            kinds,
          ).replace(/^a /, '')}.`,
        };
      }
      const kind = entityKind(ref, owners);
      if (!kind || !kinds.includes(kind)) {
        return {
          code: 'value-not-catalog-entity',
          message: `The value '${value}' of the tag '${tagName}' names ${ref}, but the policy allows only ${describeKinds(
            kinds,
          )}.`,
        };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function entityKind(
  ref: string,
  owners: TagPolicyContext['owners'],
): 'group' | 'user' | undefined {
  if (owners.kindOf) return owners.kindOf(ref);
  const kind = ref.slice(0, ref.indexOf(':')).toLowerCase();
  return kind === 'group' || kind === 'user' ? kind : undefined;
}

function parentName(
  parent: 'resource-group' | 'subscription',
  s: TagPolicySubject,
): string {
  return parent === 'resource-group'
    ? `its resource group ${s.resourceGroup}`
    : `its subscription ${s.subscriptionId}`;
}

/**
 * The ways a resource breaks the policies that apply to it, in the policies' order. Empty when its tags are not
 * kept (`tags` undefined): its compliance is unknown, not compliant.
 */
export function evaluateTagPolicies(
  s: TagPolicySubject,
  policies: CompiledTagPolicy[],
  ctx: TagPolicyContext,
): TagViolation[] {
  if (!s.tags) return [];
  const violations: TagViolation[] = [];
  for (const p of policies) {
    if (!policyApplies(p, s)) continue;
    const { policy } = p;
    const base = {
      policyId: policy.id,
      policyName: policy.name,
      key: policy.key,
    };
    const found = findPolicyTag(p, s.tags);
    if (!found) {
      const inherited = inheritanceParents(policy.inherit, ctx)
        .map(({ parent, tags }) => ({ parent, tag: findPolicyTag(p, tags) }))
        .find(({ tag }) => tag !== undefined);
      if (inherited?.tag) {
        violations.push({
          ...base,
          code: 'not-inherited',
          message: `The tag '${policy.key}' is missing, but ${parentName(
            inherited.parent,
            s,
          )} has ${inherited.tag.name}=${
            inherited.tag.value
          } for it to inherit.`,
        });
      } else if (policy.required) {
        violations.push({
          ...base,
          code: 'missing',
          message: `The required tag '${policy.key}' is missing.`,
        });
      }
      continue;
    }
    const foundTag = { key: found.name, value: found.value };
    if (found.name !== policy.key) {
      const isAlias =
        comparableTagText(found.name) !== comparableTagText(policy.key);
      violations.push({
        ...base,
        code: 'non-canonical-key',
        found: foundTag,
        message: isAlias
          ? `The tag '${found.name}' is another name of '${policy.key}' and should be renamed '${policy.key}'.`
          : `The tag '${found.name}' should be spelled '${policy.key}'.`,
      });
    }
    const problem = valueProblem(p, found.name, found.value, ctx.owners);
    if (problem) {
      violations.push({ ...base, ...problem, found: foundTag });
    }
  }
  return violations;
}
