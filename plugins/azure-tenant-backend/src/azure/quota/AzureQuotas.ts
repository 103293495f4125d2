import { QuotaLimit } from './QuotaBudget';

/**
 * The quotas the replicas share, each a token bucket kept a little under Azure's own limit, so that all replicas
 * together are never throttled. Read from `azureTenant.quotas` (see QuotaConfig.ts).
 */
export interface AzureQuotas {
  /** Off: no request waits for the shared budget (Azure's headers and the SDK's 429 retry still apply). */
  enabled: boolean;
  /**
   * ARM reads per principal and subscription, and per principal at tenant level. Azure: a bucket of 250 refilling 25
   * per second for each ("Understand how Azure Resource Manager throttles requests", Regional throttling and token
   * bucket algorithm, https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling).
   */
  armReads: QuotaLimit;
  /**
   * Resource Graph queries per user (principal). Azure: "at most 15 queries within every 5-second window"
   * (https://learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests). A bucket
   * holds a window's worth: its capacity plus its refill over 5 s must stay at or under 15.
   */
  resourceGraph: QuotaLimit;
  /**
   * Cost Management query processing units (QPU) per tenant, one bucket per window Azure counts in: 12 per 10 s, 60 per
   * minute, 600 per hour, one QPU per month of data queried
   * (https://learn.microsoft.com/azure/cost-management-billing/costs/manage-automation#query-api-query-processing-units).
   * These are sliding windows: each bucket's capacity plus its refill over its window stays at or under the quota.
   */
  costManagement: {
    per10Seconds: QuotaLimit;
    perMinute: QuotaLimit;
    perHour: QuotaLimit;
  };
}

/** The defaults: a little under each of Azure's documented limits. */
export const DEFAULT_AZURE_QUOTAS: AzureQuotas = {
  enabled: true,
  // 90% of Azure's 250 and 25 per second; the bucket starts full at 225, under Azure's 250.
  armReads: { capacity: 225, refillPerSecond: 22.5 },
  // 7 + 1.4 × 5 s = 14 queries in any 5 s, under 15.
  resourceGraph: { capacity: 7, refillPerSecond: 1.4 },
  costManagement: {
    // 5 + 0.6 × 10 s = 11 QPU in any 10 s, under 12.
    per10Seconds: { capacity: 5, refillPerSecond: 0.6 },
    // 10 + 0.75 × 60 s = 55 QPU in any minute, under 60.
    perMinute: { capacity: 10, refillPerSecond: 0.75 },
    // 50 + 0.15 × 3600 s = 590 QPU in any hour, under 600.
    perHour: { capacity: 50, refillPerSecond: 0.15 },
  },
};
