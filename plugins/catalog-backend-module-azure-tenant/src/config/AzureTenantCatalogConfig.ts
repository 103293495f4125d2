import { AzureTenantConfigError } from '@azure-tenant/plugin-azure-tenant-common';
import {
  LoggerService,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config, readDurationFromConfig } from '@backstage/config';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import {
  AZURE_ENTITY_LEVELS,
  AZURE_RESOURCE_TYPE_PRESETS,
  AzureEntityGranularityOverride,
  AzureEntityLevel,
  AzureEntityResourceTypes,
  AzureResourceTypePreset,
  AzureTenantEntitiesConfig,
  DEFAULT_AZURE_TENANT_ENTITIES,
} from './entityGranularity';

/**
 * Where the module's settings live, as every entity provider's do.
 *
 * @public
 */
export const AZURE_TENANT_CATALOG_CONFIG_KEY = 'catalog.providers.azureTenant';

/**
 * Where the module's settings lived before; still read for one release, with a warning.
 *
 * @public
 */
export const DEPRECATED_AZURE_TENANT_CATALOG_CONFIG_KEY = 'azureTenant.catalog';

/**
 * The settings of the catalog module, read from `catalog.providers.azureTenant` (see `config.d.ts`).
 *
 * @public
 */
export interface AzureTenantCatalogConfig {
  /** The tag that names the owner of a resource, matched case-insensitively. */
  ownerTagKey: string;
  /**
   * A full entity reference of the group or user that owns subscriptions and resources without a known owner. When
   * it is not configured, the provider adds its own group for them (see `AZURE_TENANT_UNOWNED_GROUP_REF`).
   */
  defaultOwner?: string;
  /** When the provider asks the backend plugin for changes, in case events were lost. */
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** How often the provider replaces every entity with a fresh full listing. */
  reconcileInterval: HumanDuration;
  /** What becomes an entity: every resource, resource groups, or subscriptions only; per tenant or subscription. */
  entities: AzureTenantEntitiesConfig;
}

/** The owner key the catalog module reads by default. */
export const DEFAULT_OWNER_TAG_KEY = 'owner';

/**
 * The poll for changes, when no schedule is configured: every 30 seconds.
 *
 * @public
 */
export const DEFAULT_AZURE_TENANT_CATALOG_SCHEDULE: SchedulerServiceTaskScheduleDefinition =
  {
    frequency: { seconds: 30 },
    timeout: { minutes: 10 },
    initialDelay: { seconds: 30 },
  };

const DEFAULT_RECONCILE_INTERVAL: HumanDuration = { hours: 6 };

/**
 * Reads and validates the module's config from `catalog.providers.azureTenant`, or from the deprecated
 * `azureTenant.catalog` with a warning. Throws an `AzureTenantConfigError` naming the faulty key, so that a bad
 * value stops the backend at startup rather than producing odd entities later.
 *
 * @public
 */
export function readAzureTenantCatalogConfig(
  config: Config,
  options: { logger?: LoggerService } = {},
): AzureTenantCatalogConfig {
  const { logger } = options;
  const current = config.getOptionalConfig(AZURE_TENANT_CATALOG_CONFIG_KEY);
  const deprecated = config.getOptionalConfig(
    DEPRECATED_AZURE_TENANT_CATALOG_CONFIG_KEY,
  );
  if (current && deprecated) {
    logger?.warn(
      `${DEPRECATED_AZURE_TENANT_CATALOG_CONFIG_KEY} is ignored because ${AZURE_TENANT_CATALOG_CONFIG_KEY} is set; remove it`,
    );
  } else if (deprecated) {
    logger?.warn(
      `${DEPRECATED_AZURE_TENANT_CATALOG_CONFIG_KEY} is deprecated and will stop working in a future release: move its settings to ${AZURE_TENANT_CATALOG_CONFIG_KEY}, with pollInterval as schedule.frequency`,
    );
  }
  const useDeprecated = !current && deprecated !== undefined;
  const section = current ?? deprecated;
  const prefix = useDeprecated
    ? DEPRECATED_AZURE_TENANT_CATALOG_CONFIG_KEY
    : AZURE_TENANT_CATALOG_CONFIG_KEY;

  const ownerTagKey =
    section?.getOptionalString('ownerTagKey')?.trim() ?? DEFAULT_OWNER_TAG_KEY;
  if (!ownerTagKey) {
    throw new AzureTenantConfigError(
      `${prefix}.ownerTagKey`,
      'must not be empty',
    );
  }
  const defaultOwnerValue = section?.getOptionalString('defaultOwner');

  return {
    ownerTagKey,
    defaultOwner:
      defaultOwnerValue === undefined
        ? undefined
        : readOwnerRef(defaultOwnerValue, `${prefix}.defaultOwner`),
    schedule: useDeprecated
      ? readPollInterval(section!, prefix)
      : readSchedule(section, prefix),
    reconcileInterval:
      readInterval(section, prefix, 'reconcileInterval') ??
      DEFAULT_RECONCILE_INTERVAL,
    entities: readEntities(section, `${prefix}.entities`),
  };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// An ARM type: a resource provider namespace, then one or more type names, e.g. Microsoft.Compute/virtualMachines.
const ARM_TYPE = /^[A-Za-z][A-Za-z0-9.]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)+$/;

