import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import { HumanDuration } from '@backstage/types';

/** The settings of the Azure tenant entity provider, wherever they are given. */
interface AzureTenantProviderConfig {
  /**
   * The Azure tag whose value names the owner of a resource entity. Tag names are matched case-insensitively,
   * so `owner` also finds `Owner`. The value is resolved case-insensitively to a catalog group (by name, by name
   * without a `team-` or `team_` prefix, or by display name or title) or user (by name or email). Defaults to
   * `owner`.
   */
  ownerTagKey?: string;

  /**
   * The owner of subscription entities, and of resource entities without an owner tag or whose owner tag names
   * no known group or user. An entity reference to a group or user that exists in your catalog; a bare name is read
   * as a group in the `default` namespace. The module warns in its log when the catalog has groups and users but not
   * this one.
   *
   * When it is not set, these entities are owned by `group:default/azure-tenant-unowned`, a group the module adds
   * to the catalog itself (and removes once this is set), with a warning in the log at startup.
   */
  defaultOwner?: string;

  /**
   * How often to reconcile every entity of this provider with a fresh full listing, to correct any drift. A
   * duration object such as `{ hours: 6 }`, an ISO 8601 duration (`PT6H`) or a string like `6h`. Defaults to 6
   * hours.
   */
  reconcileInterval?: HumanDuration | string;

  /**
   * What becomes a catalog entity. Whatever is chosen, the backend plugin still syncs, tags and costs every
   * resource: resources that are no entities still show on their subscription's Tags tab and in its spend.
   */
  entities?: AzureEntityGranularityConfig & {
    /**
     * Another choice for one tenant or one subscription. Each names exactly one `tenantId` or `subscriptionId`, and
     * sets `level`, `resourceTypes` or both; what it leaves unset comes from its tenant's override (for a
     * subscription), else from above. A subscription's override beats its tenant's.
     */
    overrides?: Array<
      AzureEntityGranularityConfig & {
        /** The tenant (directory) id whose subscriptions this applies to. */
        tenantId?: string;
        /** The subscription id this applies to. */
        subscriptionId?: string;
      }
    >;
  };
}

/** What becomes a catalog entity, in one scope. */
interface AzureEntityGranularityConfig {
  /**
   * `resources` (the default): a `Resource` entity per subscription, per resource group and per resource, each a
   * `dependencyOf` the one above it. `resource-groups`: subscriptions and resource groups only, each group's
   * description and `spec.azure.summary` counting its resources per type. `subscriptions`: subscription entities
   * only.
   */
  level?: 'resources' | 'resource-groups' | 'subscriptions';
  /**
   * Under the level `resources`, which ARM types become entities: a type does when `include` is empty or lists it,
   * and neither a preset nor `exclude` lists it. Types compare case-insensitively. Replaced as a whole by an
   * override that sets it.
   */
  resourceTypes?: {
    /**
     * Named lists of types to leave out: `child-resources` (Microsoft.Compute/disks,
     * Microsoft.Network/networkInterfaces, Microsoft.Compute/virtualMachines/extensions), `networking-plumbing`
     * (Microsoft.Network/publicIPAddresses, networkSecurityGroups, routeTables, privateEndpoints, networkWatchers)
     * and `alerting` (Microsoft.Insights/actionGroups, metricAlerts, activityLogAlerts, scheduledQueryRules, and
     * Microsoft.AlertsManagement/smartDetectorAlertRules).
     */
    presets?: Array<'child-resources' | 'networking-plumbing' | 'alerting'>;
    /** Only these ARM types become entities, e.g. `Microsoft.Compute/virtualMachines`. */
    include?: string[];
    /** These ARM types do not become entities. */
    exclude?: string[];
  };
}

export interface Config {
  catalog?: {
    providers?: {
      /**
       * The entity provider of the Azure tenant catalog module (`@azure-tenant/plugin-catalog-backend-module-azure-tenant`),
       * which turns synced Azure subscriptions and resources into catalog entities.
       */
      azureTenant?: AzureTenantProviderConfig & {
        /**
         * When to ask the backend plugin for changes, in case its events were lost. Defaults to
         * `{ frequency: { seconds: 30 }, timeout: { minutes: 10 }, initialDelay: { seconds: 30 } }`. Durations take
         * the same forms as `reconcileInterval`; `frequency` may also be `{ cron: '...' }`. It runs on every catalog
         * instance, because each keeps its own position in the change feed, so `scope` may only be `local`.
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      };
    };
  };

  /** Configuration of the Azure tenant plugins. */
  azureTenant?: {
    /**
     * The former place of `catalog.providers.azureTenant`, still read, with a warning, when that is not set. Its
     * `pollInterval` is read as `schedule.frequency`.
     *
     * @deprecated Use `catalog.providers.azureTenant` instead.
     */
    catalog?: AzureTenantProviderConfig & {
      /**
       * How often to ask the backend plugin for changes. Defaults to 30 seconds.
       *
       * @deprecated Use `catalog.providers.azureTenant.schedule.frequency` instead.
       */
      pollInterval?: HumanDuration | string;
    };
  };
}
