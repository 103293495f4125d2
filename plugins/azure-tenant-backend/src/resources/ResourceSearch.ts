import { PermissionsService } from '@backstage/backend-plugin-api';
import { InputError, isError, NotFoundError } from '@backstage/errors';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ANNOTATION_AZURE_RESOURCE_ID,
  AzureResourceRecord,
  azureResourceEntityRef,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantStore } from '../database/AzureTenantStore';
import { ResourceQuery, ResourceStore } from '../database/ResourceStore';
import { Caller } from '../service/caller';
import {
  CURSOR_REFUSAL,
  encodeResourceSearchCursor,
  ResourceSearchQuery,
} from './resourceSearchParameters';

/** A resource that a search found. */
export interface FoundResource {
  /** Azure's resource id, in Azure's casing. Compare case-insensitively. */
  resourceId: string;
  name: string;
  /** The ARM type, e.g. `Microsoft.Compute/virtualMachines`. */
  type: string;
  subscriptionId: string;
  resourceGroup: string;
  location?: string;
  /** The Azure tags of the last sync; empty when the subscription's sync mode keeps no tags. */
  tags: Record<string, string>;
  /** Tags edited in the portal under `read-tags`, never written to Azure. */
  portalTags?: Record<string, string>;
  /** The resource's catalog entity. */
  entityRef: string;
}

/** A page of a search. It may hold fewer items than the limit, even none, and still have a next page. */
export interface ResourceSearchPage {
  items: FoundResource[];
  /** Pass as `cursor`, with the same filters, for the next page; absent on the last page. */
  nextCursor?: string;
}

/** What {@link ResourceSearch} reads. */
export interface ResourceSearchOptions {
  resources: Pick<ResourceStore, 'findResources'>;
  /** For the sync modes: a tag filter cannot match in a subscription whose tags are not kept. */
  subscriptions: Pick<
    AzureTenantStore,
    'listSubscriptions' | 'getSubscription'
  >;
  /** For the owner filter, asked with the caller's credentials. */
  catalog: Pick<CatalogService, 'queryEntities'>;
  permissions: PermissionsService;
}

function found(record: AzureResourceRecord): FoundResource {
  return {
    resourceId: record.resourceId,
    name: record.name,
    type: record.type,
    subscriptionId: record.subscriptionId,
    resourceGroup: record.resourceGroup,
    ...(record.location ? { location: record.location } : {}),
    tags: record.tags ?? {},
    ...(record.portalTags ? { portalTags: record.portalTags } : {}),
    entityRef: azureResourceEntityRef(record.resourceId),
  };
}

/**
 * Finds synced resources by subscription, resource group, type, tag, missing tag and owner: the one operation behind
 * `GET /resources`, `GET /subscriptions/{subscriptionId}/resources` and the `find-resources` action.
 *
 * Listing resources is reading their catalog entities, so each resource found is shown only to a caller who may
 * read its entity (`catalog.entity.read`), decided as `GET /tags` decides it. The plugin's own
 * `azure-tenant.tenant.read` is not asked: it guards the tenants and subscriptions admin view, and a team that may
 * see its resources in the catalog may find them here too.
 */
export class ResourceSearch {
  constructor(private readonly options: ResourceSearchOptions) {}

  /**
   * A search within one subscription, named by the path of `GET /subscriptions/{subscriptionId}/resources`: a 404
   * when the subscription was never onboarded, as the API's other paths of a subscription answer, rather than an
   * empty page that reads as "no resources".
   */
  async findInSubscription(
    subscriptionId: string,
    query: ResourceSearchQuery,
    caller: Caller,
  ): Promise<ResourceSearchPage> {
    if (!(await this.options.subscriptions.getSubscription(subscriptionId))) {
      throw new NotFoundError(`No onboarded subscription ${subscriptionId}`);
    }
    return this.find(query, caller);
  }

  async find(
    query: ResourceSearchQuery,
    caller: Caller,
  ): Promise<ResourceSearchPage> {
    const filters: Omit<ResourceQuery, 'limit'> = {
      subscriptionId: query.subscriptionId,
      resourceGroup: query.resourceGroup,
      type: query.type,
      tagKey: query.tagKey,
      tagValue: query.tagValue,
      missingTag: query.missingTag,
      nameContains: query.name,
      tagsUnknownIn: await this.subscriptionsWithoutTags(query),
    };
    const page = query.owner
      ? await this.ownedPage(query, query.owner, filters, caller)
      : await this.storePage(query, filters);
    return {
      items: await this.visible(page.records, caller),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    };
  }

