import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';

/**
 * User info as the auth backend resolves it at sign-in: the user and the groups its catalog entity is a member of.
 * (The test backend's default gives only the user itself, so no one would be an admin or own anything through a
 * group.)
 */
export const catalogUserInfoServiceFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: { discovery: coreServices.discovery, auth: coreServices.auth },
  factory({ discovery, auth }) {
    return {
      async getUserInfo(credentials) {
        if (!auth.isPrincipal(credentials, 'user')) {
          throw new Error('User info is only available for users');
        }
        const userEntityRef = credentials.principal.userEntityRef;
        const { kind, namespace, name } = parseEntityRef(userEntityRef);
        const { token } = await auth.getPluginRequestToken({
          onBehalfOf: await auth.getOwnServiceCredentials(),
          targetPluginId: 'catalog',
        });
        const response = await fetch(
          `${await discovery.getBaseUrl(
            'catalog',
          )}/entities/by-name/${kind}/${namespace}/${name}`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        const entity = response.ok ? await response.json() : undefined;
        const groups: string[] = (entity?.relations ?? [])
          .filter((r: { type: string }) => r.type === 'memberOf')
          .map((r: { targetRef: string }) => r.targetRef);
        return {
          userEntityRef,
          ownershipEntityRefs: [userEntityRef, ...groups],
        };
      },
    };
  },
});
