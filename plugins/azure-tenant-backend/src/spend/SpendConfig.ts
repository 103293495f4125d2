import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';

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

/** Thrown at startup when `azureTenant.spend` is wrong; the message says which key and why. */
export class SpendConfigError extends Error {
  constructor(message: string) {
    super(`Invalid azureTenant.spend config: ${message}`);
    this.name = 'SpendConfigError';
  }
}

function integer(
  config: Config | undefined,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number {
  let value: number | undefined;
  try {
    value = config?.getOptionalNumber(key);
  } catch (error) {
    throw new SpendConfigError(
      `azureTenant.spend.${key} must be a number: ${(error as Error).message}`,
    );
  }
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SpendConfigError(
      `azureTenant.spend.${key} must be a whole number from ${min} to ${max}, got ${value}`,
    );
  }
  return value;
}

/** Reads and validates `azureTenant.spend` from the root config; every key is optional. */
export function readSpendConfig(root: Config): SpendConfig {
  const config = root.getOptionalConfig('azureTenant.spend');

  let schedule = DEFAULT_SPEND_CONFIG.schedule;
  if (config?.has('schedule')) {
    try {
      schedule = readSchedulerServiceTaskScheduleDefinitionFromConfig(
        config.getConfig('schedule'),
      );
    } catch (error) {
      throw new SpendConfigError(
        `azureTenant.spend.schedule is not a valid schedule: ${
          (error as Error).message
        }`,
      );
    }
  }

  const lookbackDays = integer(
    config,
    'lookbackDays',
    DEFAULT_SPEND_CONFIG.lookbackDays,
    1,
    MAX_LOOKBACK_DAYS,
  );
  const restatementDays = integer(
    config,
    'restatementDays',
    Math.min(DEFAULT_SPEND_CONFIG.restatementDays, lookbackDays),
    1,
    lookbackDays,
  );
  const concurrency = integer(
    config,
    'concurrency',
    DEFAULT_SPEND_CONFIG.concurrency,
    1,
    32,
  );
  return { schedule, lookbackDays, restatementDays, concurrency };
}
