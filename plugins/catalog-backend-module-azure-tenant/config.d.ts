import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Configuration of the Azure tenant plugins. */
  azureTenant?: {
    /**
     * How the catalog module (`@azure-tenant/plugin-catalog-backend-module-azure-tenant`) turns synced Azure
     * subscriptions and resources into catalog entities.
     */
    catalog?: {
      /**
       * The Azure tag whose value names the owner of a resource entity. Tag names are matched case-insensitively,
       * so `owner` also finds `Owner`. The value is resolved case-insensitively to a catalog group (by name, by name
       * without a `team-` or `team_` prefix, or by display name or title) or user (by name or email). Defaults to
       * `owner`.
       */
      ownerTagKey?: string;

      /**
       * The owner of subscription entities, and of resource entities without an owner tag or whose owner tag names
       * no known group or user. An entity reference; a bare name is read as a group in the `default` namespace.
       * Defaults to `group:default/azure-tenant-unowned`: set it to a group that exists in your catalog.
       */
      defaultOwner?: string;

      /**
       * How often to ask the backend plugin for changes since the last run, in case events were lost. A duration
       * object such as `{ seconds: 30 }`, an ISO 8601 duration (`PT30S`) or a string like `30s`. Defaults to 30
       * seconds.
       */
      pollInterval?: HumanDuration | string;

      /**
       * How often to replace every entity of this provider with a fresh full listing, to correct any drift. Same
       * formats as `pollInterval`. Defaults to 6 hours.
       */
      reconcileInterval?: HumanDuration | string;
    };
  };
}
