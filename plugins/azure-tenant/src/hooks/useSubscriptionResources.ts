import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { Entity } from '@backstage/catalog-model';
import { ANNOTATION_AZURE_RESOURCE_ID } from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef, SyncedAzureResource } from '../api';

/** A resource of a subscription, with its catalog entity when it is one. */
export interface SubscriptionResourceItem {
  resource: SyncedAzureResource;
  /** Absent when the catalog module makes no entity of it (see its `entities` setting), or not yet. */
  entity?: Entity;
}

/** One page of a subscription's resources. */
export interface SubscriptionResourcesState {
  loading: boolean;
  error?: Error;
  items: SubscriptionResourceItem[];
  nextCursor?: string;
  prevCursor?: string;
}

/**
 * The backend's cursors of the pages before and of the shown one: the backend pages forward only, so the way back
 * is kept in the cursor this hook hands out. `[]` is the first page.
 */
function readCursor(cursor: string | undefined): string[] {
  if (!cursor) return [];
  try {
    const parsed = JSON.parse(cursor);
    return Array.isArray(parsed) && parsed.every(c => typeof c === 'string')
      ? parsed
      : [];
  } catch {
    return [];
  }
}

/**
 * A page of a subscription's synced resources from the backend plugin, matching `term` in their name, each with its
 * catalog entity when it has one. Every resource is listed, whether or not the catalog module made an entity of it,
 * since what becomes an entity is configurable (every resource, resource groups, or subscriptions only). `cursor`
 * moves between pages of the same search; a new term starts over from the first page. While the next page loads,
 * the current one stays on screen.
 */
export function useSubscriptionResources(options: {
  subscriptionId: string | undefined;
  term: string;
  cursor?: string;
  pageSize: number;
}): SubscriptionResourcesState {
  const azureTenantApi = useApi(azureTenantApiRef);
  const catalogApi = useApi(catalogApiRef);
  const { subscriptionId, term, cursor, pageSize } = options;

  const { loading, error, value } = useAsync(async () => {
    if (!subscriptionId) return undefined;
    const search = term.trim();
    const trail = readCursor(cursor);
    const page = await azureTenantApi.listSubscriptionResources(
      subscriptionId,
      {
        ...(search ? { name: search } : {}),
        ...(trail.length ? { cursor: trail[trail.length - 1] } : {}),
        limit: pageSize,
      },
    );
    const byResourceId = new Map<string, Entity>();
    if (page.items.length > 0) {
      try {
        const { items } = await catalogApi.getEntities({
          filter: {
            kind: 'resource',
            [`metadata.annotations.${ANNOTATION_AZURE_RESOURCE_ID}`]:
              page.items.map(r => r.resourceId),
          },
        });
        for (const entity of items) {
          const id =
            entity.metadata.annotations?.[ANNOTATION_AZURE_RESOURCE_ID];
          if (id) byResourceId.set(id.toLocaleLowerCase('en-US'), entity);
        }
      } catch {
        // The resources are still worth showing; without the catalog they link to no entity.
      }
    }
    return {
      items: page.items.map(resource => ({
        resource,
        entity: byResourceId.get(
          resource.resourceId.toLocaleLowerCase('en-US'),
        ),
      })),
      nextCursor: page.nextCursor
        ? JSON.stringify([...trail, page.nextCursor])
        : undefined,
      prevCursor: trail.length ? JSON.stringify(trail.slice(0, -1)) : undefined,
    };
  }, [azureTenantApi, catalogApi, subscriptionId, term, cursor, pageSize]);

  if (!subscriptionId) {
    return { loading: false, items: [] };
  }
  if (error && !loading) {
    return { loading: false, items: [], error };
  }
  return { items: [], ...value, loading };
}
