import { useApi } from '@backstage/core-plugin-api';
import {
  TagComplianceSummary,
  TagComplianceTeams,
} from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../api';
import { useReloadableAsync } from './useReloadableAsync';

/** The state of a compliance read; a reload keeps the previous answer until the new one arrives. */
export interface TagComplianceState<T> {
  loading: boolean;
  error?: Error;
  value?: T;
  reload: () => void;
}

/** Loads every owner's compliance with its trend, and the resources nobody owns. */
export function useTagComplianceTeams(
  days = 30,
): TagComplianceState<TagComplianceTeams> {
  const api = useApi(azureTenantApiRef);
  const { loading, error, value, reload } = useReloadableAsync(
    () => api.getTagComplianceTeams({ days }),
    [api, days],
  );
  return { loading, error, value, reload };
}

/** Loads the compliance of every resource the portal knows, with its daily history. */
export function useTagComplianceSummary(
  days = 30,
): TagComplianceState<TagComplianceSummary> {
  const api = useApi(azureTenantApiRef);
  const { loading, error, value, reload } = useReloadableAsync(
    () => api.getTagComplianceSummary({ days }),
    [api, days],
  );
  return { loading, error, value, reload };
}
