import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';

/**
 * The catalog module of the Azure tenant plugins.
 *
 * Not built yet: it will hold the entity provider for subscriptions and resources and the processor that applies
 * each subscription's sync mode (see the sync issue). Today it only registers itself, so that a backend can already
 * add it.
 *
 * @public
 */
export const catalogModuleAzureTenant = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'azure-tenant',
  register(reg) {
    reg.registerInit({
      deps: { logger: coreServices.logger },
      async init({ logger }) {
        logger.debug('Azure tenant catalog module registered');
      },
    });
  },
});
