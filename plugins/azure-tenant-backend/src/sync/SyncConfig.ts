import { Config, readDurationFromConfig } from '@backstage/config';
import { HumanDuration } from '@backstage/types';
import { AzureTenantConfigError } from '../config/AzureTenantConfig';

/** The validated `azureTenant.sync` configuration. */
export interface SyncConfig {
  /** How often each subscription is synced. */
  frequency: HumanDuration;
  /** How long one run of the sync task may take. */
  timeout: HumanDuration;
  /** How many subscriptions are synced at the same time. */
  concurrency: number;
  /** Resources per ARM page (`$top`). */
  pageSize: number;
  /** ARM types to sync (lower case); all when empty. */
  includeTypes: Set<string>;
  /** ARM types never to sync (lower case). */
  excludeTypes: Set<string>;
  /** Below this many remaining reads (`x-ms-ratelimit-remaining-subscription-reads`), the sync slows down. */
  minRemainingReads: number;
}

function durationMs(duration: HumanDuration): number {
  const d = duration as Record<string, number | undefined>;
  return (
    (d.milliseconds ?? 0) +
    (d.seconds ?? 0) * 1000 +
    (d.minutes ?? 0) * 60_000 +
    (d.hours ?? 0) * 3_600_000 +
    (d.days ?? 0) * 86_400_000 +
    (d.weeks ?? 0) * 604_800_000
  );
}

/** The length of a duration in milliseconds. */
export { durationMs };

/** Reads and validates `azureTenant.sync`, with its defaults. */
export function readSyncConfig(root: Config): SyncConfig {
  const config = root.getOptionalConfig('azureTenant.sync');
  const frequency = config?.has('frequency')
    ? readDurationFromConfig(config, { key: 'frequency' })
    : { hours: 1 };
  const timeout = config?.has('timeout')
    ? readDurationFromConfig(config, { key: 'timeout' })
    : { minutes: 30 };
  const concurrency = config?.getOptionalNumber('concurrency') ?? 4;
  const pageSize = config?.getOptionalNumber('pageSize') ?? 1000;
  const minRemainingReads =
    config?.getOptionalNumber('minRemainingReads') ?? 100;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    throw new AzureTenantConfigError(
      'azureTenant.sync.concurrency must be an integer from 1 to 32',
    );
  }
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new AzureTenantConfigError(
      'azureTenant.sync.pageSize must be an integer from 1 to 1000',
    );
  }
  if (durationMs(frequency) < 60_000) {
    throw new AzureTenantConfigError(
      'azureTenant.sync.frequency must be at least one minute',
    );
  }
  const types = (key: string) =>
    new Set(
      (config?.getOptionalStringArray(key) ?? []).map(t => t.toLowerCase()),
    );
  return {
    frequency,
    timeout,
    concurrency,
    pageSize,
    includeTypes: types('resourceTypes.include'),
    excludeTypes: types('resourceTypes.exclude'),
    minRemainingReads,
  };
}
