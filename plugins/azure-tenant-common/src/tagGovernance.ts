import type { SyncMode } from './syncMode';

/**
 * Which resources a tag policy applies to. Every part is optional and they all apply together; no scope at all means
 * every resource of every connected subscription.
 *
 * @public
 */
export interface TagPolicyScope {
  /** Only resources of these subscriptions (ids, compared case-insensitively). */
  subscriptionIds?: string[];
  /**
   * Only resources whose resource group name matches this pattern, case-insensitively: `*` stands for any run of
   * characters and `?` for one, as in `rg-prod-*`. The whole name must match.
   */
  resourceGroupPattern?: string;
  /** Only resources of these ARM types, e.g. `Microsoft.Compute/virtualMachines` (compared case-insensitively). */
  resourceTypes?: string[];
}

/**
 * The values a tag policy allows for its key.
 *
 * - `list`: one of `values`; with `caseSensitive` false (the default) `Prod` matches `prod`, and the fix suggested for
 *   it is the listed spelling;
 * - `pattern`: a regular expression that must match the whole value, in RE2's syntax (JavaScript's without
 *   lookarounds and backreferences), matched in linear time (see `compileTagValuePattern`);
 * - `catalog-entity`: the value must name a catalog group or user (`entityKinds`, default both), resolved the way the
 *   catalog module resolves an owner tag: by name, by name without a `team-` prefix, by display name or title, by a
 *   user's name or email, case-insensitively.
 *
 * @public
 */
export type TagValueRule =
  | { kind: 'list'; values: string[]; caseSensitive?: boolean }
  | { kind: 'pattern'; pattern: string }
  | { kind: 'catalog-entity'; entityKinds?: Array<'group' | 'user'> };

/**
 * Where a resource takes a key from when it has none, as Azure Policy's built-ins "Inherit a tag from the resource
 * group if missing" and "Inherit a tag from the subscription if missing" do. `resource-group-then-subscription`
 * tries the resource group first.
 *
 * @public
 */
export type TagInheritance =
  | 'resource-group'
  | 'subscription'
  | 'resource-group-then-subscription';

/**
 * A tag policy as an admin writes it (in the portal, an action, or app-config under
 * `azureTenant.tagGovernance.policies`).
 *
 * A policy is about one key, in its canonical spelling (`key`). A tag whose name equals `key` but for case, or equals
 * one of `aliases` in any case, is read as that key and breaks the policy's canonical-spelling rule until renamed.
 *
 * @public
 */
export interface TagPolicyInput {
  /** A short name shown with each violation, e.g. `Owner is a catalog team`. 1 to 200 characters. */
  name: string;
  description?: string;
  /** The key in its canonical spelling, e.g. `owner`. Must be a valid Azure tag name. */
  key: string;
  /** Other names of the same key, e.g. `owned-by`, `team`. Matched case-insensitively. */
  aliases?: string[];
  /** Whether every resource in scope must have the key (in any spelling). Defaults to false. */
  required?: boolean;
  /** The values allowed; absent: any value. Checked only when the resource has the key. */
  values?: TagValueRule;
  /** Where a resource without the key should take it from. */
  inherit?: TagInheritance;
  scope?: TagPolicyScope;
}

/**
 * A stored tag policy.
 *
 * @public
 */
export interface TagPolicy extends TagPolicyInput {
  id: string;
  /** `config`: declared in app-config, read-only in the portal; `portal`: created in the portal or by an action. */
  source: 'config' | 'portal';
  createdBy?: string;
  /** ISO 8601. */
  createdAt: string;
  updatedAt: string;
}

/**
 * How a resource breaks a policy:
 * - `missing`: a required key is absent in every spelling;
 * - `not-inherited`: the key is absent but the resource group or subscription named by `inherit` has it;
 * - `non-canonical-key`: the key is present, but spelled otherwise (`Owner`, or an alias);
 * - `value-not-allowed`: the value is not in the policy's list;
 * - `value-pattern-mismatch`: the value does not match the policy's pattern;
 * - `value-not-catalog-entity`: the value names no catalog group or user.
 *
 * @public
 */
