import { AzureTenantConfigError } from '@azure-tenant/plugin-azure-tenant-common';
import { Config } from '@backstage/config';
import { readWholeNumber } from '../../config/configValues';

/** The validated `azureTenant.budgets.anomalies` configuration. */
export interface SpendAnomalyConfig {
  enabled: boolean;
  /** Days of history a day is compared with. */
  historyDays: number;
  /** How many spreads above its expected value a day must be (k). */
  sensitivity: number;
  /** How far above its expected value a day must also be, in percent. */
  minimumIncreasePercent: number;
  /** How far above its expected value a day must also be, in the spend's currency. */
  minimumAmount: number;
}

/** The defaults of `azureTenant.budgets.anomalies`. */
export const DEFAULT_SPEND_ANOMALY_CONFIG: SpendAnomalyConfig = {
  enabled: true,
  historyDays: 28,
  sensitivity: 4,
  minimumIncreasePercent: 50,
  minimumAmount: 10,
};

/** Below this, the spread of a history is not worth a verdict (see `SpendAnomalyModel`). */
export const MIN_HISTORY_DAYS = 14;

const PREFIX = 'azureTenant.budgets.anomalies';

/**
 * An optional number of at least `min` (above it, with `aboveMin`) and at most `max`, when given; `fallback` when the
 * key is absent. (`readWholeNumber` of the config values takes whole numbers only.)
 */
function readNumber(
  config: Config | undefined,
  key: string,
  range: { min: number; max?: number; aboveMin?: boolean; fallback: number },
): number {
  const { min, max, aboveMin } = range;
  let value: number | undefined;
  try {
    value = config?.getOptionalNumber(key);
  } catch (error) {
    throw new AzureTenantConfigError(
      `${PREFIX}.${key}`,
      'must be a number',
      error,
    );
  }
  if (value === undefined) return range.fallback;
  if (
    !Number.isFinite(value) ||
    (aboveMin ? value <= min : value < min) ||
    (max !== undefined && value > max)
  ) {
    let expected: string;
    if (max === undefined)
      expected = aboveMin ? `above ${min}` : `${min} or more`;
    else
      expected = aboveMin
        ? `above ${min} and at most ${max}`
        : `from ${min} to ${max}`;
    throw new AzureTenantConfigError(
      `${PREFIX}.${key}`,
      `must be a number ${expected}, got ${value}`,
    );
  }
  return value;
}

/** Reads and validates `azureTenant.budgets.anomalies` from the root config; every key is optional. */
export function readSpendAnomalyConfig(root: Config): SpendAnomalyConfig {
  const config = root.getOptionalConfig(PREFIX);
  const defaults = DEFAULT_SPEND_ANOMALY_CONFIG;

  let enabled: boolean | undefined;
  try {
    enabled = config?.getOptionalBoolean('enabled');
  } catch (error) {
    throw new AzureTenantConfigError(
      `${PREFIX}.enabled`,
      'must be true or false',
      error,
    );
  }

  return {
    enabled: enabled ?? defaults.enabled,
    historyDays: readWholeNumber(config, PREFIX, 'historyDays', {
      min: MIN_HISTORY_DAYS,
      max: 90,
      fallback: defaults.historyDays,
    }),
    sensitivity: readNumber(config, 'sensitivity', {
      min: 0,
      aboveMin: true,
      max: 20,
      fallback: defaults.sensitivity,
    }),
    minimumIncreasePercent: readNumber(config, 'minimumIncreasePercent', {
      min: 0,
      max: 10_000,
      fallback: defaults.minimumIncreasePercent,
    }),
    minimumAmount: readNumber(config, 'minimumAmount', {
      min: 0,
      fallback: defaults.minimumAmount,
    }),
  };
}
