import { Config } from '@backstage/config';
import { HumanDuration } from '@backstage/types';
import { readOptionalDuration } from '../../config/configValues';

/** The validated `azureTenant.sync` keys of the claims by which replicas share the subscriptions. */
export interface SyncClaimConfig {
  /** How often each replica looks for due subscriptions to claim (besides *Sync now*, which looks at once). */
  claimInterval: HumanDuration;
  /** How long a claim lasts unless its replica renews it; a replica that dies frees its subscriptions after this. */
  lease: HumanDuration;
}

const PREFIX = 'azureTenant.sync';

/**
 * Reads `azureTenant.sync.claimInterval` (default 15 seconds, at least a second) and `azureTenant.sync.lease`
 * (default 2 minutes, at least 5 seconds: it is renewed every third of it).
 */
export function readSyncClaimConfig(root: Config): SyncClaimConfig {
  const sync = root.getOptionalConfig(PREFIX);
  return {
    claimInterval: readOptionalDuration(sync, PREFIX, 'claimInterval', {
      minimum: { seconds: 1 },
    }) ?? { seconds: 15 },
    lease: readOptionalDuration(sync, PREFIX, 'lease', {
      minimum: { seconds: 5 },
    }) ?? { minutes: 2 },
  };
}
