import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { EventsService } from '@backstage/plugin-events-node';
import { HumanDuration } from '@backstage/types';
import { AzureTenantCatalogClient } from '../client/AzureTenantCatalogClient';
import { AzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import { AzureTenantEntitiesConfig } from '../config/entityGranularity';

/**
 * The options of {@link AzureTenantEntityProvider}.
 *
 * @public
 */
export interface AzureTenantEntityProviderOptions {
  /** Reads resources, changes and subscriptions from the Azure tenant backend plugin. */
  client: AzureTenantCatalogClient;
  logger: LoggerService;
  /** The tag whose value names a resource's owner, matched case-insensitively. Defaults to `owner`. */
  ownerTagKey?: string;
  /**
   * The owner of subscriptions and of resources without a resolvable owner tag. Without it, they are owned by
   * `group:default/azure-tenant-unowned`, a group the provider adds to the catalog itself.
   */
  defaultOwner?: string;
  /** Loads the catalog's groups and users for owner resolution. Defaults to none: every owner is the default owner. */
  loadOwners?: () => Promise<AzureOwnerDirectory>;
  /** How long a loaded owner directory is used by delta runs before it is loaded again. Defaults to 5 minutes. */
  ownersMaxAge?: HumanDuration;
  /**
   * How long the directory is used while some resource's owner tag names no group or user in it, for example while
   * the catalog is still ingesting the organization at startup. Defaults to 30 seconds.
   */
  unresolvedOwnersMaxAge?: HumanDuration;
  /** Runs the poll and the full reconciliation. Without it, runs happen only on connect, on events and on request. */
  scheduler?: SchedulerService;
  /**
   * When to poll for changes, in case events were lost. Defaults to every 30 seconds. It always runs on every
   * instance (`scope: 'local'`), because each keeps its own cursor.
   */
  schedule?: SchedulerServiceTaskScheduleDefinition;
  /** How often to replace every entity with a fresh full listing. Defaults to 6 hours. */
  reconcileInterval?: HumanDuration;
  /**
   * What becomes an entity: every resource (the default), resource groups, or subscriptions only, with type presets
   * and lists, per tenant or subscription (`catalog.providers.azureTenant.entities`).
   */
  entities?: AzureTenantEntitiesConfig;
  /** Delivers the backend plugin's change events; without it, changes are picked up by the poll only. */
  events?: EventsService;
  /** Defaults to `Date.now`. */
  now?: () => number;
}
