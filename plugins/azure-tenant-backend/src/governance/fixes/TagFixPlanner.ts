import { PermissionsService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  AzureResourceRecord,
  AzureSubscription,
  azureResourceEntityRef,
  azureTenantTagsUpdatePermission,
  effectiveTags,
  findTag,
  SyncMode,
  TagChange,
  TagFixKind,
  TagFixPreview,
  TagFixSelection,
  TagFixSubscriptionPlan,
  TagFixSuggestion,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantStore } from '../../database/AzureTenantStore';
import { chunks } from '../../database/batches';
import { ResourceStore } from '../../database/ResourceStore';
import { Caller } from '../../service/caller';
import { syncModeRefusal } from '../../tags/tagChangeRules';
import { ComplianceReader } from '../ComplianceStore';
import { TagPolicySource } from '../TagPolicyStore';
import {
  compileTagPolicies,
  evaluateTagPolicies,
  TagPolicyContext,
} from '../tagPolicyRules';
import { suggestTagFixes } from '../suggestTagFixes';
import { NewTagFixItem } from './TagFixJobStore';

/** Non-compliant resources read per page of compliance. */
const PAGE_SIZE = 500;
/** Suggestions shown in a preview. */
const SAMPLE_SIZE = 100;

/** Options for {@link TagFixPlanner}. */
export interface TagFixPlannerOptions {
  compliance: Pick<ComplianceReader, 'listCompliance'>;
  /** The resources, and their resource groups' tags. */
  resources: Pick<ResourceStore, 'findResources' | 'listResourceGroups'>;
  subscriptions: Pick<AzureTenantStore, 'getSubscription'>;
  policies: TagPolicySource;
  /** The catalog's owners, as the compliance evaluator resolves them; loaded once per plan. */
  owners: () => Promise<TagPolicyContext['owners']>;
  permissions: PermissionsService;
}

/** A plan: the preview, and with `keepItems`, the change of every resource the caller may change. */
export interface TagFixPlan {
  preview: TagFixPreview;
  items: NewTagFixItem[];
  /** Resources that need a fix but may not be changed: their subscription's mode, or the caller's permission. */
  leftOut: number;
}

/** What the planner knows of one subscription during a plan. */
interface SubscriptionContext {
  subscription?: AzureSubscription;
  outcome: TagFixSubscriptionPlan['outcome'];
  reason?: string;
  resourceGroupTags: Map<string, Record<string, string> | undefined>;
}

/** A resource's fixes merged into one change. */
interface ResourceFix {
  record: AzureResourceRecord;
  change: Required<TagChange>;
  suggestions: TagFixSuggestion[];
}

const lower = (name: string) => name.normalize('NFC').toLowerCase();

/**
 * Merges one resource's suggestions (one per policy) into one change. A suggestion that disagrees with one taken
 * before it (sets a key to another value or spelling, removes a key another sets, or expects another value) is left
 * out: applying either alone is safe, both together are not.
 */
