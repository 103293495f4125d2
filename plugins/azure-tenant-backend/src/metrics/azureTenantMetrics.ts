import {
  MetricsService,
  MetricsServiceCounter,
  MetricsServiceHistogram,
} from '@backstage/backend-plugin-api/alpha';
import { AzureFailureReason } from './azureFailure';

/** The Azure API a request went to. */
export type AzureApi = 'arm' | 'cost-management';

/**
 * Why a request waited: `retry-after` is the wait a 429 named; `remaining-reads` is the portal slowing down on its own
 * as ARM's `x-ms-ratelimit-remaining-subscription-reads` runs low.
 */
export type ThrottleWaitCause = 'retry-after' | 'remaining-reads';

/** How a tag change ended, as a metric attribute. */
export type TagChangeOutcome =
  | 'written'
  | 'unchanged'
  | 'portal-only'
  | 'conflict'
  | 'invalid'
  | 'refused'
  | 'denied'
  | 'not-found'
  | 'failed';

/** What one subscription's sync did, for {@link AzureTenantMetrics}. */
export interface SyncRunMeasurement {
  tenantId: string;
  outcome: 'succeeded' | 'failed';
  durationMs: number;
  /** Resources listed by Azure (resource sync) or cost rows read (spend sync). */
  read: number;
  /** Resources stored or removed (resource sync) or cost rows stored (spend sync). */
  written: number;
  /** Why a failed sync failed (`azureFailureReason`). */
  reason?: AzureFailureReason;
}

// Seconds, like OpenTelemetry's semantic conventions: from a fast sync of a small subscription to a long backfill.
const DURATION_BUCKETS_S = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const WAIT_BUCKETS_S = [0.1, 0.5, 1, 2, 5, 10, 20, 30, 60];

interface SyncInstruments {
  runs: MetricsServiceCounter;
  failures: MetricsServiceCounter;
  duration: MetricsServiceHistogram;
  read: MetricsServiceCounter;
  written: MetricsServiceCounter;
}

function syncInstruments(
  metrics: MetricsService,
  sync: 'resource_sync' | 'spend_sync',
  items: { name: 'resources' | 'rows'; unit: string; what: string },
): SyncInstruments {
  const prefix = `azure_tenant.${sync}`;
  const title = sync === 'resource_sync' ? 'resource sync' : 'spend sync';
  return {
    runs: metrics.createCounter(`${prefix}.runs`, {
      description: `Runs of the ${title} of one subscription, by tenant and outcome (succeeded, failed).`,
      unit: '{run}',
    }),
    failures: metrics.createCounter(`${prefix}.failures`, {
      description: `Failed runs of the ${title} of one subscription, by tenant and reason.`,
      unit: '{run}',
    }),
    duration: metrics.createHistogram(`${prefix}.duration`, {
      description: `How long the ${title} of one subscription took, by tenant and outcome.`,
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
    }),
    read: metrics.createCounter(`${prefix}.${items.name}_read`, {
      description: `${items.what} the ${title} read from Azure, by tenant.`,
      unit: items.unit,
    }),
    written: metrics.createCounter(`${prefix}.${items.name}_written`, {
      description: `${items.what} the ${title} stored or removed in the plugin's database, by tenant.`,
      unit: items.unit,
    }),
  };
}

function recordSync(instruments: SyncInstruments, run: SyncRunMeasurement) {
  const tenant = run.tenantId.toLowerCase();
  instruments.runs.add(1, { tenant, outcome: run.outcome });
  instruments.duration.record(Math.max(0, run.durationMs) / 1000, {
    tenant,
    outcome: run.outcome,
  });
  if (run.read > 0) instruments.read.add(run.read, { tenant });
  if (run.written > 0) instruments.written.add(run.written, { tenant });
  if (run.outcome === 'failed') {
    instruments.failures.add(1, {
      tenant,
      reason: run.reason ?? 'internal',
    });
  }
}

/**
 * The plugin's metrics, made once in `plugin.ts` from Backstage's metrics service and handed to the services that
 * measure. Every instrument has a `tenant` attribute (the tenant id, lower case) and otherwise only attributes with a
 * closed set of values, so that the number of series stays bounded; subscription ids are left out on purpose (they
 * are in the log lines). docs/operations.md lists each metric and what to alert on.
 */
export class AzureTenantMetrics {
  private readonly resourceSync: SyncInstruments;
  private readonly spendSync: SyncInstruments;
  private readonly throttledRequests: MetricsServiceCounter;
  private readonly throttleWait: MetricsServiceHistogram;
  private readonly tagChanges: MetricsServiceCounter;
  private readonly tagConflicts: MetricsServiceCounter;

  constructor(metrics: MetricsService) {
    this.resourceSync = syncInstruments(metrics, 'resource_sync', {
      name: 'resources',
      unit: '{resource}',
      what: 'Resources',
    });
    this.spendSync = syncInstruments(metrics, 'spend_sync', {
      name: 'rows',
      unit: '{row}',
      what: 'Daily cost rows',
    });
    this.throttledRequests = metrics.createCounter(
      'azure_tenant.azure.throttled_requests',
      {
        description:
          'Requests Azure answered with 429 (each try counts), by tenant and API (arm, cost-management).',
        unit: '{request}',
      },
    );
    this.throttleWait = metrics.createHistogram(
      'azure_tenant.azure.throttle_wait',
      {
        description:
          'Waits before a request to Azure because of throttling, by tenant, API and cause (retry-after: a 429 named the wait; remaining-reads: the portal slowed down as the read budget ran low).',
        unit: 's',
        advice: { explicitBucketBoundaries: WAIT_BUCKETS_S },
      },
    );
    this.tagChanges = metrics.createCounter('azure_tenant.tags.changes', {
      description:
        'Tag changes asked for, one per resource, by tenant and outcome (written, unchanged, portal-only, conflict, invalid, refused, denied, not-found, failed).',
      unit: '{change}',
    });
    this.tagConflicts = metrics.createCounter('azure_tenant.tags.conflicts', {
      description:
        'Tag changes refused with 409 because a tag changed since the editor read it, by tenant.',
      unit: '{change}',
    });
  }

  /** One subscription's resource sync ended. */
  recordResourceSync(run: SyncRunMeasurement): void {
    recordSync(this.resourceSync, run);
  }

  /** One subscription's spend sync ended. */
  recordSpendSync(run: SyncRunMeasurement): void {
    recordSync(this.spendSync, run);
  }

  /** Azure answered 429; `waitMs` is the wait it named (after Cost Management's own headers were read), if any. */
  recordThrottled(tenantId: string, api: AzureApi, waitMs?: number): void {
    const tenant = tenantId.toLowerCase();
    this.throttledRequests.add(1, { tenant, api });
    if (waitMs !== undefined) {
      this.recordThrottleWait(tenantId, api, 'retry-after', waitMs);
    }
  }

  /** A request waited because of throttling. */
  recordThrottleWait(
    tenantId: string,
    api: AzureApi,
    cause: ThrottleWaitCause,
    waitMs: number,
  ): void {
    this.throttleWait.record(Math.max(0, waitMs) / 1000, {
      tenant: tenantId.toLowerCase(),
      api,
      cause,
    });
  }

  /** A tag change on one resource ended. */
  recordTagChange(tenantId: string, outcome: TagChangeOutcome): void {
    const tenant = tenantId.toLowerCase();
    this.tagChanges.add(1, { tenant, outcome });
    if (outcome === 'conflict') this.tagConflicts.add(1, { tenant });
  }
}