/** A value read from config, with the error of a wrong type turned into one that names the key. */
function readAs<T>(key: string, expected: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new AzureTenantConfigError(key, `must be ${expected}`, error);
  }
}

function readEntities(
  section: Config | undefined,
  key: string,
): AzureTenantEntitiesConfig {
  const entities = section?.getOptionalConfig('entities');
  if (!entities) return DEFAULT_AZURE_TENANT_ENTITIES;
  const overrides = readAs(`${key}.overrides`, 'a list of objects', () =>
    entities.getOptionalConfigArray('overrides'),
  );
  const seen = new Map<string, number>();
  return {
    level:
      readLevel(entities, `${key}.level`) ??
      DEFAULT_AZURE_TENANT_ENTITIES.level,
    resourceTypes:
      readResourceTypes(entities, `${key}.resourceTypes`) ??
      DEFAULT_AZURE_TENANT_ENTITIES.resourceTypes,
    overrides: (overrides ?? []).map((override, i) => {
      const at = `${key}.overrides[${i}]`;
      const read = readOverride(override, at);
      const scope = read.subscriptionId
        ? `subscription:${read.subscriptionId.toLowerCase()}`
        : `tenant:${read.tenantId!.toLowerCase()}`;
      if (seen.has(scope)) {
        throw new AzureTenantConfigError(
          at,
          `names the same ${scope.split(':')[0]} as ${key}.overrides[${seen.get(
            scope,
          )}]; merge them into one`,
        );
      }
      seen.set(scope, i);
      return read;
    }),
  };
}

function readOverride(
  config: Config,
  key: string,
): AzureEntityGranularityOverride {
  const read = (name: string) => {
    const value = readAs(`${key}.${name}`, 'a GUID', () =>
      config.getOptionalString(name),
    );
    if (value !== undefined && !GUID.test(value.trim())) {
      throw new AzureTenantConfigError(
        `${key}.${name}`,
        `must be a GUID, got '${value}'`,
      );
    }
    return value?.trim();
  };
  const tenantId = read('tenantId');
  const subscriptionId = read('subscriptionId');
  if (!tenantId === !subscriptionId) {
    throw new AzureTenantConfigError(
      key,
      'must name either a tenantId or a subscriptionId (one of them, not both)',
    );
  }
  const level = readLevel(config, `${key}.level`);
  const resourceTypes = readResourceTypes(config, `${key}.resourceTypes`);
  if (!level && !resourceTypes) {
    throw new AzureTenantConfigError(
      key,
      'must set level or resourceTypes, or both',
    );
  }
  return {
    ...(tenantId ? { tenantId } : { subscriptionId }),
    ...(level ? { level } : {}),
    ...(resourceTypes ? { resourceTypes } : {}),
  };
}

function readLevel(config: Config, key: string): AzureEntityLevel | undefined {
  const value = readAs(key, `one of ${AZURE_ENTITY_LEVELS.join(', ')}`, () =>
    config.getOptionalString('level'),
  );
  if (value === undefined) return undefined;
  if (!AZURE_ENTITY_LEVELS.includes(value as AzureEntityLevel)) {
    throw new AzureTenantConfigError(
      key,
      `must be one of ${AZURE_ENTITY_LEVELS.join(', ')}, got '${value}'`,
    );
  }
  return value as AzureEntityLevel;
}