export function mergeSuggestions(suggestions: TagFixSuggestion[]): {
  change: Required<TagChange>;
  taken: TagFixSuggestion[];
} {
  const set = new Map<string, [string, string]>();
  const remove = new Map<string, string>();
  const expected = new Map<string, [string, string | null]>();
  const taken: TagFixSuggestion[] = [];
  for (const suggestion of suggestions) {
    const { change } = suggestion;
    const conflicts =
      Object.entries(change.set).some(([name, value]) => {
        const other = set.get(lower(name));
        return (
          remove.has(lower(name)) ||
          (other !== undefined && (other[0] !== name || other[1] !== value))
        );
      }) ||
      change.remove.some(name => set.has(lower(name))) ||
      Object.entries(change.expected).some(([name, value]) => {
        const other = expected.get(lower(name));
        return other !== undefined && other[1] !== value;
      });
    if (conflicts) continue;
    for (const [name, value] of Object.entries(change.set)) {
      set.set(lower(name), [name, value]);
    }
    for (const name of change.remove) remove.set(lower(name), name);
    for (const [name, value] of Object.entries(change.expected)) {
      expected.set(lower(name), [name, value]);
    }
    taken.push(suggestion);
  }
  const record = <T>(entries: Iterable<[string, T]>) => {
    const result: Record<string, T> = {};
    for (const [name, value] of entries) {
      Object.defineProperty(result, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return result;
  };
  return {
    change: {
      set: record(set.values()),
      remove: [...remove.values()],
      expected: record(expected.values()),
    },
    taken,
  };
}

function outcomeOf(syncMode: SyncMode): TagFixSubscriptionPlan['outcome'] {
  if (syncMode === 'read-write-tags') return 'write-to-azure';
  if (syncMode === 'read-tags') return 'portal-only';
  return 'forbidden';
}

/**
 * Plans a bulk fix: reads the non-compliant resources of a selection from the stored compliance, evaluates each
 * against its current tags (the same sources as the evaluator: effective tags, resource group and subscription
 * tags, the catalog's owners, and the other resources of its resource group for sibling inference), asks
 * `suggestTagFixes` for fixes, keeps those the selection asks for, merges each resource's fixes into one change, and
 * sorts the resources by what their subscription's sync mode and the caller's permission allow:
 * `read-write-tags` is written to Azure, `read-tags` kept portal-only, and the other modes and resources whose entity
 * the caller may not edit (`azure-tenant.tags.update`) are forbidden. Nothing is written.
 */
export class TagFixPlanner {
  constructor(private readonly options: TagFixPlannerOptions) {}

  async plan(
    caller: Caller,
    selection: TagFixSelection,
    options: { keepItems: boolean },
  ): Promise<TagFixPlan> {
    const allPolicies = await this.options.policies.listPolicies();
    const known = new Set(allPolicies.map(p => p.id));
    const unknown = (selection.policyIds ?? []).filter(id => !known.has(id));
    if (unknown.length > 0) {
      throw new InputError(
        `policyIds: no tag policy ${unknown.map(id => `'${id}'`).join(', ')}`,
      );
    }
    const compiled = compileTagPolicies(allPolicies);
    const policyIds = selection.policyIds && new Set(selection.policyIds);
    const kinds = selection.kinds && new Set<TagFixKind>(selection.kinds);
    const owners = await this.options.owners();

    const contexts = new Map<string, Promise<SubscriptionContext>>();
    const siblingsOf = new Map<string, Promise<AzureResourceRecord[]>>();
    const plans = new Map<string, TagFixSubscriptionPlan>();
    const planRow = (
      subscriptionId: string,
      syncMode: SyncMode,
      outcome: TagFixSubscriptionPlan['outcome'],
      reason?: string,
    ) => {
      const key = `${subscriptionId.toLowerCase()}|${outcome}|${reason ?? ''}`;
      let row = plans.get(key);
      if (!row) {
        row = {
          subscriptionId,
          syncMode,
          outcome,
          resources: 0,
          ...(reason ? { reason } : {}),
        };
        plans.set(key, row);
      }
      return row;
    };

    const byKind: Partial<Record<TagFixKind, number>> = {};
    const sample: TagFixSuggestion[] = [];
    const items: NewTagFixItem[] = [];
    let resources = 0;
    let leftOut = 0;

    let afterKey: string | undefined;
    for (;;) {
      const page = await this.options.compliance.listCompliance({
        ...(selection.subscriptionIds
          ? {
              subscriptionIds: selection.subscriptionIds.map(s =>
                s.toLowerCase(),
              ),
            }
          : {}),
        ...(selection.ownerRef ? { ownerRef: selection.ownerRef } : {}),
        ...(selection.policyIds?.length === 1
          ? { policyId: selection.policyIds[0] }
          : {}),
        ...(selection.resourceIds
          ? { resourceKeys: selection.resourceIds.map(id => id.toLowerCase()) }
          : {}),
        status: 'non-compliant',
        ...(afterKey ? { afterKey } : {}),
        limit: PAGE_SIZE,
      });
      if (page.items.length === 0) break;
      afterKey = page.items[page.items.length - 1].resourceId.toLowerCase();
      const candidates = page.items.filter(
        c => !policyIds || c.violations.some(v => policyIds.has(v.policyId)),
      );
      const records = candidates.length
        ? (
            await this.options.resources.findResources({
              resourceKeys: candidates.map(c => c.resourceId.toLowerCase()),
              limit: candidates.length,
            })
          ).items
        : [];

      const fixes: Array<ResourceFix & { context: SubscriptionContext }> = [];
      for (const record of records) {
        const context = await this.context(contexts, record.subscriptionId);
        const subscription = context.subscription;
        if (!subscription) continue;
        const tags = effectiveTags(record);
        if (!tags) {
          // The mode keeps no tags now: nothing to suggest from, and nothing could be written.
          if (context.outcome === 'forbidden') {
            planRow(
              subscription.subscriptionId,
              subscription.syncMode,
              'forbidden',
              context.reason,
            ).resources++;
            leftOut++;
          }
          continue;
        }
        const subject = {
          resourceId: record.resourceId,
          subscriptionId: record.subscriptionId,
          resourceGroup: record.resourceGroup,
          type: record.type,
          tags,
        };
        const policyContext: TagPolicyContext = {
          resourceGroupTags: context.resourceGroupTags.get(
            record.resourceGroup.toLowerCase(),
          ),
          subscriptionTags: subscription.tags,
          owners,
        };
        const violations = evaluateTagPolicies(
          subject,
          compiled,
          policyContext,
        );
        if (violations.length === 0) continue;
        const siblings = (await this.siblings(siblingsOf, record))
          .filter(
            s => s.resourceId.toLowerCase() !== record.resourceId.toLowerCase(),
          )
          .map(s => effectiveTags(s))
          .filter((t): t is Record<string, string> => t !== undefined);
        const suggestions = suggestTagFixes(subject, violations, compiled, {
          ...policyContext,
          siblings,
        }).filter(
          s =>
            (!policyIds || policyIds.has(s.policyId)) &&
            (!kinds || kinds.has(s.kind)),
        );
        if (suggestions.length === 0) continue;
        const { change, taken } = mergeSuggestions(suggestions);
        if (context.outcome === 'portal-only') {
          // Under read-tags the portal never removes Azure's tags: only its own portal tags can go.
          change.remove = change.remove.filter(
            name => findTag(record.portalTags ?? {}, name) !== undefined,
          );
        }
        if (
          Object.keys(change.set).length === 0 &&
          change.remove.length === 0
        ) {
          continue;
        }
        fixes.push({ record, change, suggestions: taken, context });
      }

      const allowed = await this.mayEdit(
        caller,
        fixes
          .filter(f => f.context.outcome !== 'forbidden')
          .map(f => f.record.resourceId),
      );
      for (const fix of fixes) {
        const subscription = fix.context.subscription!;
        if (fix.context.outcome === 'forbidden') {
          planRow(
            subscription.subscriptionId,
            subscription.syncMode,
            'forbidden',
            fix.context.reason,
          ).resources++;
          leftOut++;
          continue;
        }
        if (!allowed.has(fix.record.resourceId.toLowerCase())) {
          planRow(
            subscription.subscriptionId,
            subscription.syncMode,
            'forbidden',
            "You may not edit these resources' tags: azure-tenant.tags.update is granted to the entities' owners and admins.",
          ).resources++;
          leftOut++;
          continue;
        }
        planRow(
          subscription.subscriptionId,
          subscription.syncMode,
          fix.context.outcome,
        ).resources++;
        resources++;
        for (const suggestion of fix.suggestions) {
          byKind[suggestion.kind] = (byKind[suggestion.kind] ?? 0) + 1;
          if (sample.length < SAMPLE_SIZE) sample.push(suggestion);
        }
        if (options.keepItems) {
          items.push({
            resourceId: fix.record.resourceId,
            subscriptionId: subscription.subscriptionId,
            change: fix.change,
          });
        }
      }
      if (!page.hasMore) break;
    }

    return {
      preview: {
        selection,
        resources,
        byKind,
        subscriptions: [...plans.values()].sort(
          (a, b) =>
            a.subscriptionId.localeCompare(b.subscriptionId) ||
            a.outcome.localeCompare(b.outcome),
        ),
        sample,
      },
      items,
      leftOut,
    };
  }

  /** The caller's decision for azure-tenant.tags.update on each resource's entity: the allowed keys. */
  private async mayEdit(
    caller: Caller,
    resourceIds: string[],
  ): Promise<Set<string>> {
    const allowed = new Set<string>();
    for (const batch of chunks(resourceIds)) {
      const decisions = await this.options.permissions.authorize(
        batch.map(resourceId => ({
          permission: azureTenantTagsUpdatePermission,
          resourceRef: azureResourceEntityRef(resourceId),
        })),
        { credentials: caller.credentials },
      );
      decisions.forEach((decision, index) => {
        if (decision.result === AuthorizeResult.ALLOW) {
          allowed.add(batch[index].toLowerCase());
        }
      });
    }
    return allowed;
  }

  private context(
    cache: Map<string, Promise<SubscriptionContext>>,
    subscriptionId: string,
  ): Promise<SubscriptionContext> {
    const key = subscriptionId.toLowerCase();
    let context = cache.get(key);
    if (!context) {
      context = (async (): Promise<SubscriptionContext> => {
        const subscription = await this.options.subscriptions.getSubscription(
          subscriptionId,
        );
        if (!subscription) {
          return { outcome: 'forbidden', resourceGroupTags: new Map() };
        }
        const groups = await this.options.resources.listResourceGroups(
          subscription.subscriptionId,
        );
        return {
          subscription,
          outcome: outcomeOf(subscription.syncMode),
          reason: syncModeRefusal(subscription)?.message,
          resourceGroupTags: new Map(
            groups.map(g => [g.name.toLowerCase(), g.tags]),
          ),
        };
      })();
      cache.set(key, context);
    }
    return context;
  }

  /** Every stored resource of a record's resource group (the record included), read once per plan. */
  private siblings(
    cache: Map<string, Promise<AzureResourceRecord[]>>,
    record: AzureResourceRecord,
  ): Promise<AzureResourceRecord[]> {
    const key =
      `${record.subscriptionId}|${record.resourceGroup}`.toLowerCase();
    let siblings = cache.get(key);
    if (!siblings) {
      siblings = (async () => {
        const all: AzureResourceRecord[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await this.options.resources.findResources({
            subscriptionId: record.subscriptionId.toLowerCase(),
            resourceGroup: record.resourceGroup,
            ...(after ? { afterKey: after } : {}),
            limit: 1000,
          });
          all.push(...page.items);
          if (!page.hasMore || page.items.length === 0) return all;
          after = page.items[page.items.length - 1].resourceId.toLowerCase();
        }
      })();
      cache.set(key, siblings);
    }
    return siblings;
  }
}
