import { Entity } from '@backstage/catalog-model';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import alphaPlugin, {
  entityAzureSavingsCard,
  entityGroupSavingsCard,
} from '../alpha';

function entity(kind: string, type?: string, annotations = {}): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name: 'x', annotations },
    spec: type ? { type } : {},
  };
}

const subscription = entity('Resource', 'azure-subscription', {
  'management.azure.com/subscriptionId': 'sub-1',
  'management.azure.com/resourceId': '/subscriptions/sub-1',
});
const virtualMachine = entity('Resource', 'azure-virtual-machine', {
  'management.azure.com/resourceId':
    '/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm',
});
const database = entity('Resource', 'database');
const component = entity('Component', 'service');
const group = entity('Group', 'team');
const user = entity('User');

function filterOf(
  extension: Parameters<typeof createExtensionTester>[0],
): (e: Entity) => boolean {
  const filter = createExtensionTester(extension).get(
    EntityCardBlueprint.dataRefs.filterFunction,
  );
  if (!filter) throw new Error('The extension has no entity filter');
  return filter;
}

describe('Savings extensions of the alpha plugin', () => {
  it('shows the Savings card on Azure subscriptions and resources', () => {
    const filter = filterOf(entityAzureSavingsCard);

    expect(filter(subscription)).toBe(true);
    expect(filter(virtualMachine)).toBe(true);
    expect(filter(database)).toBe(false);
    expect(filter(group)).toBe(false);
  });

  it('shows the owner Savings card on groups and users', () => {
    const filter = filterOf(entityGroupSavingsCard);

    expect(filter(group)).toBe(true);
    expect(filter(user)).toBe(true);
    expect(filter(component)).toBe(false);
    expect(filter(virtualMachine)).toBe(false);
  });

  it('is part of the plugin', () => {
    expect(
      alphaPlugin.getExtension('entity-card:azure-tenant/savings'),
    ).toBeDefined();
    expect(
      alphaPlugin.getExtension('entity-card:azure-tenant/group-savings'),
    ).toBeDefined();
  });
});
