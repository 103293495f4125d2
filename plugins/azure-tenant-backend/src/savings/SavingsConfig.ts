import { SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { readSchedule } from '../config/configValues';

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
  return {
    schedule: readSchedule(
      config,
      PREFIX,
      'schedule',
      DEFAULT_SAVINGS_CONFIG.schedule,
    ),
  };
}
