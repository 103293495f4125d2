import { useCallback, useEffect, useState } from 'react';
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
 * dropped.
 */
export function useResourceTags(
  resourceId: string | undefined,
): ResourceTagsState {
  const api = useApi(azureTenantApiRef);
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<Omit<ResourceTagsState, 'reload'>>({
    loading: !!resourceId,
  });

  useEffect(() => {
    if (!resourceId) {
      setState({ loading: false });
      return undefined;
    }
    let cancelled = false;
    setState(previous => ({ ...previous, loading: true, error: undefined }));
    api.getTags(resourceId).then(
      value => {
        if (!cancelled) setState({ loading: false, value });
      },
      error => {
        if (!cancelled) setState({ loading: false, error });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, resourceId, attempt]);

  const reload = useCallback(() => setAttempt(n => n + 1), []);
  return { ...state, reload };
}
