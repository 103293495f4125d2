import { Config, readDurationFromConfig } from '@backstage/config';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';

const CONFIG_KEY = 'azureTenant.catalog';

/**
 * The settings of the catalog module, read from `azureTenant.catalog` (see `config.d.ts`).
 *
 * @public
 */
export interface AzureTenantCatalogConfig {
  /** The tag that names the owner of a resource, matched case-insensitively. */
  ownerTagKey: string;
  /** A full entity reference, e.g. `group:default/azure-tenant-unowned`. */
  defaultOwner: string;
  pollInterval: HumanDuration;
  reconcileInterval: HumanDuration;
}

/** The owner key the catalog module reads by default. */
export const DEFAULT_OWNER_TAG_KEY = 'owner';

/** The owner of entities whose owner is not known, when none is configured. */
export const DEFAULT_AZURE_ENTITY_OWNER = 'group:default/azure-tenant-unowned';

const DEFAULT_POLL_INTERVAL: HumanDuration = { seconds: 30 };
const DEFAULT_RECONCILE_INTERVAL: HumanDuration = { hours: 6 };

/**
 * Reads and validates the module's config. Throws an error naming the faulty key, so that a bad value stops the
 * backend at startup rather than producing odd entities later.
 *
 * @public
 */
export function readAzureTenantCatalogConfig(
  config: Config,
): AzureTenantCatalogConfig {
  const catalog = config.getOptionalConfig(CONFIG_KEY);

  const ownerTagKey =
    catalog?.getOptionalString('ownerTagKey')?.trim() ?? DEFAULT_OWNER_TAG_KEY;
  if (!ownerTagKey) {
    throw new Error(
      `Invalid config at '${CONFIG_KEY}.ownerTagKey': it must not be empty`,
    );
  }

  const defaultOwner = readOwnerRef(
    catalog?.getOptionalString('defaultOwner') ?? DEFAULT_AZURE_ENTITY_OWNER,
  );

  return {
    ownerTagKey,
    defaultOwner,
    pollInterval: readInterval(catalog, 'pollInterval', DEFAULT_POLL_INTERVAL),
    reconcileInterval: readInterval(
      catalog,
      'reconcileInterval',
      DEFAULT_RECONCILE_INTERVAL,
    ),
  };
}

function readOwnerRef(value: string): string {
  const key = `${CONFIG_KEY}.defaultOwner`;
  let ref;
  try {
    ref = parseEntityRef(value.trim(), {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
  } catch (error) {
    throw new Error(
      `Invalid config at '${key}': '${value}' is not an entity reference, ${error}`,
    );
  }
  const kind = ref.kind.toLocaleLowerCase('en-US');
  if (kind !== 'group' && kind !== 'user') {
    throw new Error(
      `Invalid config at '${key}': '${value}' must refer to a group or a user`,
    );
  }
  return stringifyEntityRef({ ...ref, kind });
}

function readInterval(
  catalog: Config | undefined,
  key: string,
  defaultValue: HumanDuration,
): HumanDuration {
  if (!catalog?.has(key)) {
    return defaultValue;
  }
  const duration = readDurationFromConfig(catalog, { key });
  if (!(durationToMilliseconds(duration) > 0)) {
    throw new Error(
      `Invalid config at '${CONFIG_KEY}.${key}': the interval must be longer than zero`,
    );
  }
  return duration;
}