export type TagViolationCode =
  | 'missing'
  | 'not-inherited'
  | 'non-canonical-key'
  | 'value-not-allowed'
  | 'value-pattern-mismatch'
  | 'value-not-catalog-entity';

/**
 * One way a resource breaks one policy, and why.
 *
 * @public
 */
export interface TagViolation {
  policyId: string;
  policyName: string;
  /** The policy's canonical key. */
  key: string;
  code: TagViolationCode;
  /** The tag as the resource has it, when it has it in some spelling. */
  found?: { key: string; value: string };
  /** A sentence for people, e.g. `The tag 'Owner' should be spelled 'owner'.` */
  message: string;
}

/**
 * A resource's compliance with the tag policies:
 * - `compliant`: it breaks no policy in scope;
 * - `non-compliant`: it breaks at least one;
 * - `unknown`: its subscription's sync mode keeps no tags (`no-tags`), so the portal cannot tell.
 *
 * @public
 */
export type TagComplianceStatus = 'compliant' | 'non-compliant' | 'unknown';

/**
 * A resource's compliance, as evaluated at the last sync or policy change. Tags checked are the effective ones: Azure's
 * tags with the portal-only tags (`read-tags`) over them.
 *
 * @public
 */
export interface ResourceTagCompliance {
  resourceId: string;
  subscriptionId: string;
  resourceGroup: string;
  type: string;
  name: string;
  /** The catalog entity ref of the resource's owner, from its owner tag, or undefined when it names nobody. */
  ownerRef?: string;
  status: TagComplianceStatus;
  violations: TagViolation[];
  /** ISO 8601. */
  evaluatedAt: string;
}

/**
 * Compliance of a set of resources (a subscription, a team, or everything) at one time.
 *
 * @public
 */
export interface TagComplianceFigure {
  /** Resources evaluated (status `compliant` or `non-compliant`). */
  resources: number;
  compliant: number;
  nonCompliant: number;
  /** Resources whose tags the portal does not keep. */
  unknown: number;
  /** `compliant / resources` as a percentage with one decimal, or undefined when `resources` is 0. */
  percent?: number;
  /** How many resources break each policy, by policy id. */
  byPolicy: Record<string, number>;
}

/**
 * A day's figure, for trends. Days are UTC days; a day's figure is the last one evaluated that day.
 *
 * @public
 */
export interface TagComplianceHistoryPoint extends TagComplianceFigure {
  /** `YYYY-MM-DD`. */
  day: string;
}

/**
 * `GET /tag-compliance/summary`: the current figure and history of one scope.
 *
 * @public
 */
export interface TagComplianceSummary {
  scope:
    | { kind: 'all' }
    | { kind: 'subscription'; subscriptionId: string }
    | { kind: 'owner'; ownerRef: string };
  current: TagComplianceFigure;
  /** Oldest first, at most the days asked for (default 30). */
  history: TagComplianceHistoryPoint[];
  /** When the newest evaluation ran; absent when none has. */
  evaluatedAt?: string;
}

/**
 * `GET /tag-compliance/teams`: every owner's current figure with its trend, and the resources nobody owns.
 *
 * @public
 */
export interface TagComplianceTeams {
  teams: Array<{
    ownerRef: string;
    current: TagComplianceFigure;
    /** The figure 7 days ago, when history has it, for the trend. */
    weekAgo?: TagComplianceFigure;
    history: TagComplianceHistoryPoint[];
  }>;
  /** Resources whose owner tag names no catalog group or user. */
  unowned: TagComplianceFigure;
}

/**
 * Kinds of suggested fix:
 * - `canonical-key`: rename a key to its canonical spelling (`Owner` → `owner`, `owned-by` → `owner`), same value;
 * - `canonical-value`: use the allowed list's spelling of a value (`Prod` → `prod`);
 * - `inherit`: take the key's value from the resource group or subscription;
 * - `owner-from-resource-group`: take a catalog-entity key from the resource group's tag (no `inherit` needed);
 * - `owner-from-siblings`: take a catalog-entity key from the other resources of the resource group, when at least
 *   two of them have it with the same valid value and none disagree.
 *
 * @public
 */
