import { Entity } from '@backstage/catalog-model';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import alphaPlugin, {
  entityAzureResourceSpendCard,
  entityAzureSpendContent,
  entityGroupSpendCard,
} from '../alpha';

function resource(
  type: string,
  annotations: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'r', annotations },
    spec: { type, owner: 'group:default/team-a' },
  };
}

const subscription = resource('azure-subscription', {
  'management.azure.com/subscriptionId': 'sub-1',
  'management.azure.com/resourceId': '/subscriptions/sub-1',
});
const virtualMachine = resource('azure-virtual-machine', {
  'management.azure.com/resourceId':
    '/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm',
});
const unannotatedAzureResource = resource('azure-virtual-machine');
const database = resource('database', {
  'management.azure.com/resourceId': '/subscriptions/sub-1/x',
});
const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'web' },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
};
const group: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-a' },
  spec: { type: 'team', children: [] },
};
const user: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'ada' },
  spec: {},
};

/** The entity filter an extension outputs; every Spend extension has one. */
function filterOf(
  extension: Parameters<typeof createExtensionTester>[0],
  config?: Record<string, unknown>,
): (entity: Entity) => boolean {
  const filter = createExtensionTester(extension, { config }).get(
    EntityContentBlueprint.dataRefs.filterFunction,
  );
  if (!filter) {
    throw new Error('The extension has no entity filter');
  }
  return filter;
}

describe('Spend extensions of the alpha plugin', () => {
  it('mounts the Spend tab at /spend for subscriptions and Azure resources only', () => {
    const tester = createExtensionTester(entityAzureSpendContent);
    const filter = filterOf(entityAzureSpendContent);

    expect(tester.get(coreExtensionData.routePath)).toBe('/spend');
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Spend');
    expect(filter(subscription)).toBe(true);
    expect(filter(virtualMachine)).toBe(true);
    expect(filter(component)).toBe(false);
    expect(filter(group)).toBe(false);
    expect(filter(database)).toBe(false);
    expect(filter(unannotatedAzureResource)).toBe(false);
  });

  it('shows the resource Spend card on Azure resources but not on subscriptions', () => {
    const filter = filterOf(entityAzureResourceSpendCard);

    expect(filter(virtualMachine)).toBe(true);
    expect(filter(subscription)).toBe(false);
    expect(filter(component)).toBe(false);
    expect(filter(database)).toBe(false);
  });

  it('shows the owner Spend card on groups and users', () => {
    const filter = filterOf(entityGroupSpendCard);

    expect(filter(group)).toBe(true);
    expect(filter(user)).toBe(true);
    expect(filter(component)).toBe(false);
    expect(filter(virtualMachine)).toBe(false);
  });

  it('lets an app replace the tab filter in config', () => {
    const filter = filterOf(entityAzureSpendContent, {
      filter: { kind: 'component' },
    });

    expect(filter(component)).toBe(true);
    expect(filter(subscription)).toBe(false);
  });

  it('is part of the plugin', () => {
    expect(
      alphaPlugin.getExtension('entity-content:azure-tenant/spend'),
    ).toBeDefined();
    expect(
      alphaPlugin.getExtension('entity-card:azure-tenant/resource-spend'),
    ).toBeDefined();
    expect(
      alphaPlugin.getExtension('entity-card:azure-tenant/group-spend'),
    ).toBeDefined();
  });
});
