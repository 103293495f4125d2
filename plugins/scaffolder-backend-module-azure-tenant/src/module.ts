import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { azureTenantClientServiceRef } from '@azure-tenant/plugin-azure-tenant-node';
import { readOwnerTagKey } from './actions/ownerTag';
import { createAzureTenantTagsApplyAction } from './actions/tagsApply';

/**
 * The scaffolder module of the Azure tenant plugins: brings the `azure-tenant:tags:apply` action to software
 * templates.
 *
 * @public
 */
export const scaffolderModuleAzureTenant = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'azure-tenant',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        clients: azureTenantClientServiceRef,
      },
      async init({ scaffolder, config, clients }) {
        scaffolder.addActions(
          createAzureTenantTagsApplyAction({
            clients,
            ownerTagKey: readOwnerTagKey(config),
          }),
        );
      },
    });
  },
});