export type TagFixKind =
  | 'canonical-key'
  | 'canonical-value'
  | 'inherit'
  | 'owner-from-resource-group'
  | 'owner-from-siblings';

/**
 * A suggested change to one resource's tags, with its reason. `change` is applied through the tag write path with
 * `expected` set to the values the suggestion saw, so a tag changed since is not overwritten.
 *
 * @public
 */
export interface TagFixSuggestion {
  resourceId: string;
  subscriptionId: string;
  policyId: string;
  kind: TagFixKind;
  change: {
    set: Record<string, string>;
    remove: string[];
    expected: Record<string, string | null>;
  };
  /** A sentence for people, e.g. `The resource group rg-web has owner=platform.` */
  reason: string;
}

/**
 * Which suggested fixes a preview or an apply takes. Every part is optional and they all apply together.
 *
 * @public
 */
export interface TagFixSelection {
  subscriptionIds?: string[];
  policyIds?: string[];
  kinds?: TagFixKind[];
  /** Only resources owned by this entity ref. */
  ownerRef?: string;
  /** Only these resources. */
  resourceIds?: string[];
}

/**
 * What applying a selection would do to one subscription:
 * - `write-to-azure`: `read-write-tags`, written to Azure;
 * - `portal-only`: `read-tags`, kept as portal-only tags;
 * - `forbidden`: the sync mode keeps no editable tags, or the caller may not edit these resources' tags.
 *
 * @public
 */
export interface TagFixSubscriptionPlan {
  subscriptionId: string;
  syncMode: SyncMode;
  outcome: 'write-to-azure' | 'portal-only' | 'forbidden';
  /** Resources that would change. */
  resources: number;
  /** Why nothing is written, when `outcome` is `forbidden`. */
  reason?: string;
}

/**
 * `POST /tag-fixes/preview`: a dry run. Nothing is written.
 *
 * @public
 */
export interface TagFixPreview {
  selection: TagFixSelection;
  /** Resources that would change (a resource with several fixes counts once). */
  resources: number;
  /** Fixes, by kind. */
  byKind: Partial<Record<TagFixKind, number>>;
  subscriptions: TagFixSubscriptionPlan[];
  /** The first fixes (at most 100), to show what changes. */
  sample: TagFixSuggestion[];
}

/**
 * A bulk fix in progress or done. Runs in the background, resumes after a restart, and applies each resource's fix
 * through the tag write path as the user who started it (permission checked when it started, each write audited).
 *
 * @public
 */
export interface TagFixJob {
  id: string;
  selection: TagFixSelection;
  createdBy: string;
  /** ISO 8601. */
  createdAt: string;
  updatedAt: string;
  /**
   * `done`: every item was tried (some may have failed: see `failed`); `failed`: every item failed, nothing changed;
   * `cancelled`: stopped on request.
   */
  state: 'pending' | 'running' | 'done' | 'failed' | 'cancelled';
  total: number;
  /** Written to Azure, or kept portal-only. */
  applied: number;
  /** Nothing to change any more (already fixed), or not allowed (`forbidden` subscriptions, permission). */
  skipped: number;
  failed: number;
  /** The first failures (at most 50): which resource and why. */
  failures: Array<{ resourceId: string; message: string }>;
}

/**
 * An Azure Policy assignment that requires, appends or inherits a tag, read with Reader from each connected
 * subscription: shown beside the portal's policies, read-only, so that the two can be aligned.
 *
 * @public
 */
export interface AzureTagPolicyAssignment {
  /** The assignment's ARM id. */
  id: string;
  subscriptionId: string;
  /** The scope it is assigned at: a subscription, or a resource group in it. */
  scope: string;
  displayName: string;
  /** The built-in definition's display name, e.g. `Require a tag on resources`. */
  definitionName: string;
  /** What the definition does with the tag. */
  effect:
    | 'require'
    | 'inherit-from-resource-group'
    | 'inherit-from-subscription'
    | 'add'
    | 'other';
  /** The tag name the assignment's parameters give, when they give one. */
  tagName?: string;
  tagValue?: string;
  enforcementMode: 'Default' | 'DoNotEnforce';
  /** ISO 8601: when the portal read it. */
  readAt: string;
}
