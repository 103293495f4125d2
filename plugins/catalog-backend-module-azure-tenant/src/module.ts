import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { DefaultAzureTenantCatalogClient } from './client/AzureTenantCatalogClient';
import {
  AZURE_TENANT_CATALOG_CONFIG_KEY,
  readAzureTenantCatalogConfig,
} from './config/AzureTenantCatalogConfig';
import {
  AzureOwnerDirectory,
  loadAzureOwnerDirectory,
} from './entities/AzureOwnerDirectory';
import { AZURE_TENANT_UNOWNED_GROUP_REF } from './entities/unownedGroupEntity';
import { AzureSubscriptionSyncModes } from './processor/AzureSubscriptionSyncModes';
import { AzureTenantSyncModeProcessor } from './processor/AzureTenantSyncModeProcessor';
import { AzureTenantEntityProvider } from './provider/AzureTenantEntityProvider';

/**
 * The catalog module of the Azure tenant plugins: the entity provider for subscriptions and resources, and the
 * processor that applies each subscription's current sync mode. Configured under `catalog.providers.azureTenant`
 * (formerly `azureTenant.catalog`, still read with a warning).
 *
 * @public
 */
export const catalogModuleAzureTenant = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'azure-tenant',
  register(reg) {
    reg.registerInit({
      deps: {
        catalogProcessing: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        scheduler: coreServices.scheduler,
        rootLifecycle: coreServices.rootLifecycle,
        events: eventsServiceRef,
        catalog: catalogServiceRef,
      },
      async init({
        catalogProcessing,
        config,
        logger,
        discovery,
        auth,
        scheduler,
        rootLifecycle,
        events,
        catalog,
      }) {
        const settings = readAzureTenantCatalogConfig(config, { logger });
        const { defaultOwner } = settings;
        if (!defaultOwner) {
          logger.warn(
            `${AZURE_TENANT_CATALOG_CONFIG_KEY}.defaultOwner is not set: Azure subscriptions, and resources whose owner tag names no known group or user, are owned by ${AZURE_TENANT_UNOWNED_GROUP_REF}, a group this module adds to the catalog. Set defaultOwner to a group or user of your catalog.`,
          );
        }
        // Warned once until it appears: at startup the catalog may not have read its groups and users yet.
        let missingOwnerWarned = false;
        const loadOwners = async (): Promise<AzureOwnerDirectory> => {
          const owners = await loadAzureOwnerDirectory({ catalog, auth });
          const missing =
            defaultOwner !== undefined &&
            owners.fingerprint !== AzureOwnerDirectory.empty().fingerprint &&
            !owners.has(defaultOwner);
          if (missing && !missingOwnerWarned) {
            logger.warn(
              `${AZURE_TENANT_CATALOG_CONFIG_KEY}.defaultOwner is ${defaultOwner}, which is not in the catalog: entities owned by it will show relations to an entity that cannot be found`,
            );
          }
          missingOwnerWarned = missing;
          return owners;
        };
        const client = new DefaultAzureTenantCatalogClient({ discovery, auth });

        const provider = new AzureTenantEntityProvider({
          client,
          logger,
          ownerTagKey: settings.ownerTagKey,
          defaultOwner,
          loadOwners,
          scheduler,
          schedule: settings.schedule,
          reconcileInterval: settings.reconcileInterval,
          events,
        });
        catalogProcessing.addEntityProvider(provider);
        catalogProcessing.addProcessor(
          new AzureTenantSyncModeProcessor({
            syncModes: new AzureSubscriptionSyncModes({ client, logger }),
          }),
        );

        // The run on connect happens while the backend starts, when the backend plugin and the catalog's own API
        // (for groups and users) may not answer yet; try again as soon as everything is up.
        rootLifecycle.addStartupHook(() => {
          void provider.refresh('delta');
        });
      },
    });
  },
});
