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
import { readAzureTenantCatalogConfig } from './config/AzureTenantCatalogConfig';
import { loadAzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import { checkDefaultOwner } from './entities/defaultOwnerCheck';
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
        const loadOwners = checkDefaultOwner({
          defaultOwner,
          loadOwners: () => loadAzureOwnerDirectory({ catalog, auth }),
          logger,
        });
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
          entities: settings.entities,
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
