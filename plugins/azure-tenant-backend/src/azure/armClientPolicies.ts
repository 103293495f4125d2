import { PipelinePolicy } from '@azure/core-rest-pipeline';
import { AzureApi, AzureTenantMetrics } from '../metrics/azureTenantMetrics';
import { throttledRequestPolicy } from '../metrics/throttledRequestPolicy';
import { armThrottlingPolicy } from '../sync/armThrottlingPolicy';

/** A policy added to an Azure SDK client's pipeline (`additionalPolicies` of its options). */
export interface ArmClientPolicy {
  policy: PipelinePolicy;
  /** `perCall`: once for an operation; `perRetry`: around each try, after the token is added. */
  position: 'perCall' | 'perRetry';
}

/** Options for {@link armClientPolicies}: what a client of one tenant counts and how it paces itself. */
export interface ArmClientPoliciesOptions {
  /** The tenant whose principal the client calls as: its 429s and waits are counted under it. */
  tenantId: string;
  /** Counts the client's 429s and the waits of its pacing; without it nothing is counted. */
  metrics?: AzureTenantMetrics;
  /** The API its 429s are counted under. Defaults to `arm`. */
  api?: AzureApi;
  /**
   * Paces the client once ARM says fewer reads than this remain in the subscription's budget
   * (`azureTenant.sync.minRemainingReads`, see `armThrottlingPolicy`); no pacing when left out.
   */
  minRemainingReads?: number;
  /** The client's own policies, e.g. a quota's pacing or Cost Management's retry-after. */
  policies?: ArmClientPolicy[];
}

/**
 * Counts, in `metrics`, a wait that a client of the tenant took on its own to stay within an ARM read quota (cause
 * `remaining-reads`), for a pacing policy's `onWait`.
 */
export function recordRemainingReadsWait(
  metrics: AzureTenantMetrics | undefined,
  tenantId: string,
): (waitMs: number) => void {
  return waitMs =>
    metrics?.recordThrottleWait(tenantId, 'arm', 'remaining-reads', waitMs);
}

/**
 * The policies the plugin adds to an Azure SDK client: the 429 counter first, so that it wraps the client's own
 * policies and sees the wait the SDK's throttling policy will take before one of them rewrites it; ARM's
 * remaining-reads pacing once per call; then the client's own.
 */
export function armClientPolicies(
  options: ArmClientPoliciesOptions,
): ArmClientPolicy[] {
  const { tenantId, metrics, api = 'arm', minRemainingReads } = options;
  return [
    ...(metrics
      ? [
          {
            policy: throttledRequestPolicy({ metrics, tenantId, api }),
            position: 'perRetry' as const,
          },
        ]
      : []),
    ...(minRemainingReads !== undefined
      ? [
          {
            policy: armThrottlingPolicy({
              minRemainingReads,
              onWait: recordRemainingReadsWait(metrics, tenantId),
            }),
            position: 'perCall' as const,
          },
        ]
      : []),
    ...(options.policies ?? []),
  ];
}
