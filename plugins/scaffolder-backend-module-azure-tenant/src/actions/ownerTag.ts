import { parseEntityRef } from '@backstage/catalog-model';
import { RootConfigService } from '@backstage/backend-plugin-api';

/** The catalog module's own default, when its config names no owner tag. */
const DEFAULT_OWNER_TAG_KEY = 'owner';

/**
 * The tag the catalog module reads a resource's owner from: `catalog.providers.azureTenant.ownerTagKey`, or the
 * deprecated `azureTenant.catalog.ownerTagKey` when that section is the one set, as the catalog module reads it.
 * Reading the same key means a template that does not name one writes the tag the catalog looks at.
 */
export function readOwnerTagKey(config: RootConfigService): string {
  const section =
    config.getOptionalConfig('catalog.providers.azureTenant') ??
    config.getOptionalConfig('azureTenant.catalog');
  return (
    section?.getOptionalString('ownerTagKey')?.trim() || DEFAULT_OWNER_TAG_KEY
  );
}

/**
 * The value to write in the owner tag for an owner entity ref, such as `group:default/platform` from an
 * OwnerPicker: the entity's name (`platform`). The catalog module resolves an owner tag's value by name (groups
 * first, then users, preferring the `default` namespace) and not as an entity ref, so the ref itself would resolve
 * to nothing and the resource would fall back to the default owner. A bare name is written as it is.
 */
export function ownerTagValue(ownerRef: string): string {
  return parseEntityRef(ownerRef.trim(), {
    defaultKind: 'group',
    defaultNamespace: 'default',
  }).name;
}
