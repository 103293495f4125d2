import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { AzureTenantConfigError } from '@azure-tenant/plugin-azure-tenant-common';
import { Config } from '@backstage/config';

/** The validated `azureTenant.savings` configuration. */
export interface SavingsConfig {
  schedule: SchedulerServiceTaskScheduleDefinition;
}

/**
 * The defaults of `azureTenant.savings`: every 6 hours, as the spend sync (Advisor refreshes its cost recommendations
 * about once a day), the first run at start.
 */
export const DEFAULT_SAVINGS_CONFIG: SavingsConfig = {
  schedule: { frequency: { hours: 6 }, timeout: { minutes: 30 } },
};

const PREFIX = 'azureTenant.savings';

/** Reads and validates `azureTenant.savings` from the root config; every key is optional. */
export function readSavingsConfig(root: Config): SavingsConfig {
  const config = root.getOptionalConfig(PREFIX);
  if (!config?.has('schedule')) return DEFAULT_SAVINGS_CONFIG;
  try {
    return {
      schedule: readSchedulerServiceTaskScheduleDefinitionFromConfig(
        config.getConfig('schedule'),
      ),
    };
  } catch (error) {
    throw new AzureTenantConfigError(
      `${PREFIX}.schedule`,
      'is not a valid schedule: give frequency and timeout, each a duration such as { hours: 6 } or ISO 8601 (frequency may also be a cron expression)',
      error,
    );
  }
}
