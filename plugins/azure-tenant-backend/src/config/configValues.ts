import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { AzureTenantConfigError } from '@azure-tenant/plugin-azure-tenant-common';
import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';

/**
 * Readers for the kinds of value the `azureTenant` section holds, so that every duration and every count in it takes
 * the same forms and fails with the same kind of message. `prefix` is where `config` sits in the root config, e.g.
 * `azureTenant.sync`, so that errors name the full key.
 */

/**
 * An optional duration: a `HumanDuration` object (`{ minutes: 5 }`), an ISO 8601 string (`PT5M`) or a string such as
 * `5m` or `30 seconds`. Undefined when the key is absent.
 */
export function readOptionalDuration(
  config: Config | undefined,
  prefix: string,
  key: string,
  options: { minimum?: HumanDuration } = {},
): HumanDuration | undefined {
  if (!config?.has(key)) return undefined;
  let duration: HumanDuration;
  try {
    duration = readDurationFromConfig(config, { key });
  } catch (error) {
    throw new AzureTenantConfigError(
      `${prefix}.${key}`,
      "must be a duration such as { minutes: 5 }, 'PT5M' or '5m'",
      error,
    );
  }
  const ms = durationToMilliseconds(duration);
  const minimum = options.minimum ?? { milliseconds: 1 };
  if (!(ms >= durationToMilliseconds(minimum))) {
    throw new AzureTenantConfigError(
      `${prefix}.${key}`,
      `must be at least ${describeDuration(minimum)}`,
    );
  }
  return duration;
}

/** An optional whole number from `min` to `max`; `fallback` when the key is absent. */
export function readWholeNumber(
  config: Config | undefined,
  prefix: string,
  key: string,
  range: { min: number; max: number; fallback: number },
): number {
  let value: number | undefined;
  try {
    value = config?.getOptionalNumber(key);
  } catch (error) {
    throw new AzureTenantConfigError(
      `${prefix}.${key}`,
      'must be a number',
      error,
    );
  }
  if (value === undefined) return range.fallback;
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new AzureTenantConfigError(
      `${prefix}.${key}`,
      `must be a whole number from ${range.min} to ${range.max}, got ${value}`,
    );
  }
  return value;
}

/**
 * An optional scheduler definition, as Backstage reads one (`frequency`, `timeout`, `initialDelay`, `scope`);
 * `fallback` when the key is absent. A wrong one names the key, with the fallback's frequency as an example.
 */
export function readSchedule(
  config: Config | undefined,
  prefix: string,
  key: string,
  fallback: SchedulerServiceTaskScheduleDefinition,
): SchedulerServiceTaskScheduleDefinition {
  if (!config?.has(key)) return fallback;
  try {
    return readSchedulerServiceTaskScheduleDefinitionFromConfig(
      config.getConfig(key),
    );
  } catch (error) {
    throw new AzureTenantConfigError(
      `${prefix}.${key}`,
      `is not a valid schedule: give frequency and timeout, each a duration such as ${durationExample(
        fallback.frequency,
      )} or ISO 8601 (frequency may also be a cron expression)`,
      error,
    );
  }
}

/** A frequency as the config takes it, `{ hours: 6 }`, for a message's example; a default one for a cron. */
function durationExample(
  frequency: SchedulerServiceTaskScheduleDefinition['frequency'],
): string {
  const parts = Object.entries(frequency).filter(
    ([, n]) => typeof n === 'number',
  );
  return parts.length > 0
    ? `{ ${parts.map(([unit, n]) => `${unit}: ${n}`).join(', ')} }`
    : '{ hours: 6 }';
}

/** `{ minutes: 1 }` → `1 minute`, for messages. */
function describeDuration(duration: HumanDuration): string {
  return Object.entries(duration)
    .map(([unit, n]) => `${n} ${n === 1 ? unit.replace(/s$/, '') : unit}`)
    .join(' ');
}
