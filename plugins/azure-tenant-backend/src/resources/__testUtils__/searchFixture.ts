import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_AZURE_RESOURCE_ID,
  azureResourceEntityName,
  azureResourceEntityRef,
  AzureSubscription,
  SyncMode,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { ResourceSearch } from '../ResourceSearch';
import {
  ESTATE,
  resourceIdOf,
  ResourceSketch,
  storeResources,
  SUBSCRIPTION_A,
  SUBSCRIPTION_B,
  TENANT,
} from './storedResources';

/** The catalog entity the catalog module makes of a stored resource, owned by `owner`. */
export function resourceEntity(sketch: ResourceSketch, owner: string): Entity {
  const resourceId = resourceIdOf(sketch);
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: azureResourceEntityName(resourceId),
      namespace: 'default',
      annotations: { [ANNOTATION_AZURE_RESOURCE_ID]: resourceId },
    },
    spec: { type: 'azure-virtualmachines', owner },
    relations: [{ type: 'ownedBy', targetRef: owner }],
  };
}

/** The entity ref of a sketched resource. */
export const entityRefOf = (sketch: ResourceSketch) =>
  azureResourceEntityRef(resourceIdOf(sketch));

/**
 * {@link ResourceSearch} on a test database holding {@link ESTATE}, with a catalog in which team-web owns web-1,
 * web-2 and web-3 and team-data owns data1 (plus a bucket that is not from Azure), a permission policy that denies
 * reading the entities in `hidden`, and subscriptions whose sync modes a test sets.
 */
export async function createSearchFixture(knex: Knex) {
  const resources = await storeResources(knex, ESTATE);
  const byName = (name: string) => ESTATE.find(r => r.name === name)!;
  const entities = [
    ...['web-1', 'web-2', 'web-3'].map(name =>
      resourceEntity(byName(name), 'group:default/team-web'),
    ),
    resourceEntity(byName('data1'), 'group:default/team-data'),
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: { name: 'bucket', namespace: 'default' },
      spec: { type: 's3-bucket', owner: 'group:default/team-data' },
      relations: [{ type: 'ownedBy', targetRef: 'group:default/team-data' }],
    },
  ];
  const catalog = catalogServiceMock({ entities });
  const queryEntities = jest.spyOn(catalog, 'queryEntities');

  /** Entity refs whose catalog.entity.read the policy denies. */
  const hidden = new Set<string>();
  const authorize = jest.fn(
    async (
      requests: Array<{ permission: { name: string }; resourceRef?: string }>,
    ) =>
      requests.map(r => ({
        result:
          r.permission.name === catalogEntityReadPermission.name &&
          r.resourceRef &&
          hidden.has(r.resourceRef)
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      })),
  );

  const syncModes: Record<string, SyncMode> = {
    [SUBSCRIPTION_A]: 'read-write-tags',
    [SUBSCRIPTION_B]: 'read-tags',
  };
  const listSubscriptions = async () =>
    Object.entries(syncModes).map(
      ([subscriptionId, syncMode]) =>
        ({
          subscriptionId,
          tenantId: TENANT,
          displayName: subscriptionId,
          syncMode,
        } as AzureSubscription),
    );
  const subscriptions = {
    listSubscriptions,
    getSubscription: async (subscriptionId: string) =>
      (await listSubscriptions()).find(
        s => s.subscriptionId === subscriptionId.toLowerCase(),
      ),
  };

  const resourceSearch = new ResourceSearch({
    resources,
    subscriptions,
    catalog,
    permissions: { authorize, authorizeConditional: jest.fn() } as any,
  });
  return {
    resourceSearch,
    resources,
    catalog,
    queryEntities,
    authorize,
    hidden,
    syncModes,
    byName,
  };
}
