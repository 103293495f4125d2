import {
  ANNOTATION_AZURE_OWNER_SOURCE,
  ANNOTATION_AZURE_RESOURCE_ID,
  AZURE_RESOURCE_GROUP_ENTITY_TYPE,
  AzureResourceGroupRecord,
  azureSubscriptionEntityRef,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  resourceEntityV1alpha1Validator,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { AzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import {
  SUBSCRIPTION_ID,
  TENANT_ID,
  demoOrg,
  resource,
} from '../__fixtures__/azureFixtures';
import { buildAzureResourceEntity } from './resourceEntity';
import {
  AzureResourceGroupEntityOptions,
  buildAzureResourceGroupEntity,
  describeResourceType,
} from './resourceGroupEntity';

const DEFAULT_OWNER = 'group:default/azure-tenant-unowned';

const catalogPolicies = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
]);

function options(
  overrides: Partial<AzureResourceGroupEntityOptions> = {},
): AzureResourceGroupEntityOptions {
  return {
    tenantId: TENANT_ID,
    syncMode: 'read-write-tags',
    ownerTagKey: 'owner',
    owners: AzureOwnerDirectory.fromEntities(demoOrg),
    defaultOwner: DEFAULT_OWNER,
    ...overrides,
  };
}

function group(
  overrides: Partial<AzureResourceGroupRecord> = {},
): AzureResourceGroupRecord {
  return {
    subscriptionId: SUBSCRIPTION_ID,
    name: 'rg-web',
    location: 'westeurope',
    resourceCount: 42,
    resourceTypes: [
      { type: 'Microsoft.Compute/virtualMachines', count: 10 },
      { type: 'Microsoft.Compute/disks', count: 10 },
      { type: 'Microsoft.Network/networkInterfaces', count: 10 },
      { type: 'Microsoft.Network/publicIPAddresses', count: 5 },
      { type: 'Microsoft.Storage/storageAccounts', count: 4 },
      { type: 'Microsoft.KeyVault/vaults', count: 2 },
      { type: 'Microsoft.Web/sites', count: 1 },
    ],
    ...overrides,
  };
}

describe('buildAzureResourceGroupEntity', () => {
  it('is a valid entity between the subscription and the resources of the group', async () => {
    const entity = buildAzureResourceGroupEntity(group(), options());
    await expect(catalogPolicies.enforce(entity)).resolves.toBeDefined();
    await expect(resourceEntityV1alpha1Validator.check(entity)).resolves.toBe(
      true,
    );
    expect(entity.spec).toMatchObject({
      type: AZURE_RESOURCE_GROUP_ENTITY_TYPE,
      dependencyOf: [azureSubscriptionEntityRef(SUBSCRIPTION_ID)],
    });
    expect(entity.metadata.title).toBe('rg-web');
    expect(entity.metadata.annotations?.[ANNOTATION_AZURE_RESOURCE_ID]).toBe(
      `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-web`,
    );
    // Its resources point at it, whatever casing they give their group.
    const vm = buildAzureResourceEntity(
      resource('vm-1', { resourceGroup: 'RG-WEB' }),
      { ...options(), syncMode: 'read-write-tags' },
    );
    expect(vm.spec?.dependencyOf).toEqual([stringifyEntityRef(entity)]);
  });

  it('summarises its resources per type, in the description and in spec.azure.summary', () => {
    const entity = buildAzureResourceGroupEntity(group(), options());
    expect(entity.metadata.description).toBe(
      'Azure resource group rg-web in westeurope. 42 resources: 10 virtual machines, 10 disks, 10 network interfaces, 5 public IP addresses, 4 storage accounts, 2 more types.',
    );
    expect((entity.spec?.azure as any).summary).toEqual({
      resourceCount: 42,
      resourceTypes: group().resourceTypes,
    });
    expect(
      buildAzureResourceGroupEntity(
        group({ resourceCount: 0, resourceTypes: [] }),
        options(),
      ).metadata.description,
    ).toBe('Azure resource group rg-web in westeurope. No resources.');
  });

  it('names a type for people, in the singular for one', () => {
    expect(describeResourceType('Microsoft.Compute/virtualMachines', 1)).toBe(
      'virtual machine',
    );
    expect(describeResourceType('Microsoft.Network/publicIPAddresses', 1)).toBe(
      'public IP address',
    );
    expect(
      describeResourceType('Microsoft.ContainerRegistry/registries', 1),
    ).toBe('registry');
    expect(
      describeResourceType('Microsoft.Compute/virtualMachines/extensions', 3),
    ).toBe('extensions');
  });

  it('is owned by its owner tag, and keeps no tags under no-tags', () => {
    const tagged = group({ tags: { Owner: 'team-payments' } });
    const owned = buildAzureResourceGroupEntity(tagged, options());
    expect(owned.spec?.owner).toBe('group:default/payments');
    expect(owned.metadata.annotations?.[ANNOTATION_AZURE_OWNER_SOURCE]).toBe(
      'tag',
    );
    const noTags = buildAzureResourceGroupEntity(
      tagged,
      options({ syncMode: 'no-tags' }),
    );
    expect(noTags.spec?.owner).toBe(DEFAULT_OWNER);
    expect((noTags.spec?.azure as any).tags).toBeUndefined();
  });
});
