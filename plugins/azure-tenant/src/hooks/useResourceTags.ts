import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import { ResourceTags } from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../api';

/** The state of a `GET /tags` request, and a way to ask again. */
export interface ResourceTagsState {
  loading: boolean;
  error?: Error;
  value?: ResourceTags;
  reload: () => void;
}

/**
 * Loads a resource's tags and whether the user may edit them. A late answer for a resource the user has left is
 * dropped. A reload keeps the tags loaded before on screen until the new ones arrive.
 */
export function useResourceTags(
  resourceId: string | undefined,
): ResourceTagsState {
  const api = useApi(azureTenantApiRef);
  const { loading, error, value, retry } = useAsyncRetry(
    async () => (resourceId ? api.getTags(resourceId) : undefined),
    [api, resourceId],
  );
  if (!resourceId) {
    return { loading: false, reload: retry };
  }
  return {
    loading,
    // A reload clears the error of the previous attempt.
    error: loading ? undefined : error,
    value,
    reload: retry,
  };
}
