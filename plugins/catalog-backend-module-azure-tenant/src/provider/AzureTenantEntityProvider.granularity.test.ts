import {
  AZURE_RESOURCE_GROUP_ENTITY_TYPE,
  AzureResourceRecord,
  azureResourceEntityRef,
  azureSubscriptionEntityRef,
} from '@azure-tenant/plugin-azure-tenant-common';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  EntityProviderConnection,
  EntityProviderMutation,
} from '@backstage/plugin-catalog-node';
import { AzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import {
  SUBSCRIPTION_ID,
  TENANT_ID,
  demoOrg,
  resource,
  subscription,
} from '../__fixtures__/azureFixtures';
import { FakeAzureTenantCatalogClient } from '../__fixtures__/FakeAzureTenantCatalogClient';
import {
  AzureTenantEntitiesConfig,
  DEFAULT_AZURE_TENANT_ENTITIES,
} from '../config/entityGranularity';
import { AzureTenantEntityProvider } from './AzureTenantEntityProvider';

const OTHER_SUBSCRIPTION = '44444444-4444-4444-4444-444444444444';

class RecordingConnection implements EntityProviderConnection {
  readonly mutations: EntityProviderMutation[] = [];
  async applyMutation(mutation: EntityProviderMutation) {
    this.mutations.push(mutation);
  }
  async refresh() {}
  get last() {
    return this.mutations[this.mutations.length - 1];
  }
}

function added(mutation: EntityProviderMutation | undefined): Entity[] {
  if (!mutation) return [];
  return (mutation.type === 'full' ? mutation.entities : mutation.added).map(
    e => e.entity,
  );
}

const refs = (entities: Entity[]) =>
  entities.map(e => stringifyEntityRef(e)).sort();

const groupRef = (subscriptionId: string, name: string) =>
  azureResourceEntityRef(
    `/subscriptions/${subscriptionId}/resourceGroups/${name}`,
  );

function typed(
  name: string,
  type: string,
  more: Partial<AzureResourceRecord> = {},
) {
  const subscriptionId = more.subscriptionId ?? SUBSCRIPTION_ID;
  const resourceGroup = more.resourceGroup ?? 'rg-web';
  return resource(name, {
    type,
    resourceId: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${type}/${name}`,
    ...more,
  });
}

const vm = typed('vm-1', 'Microsoft.Compute/virtualMachines');
const disk = typed('vm-1-osdisk', 'Microsoft.Compute/disks');
const nic = typed('vm-1-nic', 'Microsoft.Network/networkInterfaces');
const db = typed('db-1', 'Microsoft.Sql/servers', { resourceGroup: 'rg-data' });

async function setup(entities: Partial<AzureTenantEntitiesConfig> = {}) {
  const client = new FakeAzureTenantCatalogClient(2);
  client.subscriptions = [
    subscription({
      lastSync: { status: 'succeeded', finishedAt: '2026-12-05T10:00:00Z' },
    }),
  ];
  client.upsert(vm, disk, nic, db);
  client.resourceGroups.set(SUBSCRIPTION_ID, [
    { name: 'rg-data', location: 'westeurope' },
    { name: 'rg-web', location: 'westeurope', tags: { owner: 'team-data' } },
  ]);
  const provider = new AzureTenantEntityProvider({
    client,
    logger: mockServices.logger.mock(),
    loadOwners: async () => AzureOwnerDirectory.fromEntities(demoOrg),
    defaultOwner: 'group:default/azure-admins',
    entities: { ...DEFAULT_AZURE_TENANT_ENTITIES, ...entities },
  });
  const connection = new RecordingConnection();
  await provider.connect(connection);
  await provider.idle();
  return { client, provider, connection };
}

describe('AzureTenantEntityProvider granularity', () => {
  it('puts resource groups between the subscription and its resources by default', async () => {
    const { connection } = await setup();
    const entities = added(connection.last);
    expect(refs(entities)).toEqual(
      [
        azureSubscriptionEntityRef(SUBSCRIPTION_ID),
        groupRef(SUBSCRIPTION_ID, 'rg-web'),
        groupRef(SUBSCRIPTION_ID, 'rg-data'),
        ...[vm, disk, nic, db].map(r => azureResourceEntityRef(r.resourceId)),
      ].sort(),
    );
    const byRef = new Map(entities.map(e => [stringifyEntityRef(e), e]));
    const web = byRef.get(groupRef(SUBSCRIPTION_ID, 'rg-web'))!;
    expect(web.spec).toMatchObject({
      type: AZURE_RESOURCE_GROUP_ENTITY_TYPE,
      owner: 'group:default/data',
      dependencyOf: [azureSubscriptionEntityRef(SUBSCRIPTION_ID)],
    });
    expect(
      byRef.get(azureResourceEntityRef(vm.resourceId))!.spec?.dependencyOf,
    ).toEqual([groupRef(SUBSCRIPTION_ID, 'rg-web')]);
  });

  it('leaves the types of a preset out of the catalog, and still counts them on their group', async () => {
    const { connection } = await setup({
      resourceTypes: { presets: ['child-resources'], include: [], exclude: [] },
    });
    const entities = added(connection.last);
    expect(refs(entities)).toEqual(
      [
        azureSubscriptionEntityRef(SUBSCRIPTION_ID),
        groupRef(SUBSCRIPTION_ID, 'rg-web'),
        groupRef(SUBSCRIPTION_ID, 'rg-data'),
        azureResourceEntityRef(vm.resourceId),
        azureResourceEntityRef(db.resourceId),
      ].sort(),
    );
    const web = entities.find(
      e => stringifyEntityRef(e) === groupRef(SUBSCRIPTION_ID, 'rg-web'),
    )!;
    expect(web.metadata.description).toBe(
      'Azure resource group rg-web in westeurope. 3 resources: 1 disk, 1 virtual machine, 1 network interface.',
    );
  });

  it('makes resource groups with a summary of their resources, and no resource entities, at the level resource-groups', async () => {
    const { connection } = await setup({ level: 'resource-groups' });
    const entities = added(connection.last);
    expect(refs(entities)).toEqual(
      [
        azureSubscriptionEntityRef(SUBSCRIPTION_ID),
        groupRef(SUBSCRIPTION_ID, 'rg-web'),
        groupRef(SUBSCRIPTION_ID, 'rg-data'),
      ].sort(),
    );
    const data = entities.find(
      e => stringifyEntityRef(e) === groupRef(SUBSCRIPTION_ID, 'rg-data'),
    )!;
    expect((data.spec?.azure as any).summary).toEqual({
      resourceCount: 1,
      resourceTypes: [{ type: 'Microsoft.Sql/servers', count: 1 }],
    });
  });

  it('makes subscription entities only at the level subscriptions, without reading resource groups', async () => {
    const { connection, client } = await setup({ level: 'subscriptions' });
    expect(refs(added(connection.last))).toEqual([
      azureSubscriptionEntityRef(SUBSCRIPTION_ID),
    ]);
    expect(client.calls.filter(c => c.startsWith('resource-groups'))).toEqual(
      [],
    );
  });

  it("follows a subscription's override over its tenant's and the default", async () => {
    const client = new FakeAzureTenantCatalogClient(2);
    const other = typed('vm-9', 'Microsoft.Compute/virtualMachines', {
      subscriptionId: OTHER_SUBSCRIPTION,
    });
    client.subscriptions = [
      subscription(),
      subscription({ subscriptionId: OTHER_SUBSCRIPTION }),
    ];
    client.upsert(vm, other);
    client.resourceGroups.set(SUBSCRIPTION_ID, [{ name: 'rg-web' }]);
    client.resourceGroups.set(OTHER_SUBSCRIPTION, [{ name: 'rg-web' }]);
    const provider = new AzureTenantEntityProvider({
      client,
      logger: mockServices.logger.mock(),
      defaultOwner: 'group:default/azure-admins',
      entities: {
        ...DEFAULT_AZURE_TENANT_ENTITIES,
        overrides: [
          { tenantId: TENANT_ID, level: 'subscriptions' },
          { subscriptionId: OTHER_SUBSCRIPTION, level: 'resource-groups' },
        ],
      },
    });
    const connection = new RecordingConnection();
    await provider.connect(connection);
    await provider.idle();
    expect(refs(added(connection.last))).toEqual(
      [
        azureSubscriptionEntityRef(SUBSCRIPTION_ID),
        azureSubscriptionEntityRef(OTHER_SUBSCRIPTION),
        groupRef(OTHER_SUBSCRIPTION, 'rg-web'),
      ].sort(),
    );
  });

  it("updates a group's summary when its resources change, and re-emits nothing unchanged", async () => {
    const { client, provider, connection } = await setup({
      level: 'resource-groups',
    });
    const before = connection.mutations.length;

    // A poll with no change writes nothing.
    await provider.refresh('delta');
    expect(connection.mutations).toHaveLength(before);

    client.upsert(typed('vm-2', 'Microsoft.Compute/virtualMachines'), {
      ...vm,
      tags: { env: 'prod' },
    });
    await provider.refresh('delta');
    expect(connection.mutations).toHaveLength(before + 1);
    expect(connection.last.type).toBe('delta');
    const [web] = added(connection.last);
    // Only the group whose count changed; a tag edit on vm-1 alone changes no entity at this level.
    expect(refs(added(connection.last))).toEqual([
      groupRef(SUBSCRIPTION_ID, 'rg-web'),
    ]);
    expect((web.spec?.azure as any).summary.resourceCount).toBe(4);

    client.remove(db.resourceId);
    await provider.refresh('delta');
    expect(refs(added(connection.last))).toEqual([
      groupRef(SUBSCRIPTION_ID, 'rg-data'),
    ]);
    expect(added(connection.last)[0].metadata.description).toMatch(
      /No resources\.$/,
    );
  });

  it("applies a group's new tags and removes a group that went away after a sync", async () => {
    const { client, provider, connection } = await setup();
    const before = connection.mutations.length;
    // The sync changed no resource: only the group's tags, and rg-data is gone.
    client.resourceGroups.set(SUBSCRIPTION_ID, [
      { name: 'rg-web', location: 'westeurope', tags: { owner: 'payments' } },
    ]);
    client.subscriptions = [
      subscription({
        lastSync: { status: 'succeeded', finishedAt: '2026-12-05T11:00:00Z' },
      }),
    ];
    await provider.refresh('delta');
    expect(connection.mutations).toHaveLength(before + 1);
    const mutation = connection.last as Extract<
      EntityProviderMutation,
      { type: 'delta' }
    >;
    expect(mutation.added.map(e => e.entity.spec?.owner)).toEqual([
      'group:default/payments',
    ]);
    expect(mutation.removed).toEqual([
      {
        entityRef: groupRef(SUBSCRIPTION_ID, 'rg-data'),
        locationKey: `azure-tenant:${SUBSCRIPTION_ID}`,
      },
    ]);
  });
});
