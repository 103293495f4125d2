import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { Entity } from '@backstage/catalog-model';
import { ANNOTATION_AZURE_RESOURCE_ID } from '@azure-tenant/plugin-azure-tenant-common';

/** The catalog entities of some Azure resources, by lower-cased resource id, while they load, or why they failed. */
export interface ResourceEntitiesState {
  loading: boolean;
  error?: Error;
  byResourceId: Map<string, Entity>;
}

/**
 * The resource entities of a few Azure resource ids (a page of them), found by their resource id annotation in one
 * catalog query. An id with no entity (not in the catalog yet) is simply absent.
 */
export function useResourceEntities(
  resourceIds: string[],
): ResourceEntitiesState {
  const catalogApi = useApi(catalogApiRef);
  const key = resourceIds.join('\n');
  const { loading, error, value } = useAsync(async () => {
    const byResourceId = new Map<string, Entity>();
    if (resourceIds.length === 0) return byResourceId;
    const { items } = await catalogApi.getEntities({
      filter: {
        kind: 'resource',
        [`metadata.annotations.${ANNOTATION_AZURE_RESOURCE_ID}`]: resourceIds,
      },
    });
    for (const entity of items) {
      const id = entity.metadata.annotations?.[ANNOTATION_AZURE_RESOURCE_ID];
      if (id) byResourceId.set(id.toLocaleLowerCase('en-US'), entity);
    }
    return byResourceId;
    // The ids' text, not the array: a new array of the same ids must not load again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogApi, key]);
  return { loading, error, byResourceId: value ?? new Map() };
}
