import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_AZURE_SUBSCRIPTION_ID,
  AZURE_SUBSCRIPTION_ENTITY_TYPE,
} from '@azure-tenant/plugin-azure-tenant-common';

/** One page of a subscription's resource entities. */
export interface SubscriptionResourcesState {
  loading: boolean;
  error?: Error;
  items: Entity[];
  totalItems?: number;
  nextCursor?: string;
  prevCursor?: string;
}

/**
 * A page of the resource entities of a subscription from the catalog, matching `term` in their name or title.
 * `cursor` moves between pages of the same search; a new term starts over from the first page. The subscription's
 * own entity carries the same annotation, and is left out (by the query, and again here). While the next page
 * loads, the current one stays on screen.
 */
export function useSubscriptionResources(options: {
  subscriptionId: string | undefined;
  /** The subscription's own entity: its resources are the entities that are a `dependencyOf` it. */
  subscriptionEntityRef: string;
  term: string;
  cursor?: string;
  pageSize: number;
}): SubscriptionResourcesState {
  const catalogApi = useApi(catalogApiRef);
  const { subscriptionId, subscriptionEntityRef, term, cursor, pageSize } =
    options;

  const { loading, error, value } = useAsync(async () => {
    if (!subscriptionId) return undefined;
    const search = term.trim();
    const response = await catalogApi.queryEntities(
      cursor
        ? { cursor, limit: pageSize }
        : {
            filter: {
              kind: 'resource',
              [`metadata.annotations.${ANNOTATION_AZURE_SUBSCRIPTION_ID}`]:
                subscriptionId,
              // Leaves out the subscription's own entity, which has the same annotation, so totals count resources.
              'relations.dependencyOf': subscriptionEntityRef,
            },
            ...(search && {
              fullTextFilter: {
                term: search,
                fields: ['metadata.name', 'metadata.title'],
              },
            }),
            orderFields: { field: 'metadata.name', order: 'asc' as const },
            limit: pageSize,
          },
    );
    return {
      items: response.items.filter(
        e => e.spec?.type !== AZURE_SUBSCRIPTION_ENTITY_TYPE,
      ),
      totalItems: response.totalItems,
      nextCursor: response.pageInfo.nextCursor,
      prevCursor: response.pageInfo.prevCursor,
    };
  }, [
    catalogApi,
    subscriptionId,
    subscriptionEntityRef,
    term,
    cursor,
    pageSize,
  ]);

  if (!subscriptionId) {
    return { loading: false, items: [] };
  }
  if (error && !loading) {
    return { loading: false, items: [], error };
  }
  return { items: [], ...value, loading };
}
