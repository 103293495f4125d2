import { AuthService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_DEPENDS_ON,
  RELATION_HAS_PART,
  RELATION_OWNER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { BudgetScope } from '@azure-tenant/plugin-azure-tenant-common';
import { chunks } from '../database/batches';
import { ResourceStore } from '../database/ResourceStore';
import { resourceGroupOf } from '../spend/SpendDailyRows';
import {
  azureSpendTargetOf,
  resourcesOutsideSubscriptions,
} from '../spend/SpendTargetResolver';

/** A resource group of a subscription, both in lower case. */
export interface ScopeResourceGroup {
  subscriptionId: string;
  resourceGroup: string;
}

/**
 * The costs a budget's scope covers: whole subscriptions, resource groups outside them, and single resources outside
 * both (lower-cased ids), so that no cost is counted twice.
 */
export interface ResolvedBudgetScope {
  subscriptionIds: string[];
  resourceGroups: ScopeResourceGroup[];
  resourceKeys: string[];
  /** Why the scope covers nothing, e.g. an entity that is not in the catalog. */
  problem?: string;
}

/** Options for {@link BudgetScopeResolver}. */
export interface BudgetScopeResolverOptions {
  catalog: CatalogService;
  /** For the plugin's own credentials towards the catalog: a budget's scope does not depend on who looks at it. */
  auth: AuthService;
  /** The synced resources, for a custom group's tag filters. */
  resources: Pick<ResourceStore, 'findResources'>;
  /** Relation steps followed from an entity, at most (default 8): a bound on a catalog with long chains. */
  maxDepth?: number;
}

/**
 * The relations an entity's spend rolls up through: what a group or user owns, a system's or domain's parts, and what
 * a component depends on. A group's child groups (`parentOf`) and members (`hasMember`) are not followed: a parent
 * team's budget covers what the parent owns, not what its sub-teams own, or every budget of an organisation's root
 * group would cover everything.
 */
const ROLLUP_RELATIONS = new Set([
  RELATION_OWNER_OF,
  RELATION_HAS_PART,
  RELATION_DEPENDS_ON,
]);

/** Entity refs per catalog call. */
const REFS_PER_REQUEST = 200;

/** Resources per page of a tag filter. */
const TAG_PAGE = 5000;

/** The entity fields the rollup reads. */
const ENTITY_FIELDS = [
  'kind',
  'metadata.namespace',
  'metadata.name',
  'metadata.annotations',
  'relations',
];

function normalizeRef(ref: string): string {
  try {
    return stringifyEntityRef(parseEntityRef(ref));
  } catch {
    return ref.toLowerCase();
  }
}

/** A scope under way: its collected costs and the entities still to visit. */
interface Collected {
  subscriptionIds: Set<string>;
  resourceGroups: Map<string, ScopeResourceGroup>;
  resourceKeys: Set<string>;
  problem?: string;
}

function emptyCollected(): Collected {
  return {
    subscriptionIds: new Set(),
    resourceGroups: new Map(),
    resourceKeys: new Set(),
  };
}

function addResourceGroup(
  collected: Collected,
  subscriptionId: string,
  resourceGroup: string,
) {
  const group = {
    subscriptionId: subscriptionId.toLowerCase(),
    resourceGroup: resourceGroup.toLowerCase(),
  };
  collected.resourceGroups.set(
    `${group.subscriptionId}/${group.resourceGroup}`,
    group,
  );
}

/** Drops what a larger part of the scope already covers: resource groups of its subscriptions, resources of both. */
function toResolved(collected: Collected): ResolvedBudgetScope {
  const { subscriptionIds } = collected;
  const resourceGroups = [...collected.resourceGroups.values()].filter(
    group => !subscriptionIds.has(group.subscriptionId),
  );
  const groupKeys = new Set(
    resourceGroups.map(g => `${g.subscriptionId}/${g.resourceGroup}`),
  );
  const resourceKeys = resourcesOutsideSubscriptions(
    collected.resourceKeys,
    subscriptionIds,
  ).filter(key => {
    const subscriptionId = /^\/subscriptions\/([^/]+)/.exec(key)?.[1];
    return !groupKeys.has(`${subscriptionId}/${resourceGroupOf(key)}`);
  });
  return {
    subscriptionIds: [...subscriptionIds].sort(),
    resourceGroups: resourceGroups.sort((a, b) =>
      `${a.subscriptionId}/${a.resourceGroup}` <
      `${b.subscriptionId}/${b.resourceGroup}`
        ? -1
        : 1,
    ),
    resourceKeys: resourceKeys.sort(),
    ...(collected.problem ? { problem: collected.problem } : {}),
  };
}

/**
 * Turns budget scopes into the costs they cover. An `entity` scope rolls up through the catalog, breadth-first from
 * the entity along {@link ROLLUP_RELATIONS}, each entity visited once and at most `maxDepth` steps away, down to the
 * entities of Azure subscriptions and resources (which end a path: a subscription covers its resources already).
 * Many scopes are resolved together, so that the catalog is asked for each level of all of them in a few batched
 * calls, and each entity and tag filter once.
 */
export class BudgetScopeResolver {
  private readonly maxDepth: number;

  constructor(private readonly options: BudgetScopeResolverOptions) {
    this.maxDepth = options.maxDepth ?? 8;
  }

  async resolve(scope: BudgetScope): Promise<ResolvedBudgetScope> {
    const [resolved] = await this.resolveAll([scope]);
    return resolved;
  }

  async resolveAll(scopes: BudgetScope[]): Promise<ResolvedBudgetScope[]> {
    const collected = scopes.map(() => emptyCollected());
    const tagCache = new Map<string, Promise<string[]>>();
    const entityScopes: Array<{ index: number; entityRef: string }> = [];

    for (const [index, scope] of scopes.entries()) {
      const into = collected[index];
      switch (scope.kind) {
        case 'subscription':
          into.subscriptionIds.add(scope.subscriptionId.toLowerCase());
          break;
        case 'resourceGroup':
          addResourceGroup(into, scope.subscriptionId, scope.resourceGroup);
          break;
        case 'customGroup':
          for (const id of scope.subscriptionIds ?? []) {
            into.subscriptionIds.add(id.toLowerCase());
          }
          for (const group of scope.resourceGroups ?? []) {
            addResourceGroup(into, group.subscriptionId, group.resourceGroup);
          }
          for (const tag of scope.tags ?? []) {
            for (const key of await this.taggedResources(tag, tagCache)) {
              into.resourceKeys.add(key);
            }
          }
          break;
        case 'entity':
          entityScopes.push({ index, entityRef: scope.entityRef });
          break;
        default:
          into.problem = `Unknown scope kind '${
            (scope as { kind: string }).kind
          }'`;
      }
    }
    if (entityScopes.length > 0) {
      await this.rollUp(entityScopes, collected);
    }
    return collected.map(toResolved);
  }

  /** The keys of the synced resources with the tag (name ignoring case; value exactly, when given). */
  private taggedResources(
    tag: { key: string; value?: string },
    cache: Map<string, Promise<string[]>>,
  ): Promise<string[]> {
    const cacheKey = JSON.stringify([tag.key.toLowerCase(), tag.value ?? null]);
    let keys = cache.get(cacheKey);
    if (!keys) {
      keys = (async () => {
        const found: string[] = [];
        let afterKey: string | undefined;
        for (;;) {
          const page = await this.options.resources.findResources({
            tagKey: tag.key,
            ...(tag.value !== undefined ? { tagValue: tag.value } : {}),
            ...(afterKey ? { afterKey } : {}),
            limit: TAG_PAGE,
          });
          for (const item of page.items) {
            found.push(item.resourceId.toLowerCase());
          }
          if (!page.hasMore || page.items.length === 0) return found;
          afterKey = page.items[page.items.length - 1].resourceId.toLowerCase();
        }
      })();
      cache.set(cacheKey, keys);
    }
    return keys;
  }

  /** The breadth-first rollup of every entity scope at once, one level of all of them at a time. */
  private async rollUp(
    entityScopes: Array<{ index: number; entityRef: string }>,
    collected: Collected[],
  ): Promise<void> {
    const entities = new Map<string, Entity | undefined>();
    const walks = entityScopes.map(({ index, entityRef }) => {
      const root = normalizeRef(entityRef);
      return {
        into: collected[index],
        root,
        visited: new Set([root]),
        frontier: [root],
      };
    });

    for (let depth = 0; depth <= this.maxDepth; depth++) {
      const wanted = new Set<string>();
      for (const walk of walks) {
        for (const ref of walk.frontier) {
          if (!entities.has(ref)) wanted.add(ref);
        }
      }
      await this.fetchEntities([...wanted], entities);

      let more = false;
      for (const walk of walks) {
        const next: string[] = [];
        for (const ref of walk.frontier) {
          const entity = entities.get(ref);
          if (!entity) {
            if (ref === walk.root) {
              walk.into.problem = `${ref} was not found in the catalog`;
            }
            continue;
          }
          const target = azureSpendTargetOf(entity);
          if (target) {
            // An Azure entity ends the path: a subscription's relations lead to its own resources, a resource's to
            // its subscription, which would count far more than what was reached.
            if ('subscriptionId' in target) {
              walk.into.subscriptionIds.add(target.subscriptionId);
            } else walk.into.resourceKeys.add(target.resourceKey);
            continue;
          }
          if (depth === this.maxDepth) continue;
          for (const relation of entity.relations ?? []) {
            if (!ROLLUP_RELATIONS.has(relation.type)) continue;
            const targetRef = normalizeRef(relation.targetRef);
            if (walk.visited.has(targetRef)) continue;
            walk.visited.add(targetRef);
            next.push(targetRef);
          }
        }
        walk.frontier = next;
        if (next.length > 0) more = true;
      }
      if (!more) break;
    }
  }

  /** Reads entities from the catalog in batches, with the plugin's own credentials; absent ones are kept as such. */
  private async fetchEntities(
    refs: string[],
    into: Map<string, Entity | undefined>,
  ): Promise<void> {
    if (refs.length === 0) return;
    const credentials = await this.options.auth.getOwnServiceCredentials();
    for (const batch of chunks(refs, REFS_PER_REQUEST)) {
      const { items } = await this.options.catalog.getEntitiesByRefs(
        { entityRefs: batch, fields: ENTITY_FIELDS },
        { credentials },
      );
      batch.forEach((ref, i) => into.set(ref, items[i] ?? undefined));
    }
  }
}
