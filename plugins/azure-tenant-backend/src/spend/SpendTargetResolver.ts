import {
  AuthService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ANNOTATION_AZURE_RESOURCE_ID,
  ANNOTATION_AZURE_SUBSCRIPTION_ID,
  azureResourceEntityRef,
  azureSubscriptionEntityRef,
  azureTenantSpendReadPermission,
} from '@azure-tenant/plugin-azure-tenant-common';
import { SpendScope, SpendStore } from './SpendStore';

/** Whose spend a query asks for: exactly one of these. */
export type SpendTargetQuery =
  | { subscriptionId: string }
  | { resourceId: string }
  | { entityRef: string };

/** The spend rows a target covers, and notes about how they were found. */
export interface ResolvedSpendTarget {
  scope: SpendScope;
  notes: string[];
}

/** Options for {@link SpendTargetResolver}. */
export interface SpendTargetResolverOptions {
  store: SpendStore;
  catalog: CatalogService;
  auth: AuthService;
}

const SUBSCRIPTION_ID = /^\/subscriptions\/([^/]+)\/?$/i;

/**
 * The Azure subscription or resource that a catalog entity stands for, from its annotations (lower case): a
 * subscription's entity has the resource id `/subscriptions/{id}` (or, as a `Resource`, only the subscription id).
 */
export function azureSpendTargetOf(entity: {
  kind?: string;
  metadata?: { annotations?: Record<string, string> };
}): { subscriptionId: string } | { resourceKey: string } | undefined {
  const annotations = entity.metadata?.annotations ?? {};
  const resourceId = annotations[ANNOTATION_AZURE_RESOURCE_ID];
  if (resourceId) {
    const subscription = SUBSCRIPTION_ID.exec(resourceId);
    return subscription
      ? { subscriptionId: subscription[1].toLowerCase() }
      : { resourceKey: resourceId.toLowerCase() };
  }
  const subscriptionId = annotations[ANNOTATION_AZURE_SUBSCRIPTION_ID];
  if (subscriptionId && entity.kind?.toLowerCase() === 'resource') {
    return { subscriptionId: subscriptionId.toLowerCase() };
  }
  return undefined;
}

/** The resources that are not in one of the subscriptions: a subscription's spend already includes its resources. */
export function resourcesOutsideSubscriptions(
  resourceKeys: Iterable<string>,
  subscriptionIds: ReadonlySet<string>,
): string[] {
  return [...resourceKeys].filter(key => {
    const subscription = /^\/subscriptions\/([^/]+)/.exec(key)?.[1];
    return !subscription || !subscriptionIds.has(subscription);
  });
}

/** The catalog entity whose `azure-tenant.spend.read` permission a target needs. */
function permissionRefOf(target: SpendTargetQuery): string {
  if ('subscriptionId' in target) {
    return azureSubscriptionEntityRef(target.subscriptionId);
  }
  if ('resourceId' in target) return azureResourceEntityRef(target.resourceId);
  return target.entityRef;
}

/**
 * Refuses a caller who may not read the spend of a target (`azure-tenant.spend.read` on its entity) with a
 * `NotAllowedError`. Everything that reports on a target's costs asks this one question: spend, savings.
 */
export async function authorizeSpendRead(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  target: SpendTargetQuery,
): Promise<void> {
  const resourceRef = permissionRefOf(target);
  const [decision] = await permissions.authorize(
    [{ permission: azureTenantSpendReadPermission, resourceRef }],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(`You may not see the spend of ${resourceRef}`);
  }
}

/**
 * Turns a subscription, a resource or a catalog entity into the spend rows it covers. A subscription or resource
 * entity maps to its id through its annotations; any other entity (a group, a user) covers the Azure resources and
 * subscriptions it owns in the catalog.
 */
export class SpendTargetResolver {
  constructor(private readonly options: SpendTargetResolverOptions) {}

  async resolve(target: SpendTargetQuery): Promise<ResolvedSpendTarget> {
    if ('subscriptionId' in target) {
      return this.subscription(target.subscriptionId);
    }
    if ('resourceId' in target) {
      return this.resource(target.resourceId);
    }
    return this.entity(target.entityRef);
  }

  private async subscription(id: string): Promise<ResolvedSpendTarget> {
    const subscription = await this.options.store.getSubscription(
      id.toLowerCase(),
    );
    if (!subscription) {
      throw new NotFoundError(`Subscription ${id} is not connected`);
    }
    return {
      scope: {
        subscriptionIds: [subscription.subscriptionId],
        resourceKeys: [],
      },
      notes: [],
    };
  }

  private async resource(resourceId: string): Promise<ResolvedSpendTarget> {
    const key = resourceId.toLowerCase();
    const subscriptionId = await this.options.store.findResourceSubscription(
      key,
    );
    if (!subscriptionId) {
      throw new NotFoundError(
        `Resource ${resourceId} is not known: it has neither been synced nor had any spend`,
      );
    }
    return {
      scope: { subscriptionIds: [], resourceKeys: [key] },
      notes: [],
    };
  }

  private async credentials(): Promise<BackstageCredentials> {
    return this.options.auth.getOwnServiceCredentials();
  }

  private async entity(entityRef: string): Promise<ResolvedSpendTarget> {
    const { catalog } = this.options;
    const credentials = await this.credentials();
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) {
      throw new NotFoundError(
        `Entity ${entityRef} was not found in the catalog`,
      );
    }
    const annotations = entity.metadata.annotations ?? {};
    const resourceId = annotations[ANNOTATION_AZURE_RESOURCE_ID];
    const subscriptionId = annotations[ANNOTATION_AZURE_SUBSCRIPTION_ID];
    if (resourceId) {
      const subscription = SUBSCRIPTION_ID.exec(resourceId);
      return subscription
        ? this.subscription(subscription[1])
        : this.resource(resourceId);
    }
    if (subscriptionId && entity.kind.toLowerCase() === 'resource') {
      return this.subscription(subscriptionId);
    }

    const { items } = await catalog.getEntities(
      {
        filter: { kind: 'resource', 'relations.ownedBy': entityRef },
        fields: ['metadata.annotations'],
      },
      { credentials },
    );
    const subscriptionIds = new Set<string>();
    const resourceKeys = new Set<string>();
    for (const owned of items) {
      const id = owned.metadata?.annotations?.[ANNOTATION_AZURE_RESOURCE_ID];
      if (!id) continue;
      const target = azureSpendTargetOf(owned);
      if (target && 'subscriptionId' in target) {
        subscriptionIds.add(target.subscriptionId);
      } else if (target) resourceKeys.add(target.resourceKey);
    }
    // An owned subscription already includes its resources; counting them again would double them.
    const keys = resourcesOutsideSubscriptions(resourceKeys, subscriptionIds);
    const notes =
      subscriptionIds.size === 0 && keys.length === 0
        ? [
            `${entityRef} owns no Azure subscriptions or resources in the catalog.`,
          ]
        : [];
    return {
      scope: { subscriptionIds: [...subscriptionIds], resourceKeys: keys },
      notes,
    };
  }
}
