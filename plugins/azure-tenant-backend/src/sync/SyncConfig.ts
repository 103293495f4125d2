import { Config } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { readOptionalDuration, readWholeNumber } from '../config/configValues';
import {
  ChangeFeedConfig,
  readChangeFeedConfig,
} from './changeFeed/ChangeFeedConfig';
import { readSyncClaimConfig, SyncClaimConfig } from './claims/SyncClaimConfig';

/**
 * The validated `azureTenant.sync` configuration. `reconcileInterval` and `changeFeed` are read by
 * `changeFeed/ChangeFeedConfig.ts`; `claimInterval` and `lease` by `claims/SyncClaimConfig.ts`.
 */
export interface SyncConfig extends ChangeFeedConfig, SyncClaimConfig {
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
  /**
   * While the portal has lost access to a subscription (or its tenant), its syncs back off: the first retry after
   * `frequency`, each next one after twice the previous wait, up to this.
   */
  lostAccessMaxInterval: HumanDuration;
}

/**
 * How long syncs wait before the next try while access is lost, after `attempts` syncs in a row met the problem:
 * `initialMs` doubled for each attempt after the first, up to `maxMs`.
 */
export function lostAccessRetryDelayMs(
  attempts: number,
  initialMs: number,
  maxMs: number,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(initialMs * 2 ** exponent, Math.max(initialMs, maxMs));
}

const PREFIX = 'azureTenant.sync';

/** The length of a duration in milliseconds. */
export const durationMs = durationToMilliseconds;

/** Reads and validates `azureTenant.sync`, with its defaults. */
export function readSyncConfig(root: Config): SyncConfig {
  const config = root.getOptionalConfig(PREFIX);
  const types = (key: string) =>
    new Set(
      (config?.getOptionalStringArray(key) ?? []).map(t => t.toLowerCase()),
    );
  const frequency = readOptionalDuration(config, PREFIX, 'frequency', {
    minimum: { minutes: 1 },
  }) ?? { hours: 1 };
  return {
    ...readChangeFeedConfig(root, frequency),
    ...readSyncClaimConfig(root),
    frequency,
    timeout: readOptionalDuration(config, PREFIX, 'timeout', {
      minimum: { seconds: 1 },
    }) ?? { minutes: 30 },
    concurrency: readWholeNumber(config, PREFIX, 'concurrency', {
      min: 1,
      max: 32,
      fallback: 4,
    }),
    pageSize: readWholeNumber(config, PREFIX, 'pageSize', {
      min: 1,
      max: 1000,
      fallback: 1000,
    }),
    includeTypes: types('resourceTypes.include'),
    excludeTypes: types('resourceTypes.exclude'),
    minRemainingReads: readWholeNumber(config, PREFIX, 'minRemainingReads', {
      min: 0,
      max: 100_000,
      fallback: 100,
    }),
    lostAccessMaxInterval: readOptionalDuration(
      config,
      PREFIX,
      'lostAccessMaxInterval',
      { minimum: { minutes: 1 } },
    ) ?? { hours: 24 },
  };
}
