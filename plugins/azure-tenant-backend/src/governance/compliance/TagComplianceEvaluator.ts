import { createHash } from 'node:crypto';
import {
  AzureResourceRecord,
  AzureSubscription,
  effectiveTags,
} from '@azure-tenant/plugin-azure-tenant-common';
import type { AzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import { LoggerService } from '@backstage/backend-plugin-api';
import { AzureTenantStore } from '../../database/AzureTenantStore';
import { ResourceStore } from '../../database/ResourceStore';
import {
  CompiledTagPolicy,
  compileTagPolicies,
  evaluateTagPolicies,
  TagPolicyContext,
  tagPoliciesFingerprint,
} from '../tagPolicyRules';
import { TagPolicySource } from '../TagPolicyStore';
import { ComplianceRunBatch } from './ComplianceRunBatch';
import { ComplianceRunPhase, ComplianceRunPhases } from './ComplianceRunPhases';
import {
  ComplianceWriter,
  EvaluatedCompliance,
  utcDay,
} from './DatabaseComplianceStore';

/**
 * Bumped when the evaluation itself changes (what a result holds, how a status is decided), so that the first run of
 * a new version evaluates everything again.
 */
const EVALUATION_VERSION = '1';

/** The default of `catalog.providers.azureTenant.ownerTagKey`, as the catalog module reads it. */
export const DEFAULT_OWNER_TAG_KEY = 'owner';

/** Options for {@link TagComplianceEvaluator}. */
export interface TagComplianceEvaluatorOptions {
  /** Where results, figures and the evaluation's state are kept. */
  store: ComplianceWriter;
  /** The stored resources: read in pages, never all at once, and touched when their compliance changes. */
  resources: Pick<
    ResourceStore,
    | 'listResources'
    | 'listChanges'
    | 'findResources'
    | 'listResourceGroups'
    | 'touchResources'
  >;
  subscriptions: Pick<AzureTenantStore, 'listSubscriptions'>;
  policies: TagPolicySource;
  /** Loads the catalog's groups and users, to resolve owner tags and check `catalog-entity` values. */
  loadOwners(): Promise<Pick<AzureOwnerDirectory, 'resolve' | 'fingerprint'>>;
  /** The tag that names a resource's owner, matched without regard to case. Defaults to `owner`. */
  ownerTagKey?: string;
  /** Tells the catalog that resources changed (their compliance), once per subscription touched. */
  announce?(
    changes: Array<{ subscriptionId: string; revision: number }>,
  ): Promise<void>;
  logger?: LoggerService;
  /** Resources per page read. Defaults to 2,000. */
  pageSize?: number;
  now?: () => Date;
}

/** What one run did. */
export interface TagComplianceRun {
  mode: 'full' | 'incremental';
  /** Resources evaluated. */
  evaluated: number;
  /** Results written because they changed (new resources included). */
  changed: number;
  /** Results dropped because their resource is gone. */
  removed: number;
  /** Resources given a new feed revision because what the catalog shows of their compliance changed. */
  touched: number;
  durationMs: number;
  /** Where the time went, in whole milliseconds per phase. */
  phasesMs: Record<ComplianceRunPhase, number>;
}

/** What a subscription's resources are evaluated with. */
interface SubscriptionContext {
  keepsTags: boolean;
  subscriptionTags?: Record<string, string>;
  /** Resource group tags, by lower-cased name. */
  resourceGroupTags: Map<string, Record<string, string> | undefined>;
  fingerprint: string;
}

function sha256(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

function sortedEntries(tags: Record<string, string> | undefined) {
  return tags
    ? Object.entries(tags).sort(([a], [b]) => Number(a > b) - Number(a < b))
    : null;
}

function keepsTags(subscription: AzureSubscription): boolean {
  return (
    subscription.syncMode === 'read-tags' ||
    subscription.syncMode === 'read-write-tags'
  );
}

/**
 * Evaluates every stored resource against the tag policies and keeps the results, incrementally: a run evaluates only
 * the resources the feed says changed since the last run, and every resource of a subscription whose context changed
 * (its sync mode, its tags or its resource groups' tags, which inheritance reads). When what every result depends on
 * changed (the policies, the catalog's groups and users, the owner tag key), a run evaluates everything.
 *
 * A resource whose status or violations changed is touched in the resource store, so that the catalog feed carries
 * its new compliance; the next run sees it again among the changes, finds its result unchanged and touches nothing.
 */
export class TagComplianceEvaluator {
  private readonly pageSize: number;
  private readonly ownerTagKey: string;
  private readonly now: () => Date;
  /** The last policies compiled, by their fingerprint: they rarely change between runs. */
  private compiled?: { fingerprint: string; policies: CompiledTagPolicy[] };

  constructor(private readonly options: TagComplianceEvaluatorOptions) {
    this.pageSize = options.pageSize ?? 2000;
    this.ownerTagKey = (
      options.ownerTagKey ?? DEFAULT_OWNER_TAG_KEY
    ).toLowerCase();
    this.now = options.now ?? (() => new Date());
  }

  async evaluate(options: { full?: boolean } = {}): Promise<TagComplianceRun> {
    const started = Date.now();
    const phases = new ComplianceRunPhases();
    const { store } = this.options;
    const state = await phases.time('state', store.readState());
    const { policiesFingerprint, compiled } = await phases.time(
      'policies',
      this.compiledPolicies(),
    );
    const owners = await phases.time('owners', this.options.loadOwners());
    const contexts = await phases.time('contexts', this.loadContexts());
    const global = sha256([
      EVALUATION_VERSION,
      policiesFingerprint,
      owners.fingerprint,
      this.ownerTagKey,
    ]);
    const full = options.full || state.global !== global;
    const at = this.now();
    const day = utcDay(at);
    // Today's figures follow each write by deltas once they have been counted afresh today. A full run rewrites most
    // results and counts afresh at its end, as does the first run of a day.
    const keepFigures = !full && state.figuresDay === day;
    if (!keepFigures && state.figuresDay !== undefined) {
      // Written without deltas, results leave the figures behind until they are counted afresh: should this run stop
      // before then, the next one must not build on them.
      await phases.time(
        'saveState',
        store.saveState({ ...state, figuresDay: undefined }),
      );
    }
    const run = new ComplianceRunBatch(
      this.evaluatorOf(compiled, owners, contexts),
      store,
      at,
      {
        // A full run marks every result evaluated at its end, in one statement.
        markUnchanged: !full,
        ...(keepFigures ? { figures: { day } } : {}),
      },
      phases,
    );

    const readUpTo = full
      ? await this.evaluateAll(run)
      : await this.evaluateChanges(run, state, contexts);

    const { touched, cursor } = await this.touch(run.touched, readUpTo, phases);
    if (!keepFigures) {
      await phases.time('figures', store.recordDay(at));
    }
    await phases.time(
      'saveState',
      store.saveState({
        cursor,
        global,
        subscriptions: new Map(
          [...contexts].map(([id, context]) => [id, context.fingerprint]),
        ),
        evaluatedAt: at.toISOString(),
        figuresDay: day,
      }),
    );
    return {
      mode: full ? 'full' : 'incremental',
      evaluated: run.evaluated,
      changed: run.changed,
      removed: run.removed,
      touched,
      durationMs: Date.now() - started,
      phasesMs: phases.rounded(),
    };
  }

  private async compiledPolicies(): Promise<{
    policiesFingerprint: string;
    compiled: CompiledTagPolicy[];
  }> {
    const policies = await this.options.policies.listPolicies();
    const fingerprint = tagPoliciesFingerprint(policies);
    if (this.compiled?.fingerprint !== fingerprint) {
      // A policy that does not compile stops the run here, before anything is written: the last results stay.
      this.compiled = { fingerprint, policies: compileTagPolicies(policies) };
    }
    return {
      policiesFingerprint: fingerprint,
      compiled: this.compiled.policies,
    };
  }

  /** Every stored resource, page by page; results of resources no longer stored are dropped. */
  private async evaluateAll(run: ComplianceRunBatch): Promise<number> {
    const { store, resources } = this.options;
    let cursor: string | undefined;
    let revision: number | undefined;
    let lastKey: string | undefined;
    do {
      const page = await run.phases.time(
        'read',
        resources.listResources({ cursor, limit: this.pageSize }),
      );
      // Changes made while the listing runs are after this revision: the next run reads them.
      revision ??= page.revision;
      if (page.items.length > 0) {
        const toKey =
          page.items[page.items.length - 1].resourceId.toLowerCase();
        const stored = await run.phases.time(
          'read',
          store.signaturesInRange({ afterKey: lastKey, toKey }),
        );
        await run.evaluate(page.items, stored);
        await run.removeUnlisted(stored, page.items);
        lastKey = toKey;
      }
      cursor = page.nextCursor;
    } while (cursor);
    const rest = await run.phases.time(
      'read',
      store.signaturesInRange({ afterKey: lastKey }),
    );
    await run.removeUnlisted(rest, []);
    await run.phases.time('write', store.markEvaluated(run.at));
    return revision ?? 0;
  }

  /**
   * The resources of subscriptions whose context changed, then the feed's changes since the last run. Returns the
   * revision the changes were read up to.
   */
  private async evaluateChanges(
    run: ComplianceRunBatch,
    state: Awaited<ReturnType<ComplianceWriter['readState']>>,
    contexts: Map<string, SubscriptionContext>,
  ): Promise<number> {
    const { store, resources } = this.options;
    for (const [subscriptionId, context] of contexts) {
      if (state.subscriptions.get(subscriptionId) === context.fingerprint)
        continue;
      let afterKey: string | undefined;
      for (;;) {
        const page = await run.phases.time(
          'read',
          resources.findResources({
            subscriptionId,
            afterKey,
            limit: this.pageSize,
          }),
        );
        if (page.items.length === 0) break;
        const keys = page.items.map(item => item.resourceId.toLowerCase());
        const stored = await run.phases.time('read', store.signaturesOf(keys));
        await run.evaluate(page.items, stored);
        afterKey = keys[keys.length - 1];
        if (!page.hasMore) break;
      }
    }
    let cursor = state.cursor;
    for (;;) {
      const changes = await run.phases.time(
        'read',
        resources.listChanges({ after: cursor, limit: this.pageSize }),
      );
      const keys = changes.changed.map(item => item.resourceId.toLowerCase());
      if (keys.length > 0) {
        const stored = await run.phases.time('read', store.signaturesOf(keys));
        await run.evaluate(changes.changed, stored);
      }
      await run.remove(
        changes.removed.map(item => item.resourceId.toLowerCase()),
      );
      cursor = changes.revision;
      if (!changes.hasMore) break;
    }
    return cursor;
  }

  /**
   * Gives the resources whose compliance changed new feed revisions, and returns where the next run reads the feed
   * from: past these touches when nothing else was written since `cursor`, else `cursor` (the next run then reads the
   * touches back, finds them unchanged and touches nothing).
   */
  private async touch(
    keys: string[],
    cursor: number,
    phases: ComplianceRunPhases,
  ): Promise<{ touched: number; cursor: number }> {
    if (keys.length === 0) return { touched: 0, cursor };
    const touchedAt = performance.now();
    const revisions = await this.options.resources.touchResources(keys);
    await this.announce(revisions);
    phases.since('touch', touchedAt);
    const highest = revisions.reduce(
      (max, { revision }) => Math.max(max, revision),
      cursor,
    );
    const onlyOwn = await phases.time(
      'touchCheck',
      this.onlyOwnTouches(keys, cursor, highest),
    );
    return { touched: keys.length, cursor: onlyOwn ? highest : cursor };
  }

  private async announce(
    revisions: Array<{ subscriptionId: string; revision: number }>,
  ): Promise<void> {
    if (revisions.length === 0) return;
    try {
      await this.options.announce?.(revisions);
    } catch (error) {
      // The catalog module also polls the feed, so the change still arrives.
      this.options.logger?.warn(
        `Could not announce the resources whose compliance changed: ${
          (error as Error).message
        }`,
      );
    }
  }

  /**
   * Whether every feed revision after `cursor` up to `highest` is a touch of one of `keys`: then none holds anything
   * this run has not evaluated. Touches leave a resource as it was, and `touchResources` takes a revision per resource,
   * so any other write in that span shows: a resource not touched or a removal among them, or a revision missing (a
   * touched resource written again since, taking the place of its touch, or a writer that took revisions it did not
   * use). Writers that take revisions hold the counter until they commit, so all revisions up to `highest` are
   * committed by now. Reads only the span, at the cost of reading back what was touched without judging it again.
   */
  private async onlyOwnTouches(
    keys: string[],
    cursor: number,
    highest: number,
  ): Promise<boolean> {
    const touched = new Set(keys);
    let after = cursor;
    while (after < highest) {
      const changes = await this.options.resources.listChanges({
        after,
        limit: this.pageSize,
      });
      if (changes.removed.some(removed => removed.revision <= highest)) {
        return false;
      }
      const from = after;
      for (const record of changes.changed) {
        if (record.revision > highest) break;
        if (
          record.revision !== after + 1 ||
          !touched.has(record.resourceId.toLowerCase())
        ) {
          return false;
        }
        after = record.revision;
      }
      if (after === from) return false;
    }
    return true;
  }

  /** Each subscription's sync mode, tags and resource groups' tags, with their fingerprint. */
  private async loadContexts(): Promise<Map<string, SubscriptionContext>> {
    const subscriptions = await this.options.subscriptions.listSubscriptions();
    const contexts = new Map<string, SubscriptionContext>();
    for (const subscription of subscriptions) {
      const id = subscription.subscriptionId.toLowerCase();
      const kept = keepsTags(subscription);
      const groups = kept
        ? await this.options.resources.listResourceGroups(id)
        : [];
      const resourceGroupTags = new Map<
        string,
        Record<string, string> | undefined
      >();
      for (const group of groups)
        resourceGroupTags.set(group.name.toLowerCase(), group.tags);
      contexts.set(id, {
        keepsTags: kept,
        subscriptionTags: kept ? subscription.tags : undefined,
        resourceGroupTags,
        fingerprint: sha256([
          kept,
          sortedEntries(kept ? subscription.tags : undefined),
          sortedEntries(
            Object.fromEntries(
              groups.map(group => [
                group.name.toLowerCase(),
                JSON.stringify(sortedEntries(group.tags)),
              ]),
            ),
          ),
        ]),
      });
    }
    return contexts;
  }

  private evaluatorOf(
    compiled: CompiledTagPolicy[],
    owners: Pick<AzureOwnerDirectory, 'resolve'>,
    contexts: Map<string, SubscriptionContext>,
  ): (record: AzureResourceRecord) => EvaluatedCompliance {
    const ownerTagKey = this.ownerTagKey;
    const ownersContext: TagPolicyContext['owners'] = {
      resolve: value => owners.resolve(value),
    };
    return record => {
      const key = record.resourceId.toLowerCase();
      const subscriptionId = record.subscriptionId.toLowerCase();
      const context = contexts.get(subscriptionId);
      const base = {
        key,
        resourceId: record.resourceId,
        subscriptionId: record.subscriptionId,
        resourceGroup: record.resourceGroup,
        type: record.type,
        name: record.name,
      };
      // A subscription that is no longer registered keeps nothing the portal can judge.
      if (!context?.keepsTags) {
        return { ...base, status: 'unknown', violations: [] };
      }
      // A resource without any Azure tag is stored without tags; under a mode that keeps them, it has none.
      const tags =
        effectiveTags({
          tags: record.tags ?? {},
          portalTags: record.portalTags,
        }) ?? {};
      const violations = evaluateTagPolicies(
        {
          resourceId: record.resourceId,
          subscriptionId,
          resourceGroup: record.resourceGroup,
          type: record.type,
          tags,
        },
        compiled,
        {
          resourceGroupTags: context.resourceGroupTags.get(
            record.resourceGroup.toLowerCase(),
          ),
          subscriptionTags: context.subscriptionTags,
          owners: ownersContext,
        },
      );
      const ownerValue = Object.entries(tags).find(
        ([name, value]) => name.toLowerCase() === ownerTagKey && value.trim(),
      )?.[1];
      const ownerRef = ownerValue
        ? owners.resolve(ownerValue)?.toLocaleLowerCase('en-US')
        : undefined;
      return {
        ...base,
        ...(ownerRef ? { ownerRef } : {}),
        status: violations.length > 0 ? 'non-compliant' : 'compliant',
        violations,
      };
    };
  }
}