function readResourceTypes(
  config: Config,
  key: string,
): AzureEntityResourceTypes | undefined {
  const section = readAs(
    key,
    'an object with presets, include and exclude',
    () => config.getOptionalConfig('resourceTypes'),
  );
  if (!section) return undefined;
  const list = (name: string) =>
    readAs(`${key}.${name}`, 'a list of strings', () =>
      section.getOptionalStringArray(name),
    ) ?? [];
  const presetNames = Object.keys(AZURE_RESOURCE_TYPE_PRESETS);
  const presets = list('presets').map((preset, i) => {
    if (!presetNames.includes(preset)) {
      throw new AzureTenantConfigError(
        `${key}.presets[${i}]`,
        `is not a preset: '${preset}'; the presets are ${presetNames.join(
          ', ',
        )}`,
      );
    }
    return preset as AzureResourceTypePreset;
  });
  const types = (name: string) =>
    list(name).map((type, i) => {
      if (!ARM_TYPE.test(type.trim())) {
        throw new AzureTenantConfigError(
          `${key}.${name}[${i}]`,
          `must be an ARM resource type such as Microsoft.Compute/virtualMachines, got '${type}'`,
        );
      }
      return type.trim();
    });
  return { presets, include: types('include'), exclude: types('exclude') };
}

function readOwnerRef(value: string, key: string): string {
  let ref;
  try {
    ref = parseEntityRef(value.trim(), {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
  } catch (error) {
    throw new AzureTenantConfigError(
      key,
      `must be an entity reference such as group:default/platform, got '${value}'`,
      error,
    );
  }
  const kind = ref.kind.toLocaleLowerCase('en-US');
  if (kind !== 'group' && kind !== 'user') {
    throw new AzureTenantConfigError(
      key,
      `must refer to a group or a user, got '${value}'`,
    );
  }
  return stringifyEntityRef({ ...ref, kind });
}

function readSchedule(
  section: Config | undefined,
  prefix: string,
): SchedulerServiceTaskScheduleDefinition {
  if (section?.has('pollInterval')) {
    throw new AzureTenantConfigError(
      `${prefix}.pollInterval`,
      `is replaced by ${prefix}.schedule: give schedule.frequency and schedule.timeout instead`,
    );
  }
  if (!section?.has('schedule')) {
    return DEFAULT_AZURE_TENANT_CATALOG_SCHEDULE;
  }
  let schedule: SchedulerServiceTaskScheduleDefinition;
  try {
    schedule = readSchedulerServiceTaskScheduleDefinitionFromConfig(
      section.getConfig('schedule'),
    );
  } catch (error) {
    throw new AzureTenantConfigError(
      `${prefix}.schedule`,
      'is not a valid schedule: give frequency and timeout, each a duration such as { seconds: 30 }, an ISO 8601 duration or a string like 30s (frequency may also be a cron expression)',
      error,
    );
  }
  if (schedule.scope === 'global') {
    // Every catalog replica keeps its own cursor, so every replica must poll.
    throw new AzureTenantConfigError(
      `${prefix}.schedule.scope`,
      "must be 'local' (the default here): every catalog replica polls for its own changes",
    );
  }
  return schedule;
}

/** The deprecated `pollInterval`, as the schedule it stood for. */
function readPollInterval(
  section: Config,
  prefix: string,
): SchedulerServiceTaskScheduleDefinition {
  const pollInterval = readInterval(section, prefix, 'pollInterval');
  return pollInterval
    ? {
        ...DEFAULT_AZURE_TENANT_CATALOG_SCHEDULE,
        frequency: pollInterval,
        initialDelay: pollInterval,
      }
    : DEFAULT_AZURE_TENANT_CATALOG_SCHEDULE;
}

function readInterval(
  section: Config | undefined,
  prefix: string,
  key: string,
): HumanDuration | undefined {
  if (!section?.has(key)) {
    return undefined;
  }
  let duration: HumanDuration;
  try {
    duration = readDurationFromConfig(section, { key });
  } catch (error) {
    throw new AzureTenantConfigError(
      `${prefix}.${key}`,
      'must be a duration such as { hours: 6 }, an ISO 8601 duration or a string like 6h',
      error,
    );
  }
  if (!(durationToMilliseconds(duration) > 0)) {
    throw new AzureTenantConfigError(
      `${prefix}.${key}`,
      'must be longer than zero',
    );
  }
  return duration;
}
