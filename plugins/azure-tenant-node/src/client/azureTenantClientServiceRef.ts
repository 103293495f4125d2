import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import type { AzureTenantClient } from '../schema/openapi/generated/apis/AzureTenantClient';
import { createAzureTenantClientForCredentials } from './createAzureTenantClientForCredentials';

/**
 * Clients of the Azure tenant plugin's API for a backend plugin, each acting for given credentials.
 *
 * @public
 */
export interface AzureTenantClientService {
  /**
   * A client whose every call carries a token issued on behalf of `credentials`: the Azure tenant plugin then
   * applies its permission rules to them, and audits the call as theirs. Pass the credentials of the request
   * being served (`httpAuth.credentials(req)`), so that a user gets no more than the user may do; pass
   * `auth.getOwnServiceCredentials()` only for work that the calling plugin does on its own account.
   */
  forCredentials(credentials: BackstageCredentials): AzureTenantClient;
}

/**
 * The {@link AzureTenantClientService} of a backend plugin. Its default factory finds the API with
 * `coreServices.discovery` and issues tokens with `coreServices.auth`.
 *
 * @public
 */
export const azureTenantClientServiceRef =
  createServiceRef<AzureTenantClientService>({
    id: 'azure-tenant.client',
    scope: 'plugin',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: {
          discovery: coreServices.discovery,
          auth: coreServices.auth,
        },
        factory({ discovery, auth }) {
          return {
            forCredentials(credentials) {
              return createAzureTenantClientForCredentials({
                discovery,
                auth,
                credentials,
              });
            },
          };
        },
      }),
  });