  /** With a tag filter: the subscriptions whose sync mode keeps no tags, where nobody knows a resource's tags. */
  private async subscriptionsWithoutTags(
    query: ResourceSearchQuery,
  ): Promise<string[] | undefined> {
    if (query.tagKey === undefined && query.missingTag === undefined) {
      return undefined;
    }
    const subscriptions = await this.options.subscriptions.listSubscriptions();
    return subscriptions
      .filter(s => s.syncMode === 'no-tags' || s.syncMode === 'none')
      .map(s => s.subscriptionId.toLowerCase());
  }

  private async storePage(
    query: ResourceSearchQuery,
    filters: Omit<ResourceQuery, 'limit'>,
  ) {
    const { items, hasMore } = await this.options.resources.findResources({
      ...filters,
      ...(query.cursor && 'afterKey' in query.cursor
        ? { afterKey: query.cursor.afterKey }
        : {}),
      limit: query.limit,
    });
    const last = items[items.length - 1];
    return {
      records: items,
      nextCursor:
        hasMore && last
          ? encodeResourceSearchCursor({
              afterKey: last.resourceId.toLowerCase(),
            })
          : undefined,
    };
  }

  /**
   * The owner's resources, as the catalog says (the catalog module resolves the owner tag). A team may own a
   * hundred thousand resources, so their ids are never gathered at once: each page of the search is one page of the
   * owner's entities, at most `limit`, whose resources are then filtered in the store. The catalog is asked with the
   * caller's credentials, so it leaves out what the caller may not see.
   */
  private async ownedPage(
    query: ResourceSearchQuery,
    owner: string,
    filters: Omit<ResourceQuery, 'limit'>,
    caller: Caller,
  ) {
    // The catalog splits a field at its dots, so an annotation's key cannot be named alone.
    const fields = ['metadata.annotations'];
    const response = await this.queryCatalog(query, owner, fields, caller);
    const keys = response.items
      .map(
        entity => entity.metadata?.annotations?.[ANNOTATION_AZURE_RESOURCE_ID],
      )
      .filter((id): id is string => typeof id === 'string')
      .map(id => id.toLowerCase());
    const { items } = await this.options.resources.findResources({
      ...filters,
      resourceKeys: keys,
      limit: Math.max(keys.length, 1),
    });
    const next = response.pageInfo.nextCursor;
    return {
      records: items,
      nextCursor: next
        ? encodeResourceSearchCursor({ owner, catalogCursor: next })
        : undefined,
    };
  }

  /**
   * A page of the Resource entities the owner owns, with the caller's credentials. A cursor of ours carries the
   * catalog's own; one the catalog refuses was not made by a search, and is refused in this search's words rather
   * than the catalog's, which name no cursor.
   */
  private async queryCatalog(
    query: ResourceSearchQuery,
    owner: string,
    fields: string[],
    caller: Caller,
  ) {
    const catalogCursor =
      query.cursor && 'catalogCursor' in query.cursor
        ? query.cursor.catalogCursor
        : undefined;
    try {
      return await this.options.catalog.queryEntities(
        catalogCursor
          ? { cursor: catalogCursor, limit: query.limit, fields }
          : {
              // Other resources the owner owns (not from Azure) only make a page shorter.
              filter: { kind: 'resource', 'relations.ownedBy': owner },
              limit: query.limit,
              fields,
              totalItems: 'exclude',
            },
        { credentials: caller.credentials },
      );
    } catch (error) {
      const status = isError(error)
        ? (error as { response?: { status?: number } }).response?.status
        : undefined;
      if (catalogCursor && (status === 400 || error instanceof InputError)) {
        throw new InputError(CURSOR_REFUSAL);
      }
      throw error;
    }
  }

  /** The resources whose catalog entity the caller may read, decided for the whole page at once. */
  private async visible(
    records: AzureResourceRecord[],
    caller: Caller,
  ): Promise<FoundResource[]> {
    if (records.length === 0) return [];
    const items = records.map(found);
    const decisions = await this.options.permissions.authorize(
      items.map(item => ({
        permission: catalogEntityReadPermission,
        resourceRef: item.entityRef,
      })),
      { credentials: caller.credentials },
    );
    return items.filter(
      (_, i) => decisions[i]?.result === AuthorizeResult.ALLOW,
    );
  }
}
