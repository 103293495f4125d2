import { Config } from '@backstage/config';
import { AzureTenantConfigError } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureQuotas, DEFAULT_AZURE_QUOTAS } from './AzureQuotas';
import { QuotaLimit } from './QuotaBudget';

const PREFIX = 'azureTenant.quotas';

function readNumber(
  config: Config,
  key: string,
  name: string,
  check: (value: number) => boolean,
  expected: string,
): number | undefined {
  let value: number | undefined;
  try {
    value = config.getOptionalNumber(key);
  } catch (error) {
    throw new AzureTenantConfigError(name, 'must be a number', error);
  }
  if (value !== undefined && !check(value)) {
    throw new AzureTenantConfigError(name, `${expected}, got ${value}`);
  }
  return value;
}

function readLimit(
  config: Config | undefined,
  key: string,
  fallback: QuotaLimit,
): QuotaLimit {
  const section = config?.getOptionalConfig(key);
  if (!section) return fallback;
  const name = `${PREFIX}.${key}`;
  return {
    capacity:
      readNumber(
        section,
        'capacity',
        `${name}.capacity`,
        v => Number.isInteger(v) && v >= 1 && v <= 1_000_000,
        'must be a whole number from 1 to 1000000',
      ) ?? fallback.capacity,
    refillPerSecond:
      readNumber(
        section,
        'refillPerSecond',
        `${name}.refillPerSecond`,
        v => Number.isFinite(v) && v > 0 && v <= 1_000_000,
        'must be a number above 0 and at most 1000000',
      ) ?? fallback.refillPerSecond,
  };
}

/** Reads and validates `azureTenant.quotas`, with its defaults ({@link DEFAULT_AZURE_QUOTAS}). */
export function readQuotaConfig(root: Config): AzureQuotas {
  const config = root.getOptionalConfig(PREFIX);
  const defaults = DEFAULT_AZURE_QUOTAS;
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
    armReads: readLimit(config, 'armReads', defaults.armReads),
    resourceGraph: readLimit(config, 'resourceGraph', defaults.resourceGraph),
    costManagement: {
      per10Seconds: readLimit(
        config,
        'costManagement.per10Seconds',
        defaults.costManagement.per10Seconds,
      ),
      perMinute: readLimit(
        config,
        'costManagement.perMinute',
        defaults.costManagement.perMinute,
      ),
      perHour: readLimit(
        config,
        'costManagement.perHour',
        defaults.costManagement.perHour,
      ),
    },
  };
}
