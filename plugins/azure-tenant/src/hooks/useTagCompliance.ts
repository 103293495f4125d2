import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ResourceTagCompliance,
  TagComplianceSummary,
} from '@azure-tenant/plugin-azure-tenant-common';
import { TagComplianceSummaryQuery, azureTenantApiRef } from '../api';
import { tagComplianceRouteRef } from '../routes';
import { useReloadableAsync } from './useReloadableAsync';

/** The largest page `GET /tag-compliance/resources` gives. */
const COMPLIANCE_PAGE_LIMIT = 500;
/** Pages read at most: 10,000 resources, beyond which a browser table is no help and the page says so. */
const MAX_COMPLIANCE_PAGES = 20;

/** The compliance figure of a scope with its daily history, while it loads, or why it failed. */
export interface TagComplianceSummaryState {
  loading: boolean;
  error?: Error;
  summary?: TagComplianceSummary;
}

/**
 * The compliance summary of a subscription, an owner, or everything (`{}`), with `days` of history. Nothing is
 * loaded while `query` is undefined.
 */
export function useTagComplianceSummary(
  query: TagComplianceSummaryQuery | undefined,
): TagComplianceSummaryState {
  const api = useApi(azureTenantApiRef);
  const { subscriptionId, ownerRef, days } = query ?? {};
  const { loading, error, value } = useAsync(
    async () =>
      query ? api.getTagComplianceSummary(query) : Promise.resolve(undefined),
    // The fields, not the object: a caller's new object each render must not load again.
    [api, !!query, subscriptionId, ownerRef, days],
  );
  return { loading, error, summary: value };
}

/** One resource's compliance, while it loads, or why it failed. */
export interface ResourceTagComplianceState {
  loading: boolean;
  error?: Error;
  /** Undefined while loading, and when the resource has not been evaluated yet (`notEvaluated`). */
  compliance?: ResourceTagCompliance;
  /** The backend has no compliance for it yet (404): not synced or not evaluated. */
  notEvaluated: boolean;
}

/** One resource's compliance as last evaluated, with its violations' messages. */
export function useResourceTagCompliance(
  resourceId: string | undefined,
): ResourceTagComplianceState {
  const api = useApi(azureTenantApiRef);
  const { loading, error, value } = useAsync(async () => {
    if (!resourceId) return undefined;
    try {
      return await api.getResourceTagCompliance(resourceId);
    } catch (e) {
      if (e instanceof ResponseError && e.statusCode === 404) return null;
      throw e;
    }
  }, [api, resourceId]);
  return {
    loading,
    error,
    compliance: value ?? undefined,
    notEvaluated: value === null,
  };
}

/** The non-compliant resources of a subscription, all pages of them. */
export interface SubscriptionViolationsState {
  loading: boolean;
  error?: Error;
  /** Undefined until the first load ends. */
  items?: ResourceTagCompliance[];
  /** By lower-cased resource id. */
  byResourceId: Map<string, ResourceTagCompliance>;
  /** Whether there were more than the pages read (10,000 resources). */
  truncated: boolean;
  /** Loads again, e.g. after tags were written. */
  reload: () => void;
}

/**
 * The resources of a subscription that break a tag policy (or the policy `policyId`), with their violations, read
 * through every page of `GET /tag-compliance/resources`. Nothing is loaded without a subscription.
 */
export function useSubscriptionViolations(
  subscriptionId: string | undefined,
  policyId?: string,
): SubscriptionViolationsState {
  const api = useApi(azureTenantApiRef);
  const { loading, error, value, reload } = useReloadableAsync(async () => {
    if (!subscriptionId) return undefined;
    const items: ResourceTagCompliance[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_COMPLIANCE_PAGES; page++) {
      const response = await api.listTagCompliance({
        subscriptionId,
        status: 'non-compliant',
        ...(policyId && { policyId }),
        ...(cursor && { cursor }),
        limit: COMPLIANCE_PAGE_LIMIT,
      });
      items.push(...response.items);
      cursor = response.nextCursor;
      if (!cursor) return { items, truncated: false };
    }
    return { items, truncated: true };
  }, [api, subscriptionId, policyId]);

  const byResourceId = useMemo(
    () =>
      new Map(
        (value?.items ?? []).map(item => [
          item.resourceId.toLocaleLowerCase('en-US'),
          item,
        ]),
      ),
    [value],
  );
  return {
    loading,
    error,
    items: value?.items,
    byResourceId,
    truncated: value?.truncated ?? false,
    reload,
  };
}

/** The Tag compliance page's path; none in a legacy app that has not mounted the page, where `useRouteRef` throws. */
function useTagCompliancePage(): (() => string) | undefined {
  try {
    return useRouteRef(tagComplianceRouteRef);
  } catch {
    return undefined;
  }
}

/**
 * A link to the Tag compliance page with a query (`subscriptionId`, `ownerRef`), or undefined in a legacy app that has
 * not mounted the page.
 */
export function useTagCompliancePageLink():
  | ((query?: Record<string, string>) => string)
  | undefined {
  const page = useTagCompliancePage();
  if (!page) return undefined;
  return query => {
    const params = new URLSearchParams(query).toString();
    return params ? `${page()}?${params}` : page();
  };
}
