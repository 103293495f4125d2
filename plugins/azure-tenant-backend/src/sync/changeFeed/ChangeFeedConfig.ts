import { AzureTenantConfigError } from '@azure-tenant/plugin-azure-tenant-common';
import { Config } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { readOptionalDuration } from '../../config/configValues';

/** The validated `azureTenant.sync.changeFeed` configuration, and the reconcile interval beside it. */
export interface ChangeFeedConfig {
  /**
   * How long after a subscription's last full listing the next sync lists it in full again, whatever the change feed
   * said: the reconcile that catches what the feed missed.
   */
  reconcileInterval: HumanDuration;
  changeFeed: {
    /** Whether syncs read Resource Graph's change feed between full listings; without it every sync lists in full. */
    enabled: boolean;
    /**
     * How far before Azure's time of a run the next run reads the feed again: Resource Graph records a change a
     * little after it happens, and a change read twice writes nothing.
     */
    overlap: HumanDuration;
  };
}

const PREFIX = 'azureTenant.sync';

/**
 * Reads `azureTenant.sync.reconcileInterval` (default 24 hours, at least `frequency`) and `azureTenant.sync.changeFeed`
 * (`enabled`, default true; `overlap`, default 5 minutes, at most an hour).
 */
export function readChangeFeedConfig(
  root: Config,
  frequency: HumanDuration,
): ChangeFeedConfig {
  const sync = root.getOptionalConfig(PREFIX);
  const reconcileInterval = readOptionalDuration(
    sync,
    PREFIX,
    'reconcileInterval',
  ) ?? { hours: 24 };
  if (
    durationToMilliseconds(reconcileInterval) <
    durationToMilliseconds(frequency)
  ) {
    throw new AzureTenantConfigError(
      `${PREFIX}.reconcileInterval`,
      `must be at least ${PREFIX}.frequency (${JSON.stringify(frequency)})`,
    );
  }
  const changeFeed = sync?.getOptionalConfig('changeFeed');
  let enabled: boolean | undefined;
  try {
    enabled = changeFeed?.getOptionalBoolean('enabled');
  } catch (error) {
    throw new AzureTenantConfigError(
      `${PREFIX}.changeFeed.enabled`,
      'must be true or false',
      error,
    );
  }
  const overlap = readOptionalDuration(
    changeFeed,
    `${PREFIX}.changeFeed`,
    'overlap',
    { minimum: { seconds: 0 } },
  ) ?? { minutes: 5 };
  if (durationToMilliseconds(overlap) > durationToMilliseconds({ hours: 1 })) {
    throw new AzureTenantConfigError(
      `${PREFIX}.changeFeed.overlap`,
      'must be at most an hour',
    );
  }
  return {
    reconcileInterval,
    changeFeed: { enabled: enabled ?? true, overlap },
  };
}
