import { SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { readSchedule, readWholeNumber } from '../config/configValues';

/** The validated `azureTenant.spend` configuration. */
export interface SpendConfig {
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** Days of spend kept from Azure, counting today. */
  lookbackDays: number;
  /** The most recent days that are read again on every sync, because Azure still restates them. */
  restatementDays: number;
  /** Subscriptions synced at the same time. */
  concurrency: number;
}

/** The defaults of `azureTenant.spend`. */
export const DEFAULT_SPEND_CONFIG: SpendConfig = {
  schedule: { frequency: { hours: 6 }, timeout: { minutes: 30 } },
  lookbackDays: 90,
  restatementDays: 5,
  concurrency: 2,
};

/** Cost Management answers at most one year per query. */
export const MAX_LOOKBACK_DAYS = 366;

const PREFIX = 'azureTenant.spend';

/** Reads and validates `azureTenant.spend` from the root config; every key is optional. */
export function readSpendConfig(root: Config): SpendConfig {
  const config = root.getOptionalConfig(PREFIX);

  const schedule = readSchedule(
    config,
    PREFIX,
    'schedule',
    DEFAULT_SPEND_CONFIG.schedule,
  );

  const lookbackDays = readWholeNumber(config, PREFIX, 'lookbackDays', {
    min: 1,
    max: MAX_LOOKBACK_DAYS,
    fallback: DEFAULT_SPEND_CONFIG.lookbackDays,
  });
  const restatementDays = readWholeNumber(config, PREFIX, 'restatementDays', {
    min: 1,
    max: lookbackDays,
    fallback: Math.min(DEFAULT_SPEND_CONFIG.restatementDays, lookbackDays),
  });
  const concurrency = readWholeNumber(config, PREFIX, 'concurrency', {
    min: 1,
    max: 32,
    fallback: DEFAULT_SPEND_CONFIG.concurrency,
  });
  return { schedule, lookbackDays, restatementDays, concurrency };
}
