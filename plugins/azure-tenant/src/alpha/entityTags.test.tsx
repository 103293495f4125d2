import { Entity } from '@backstage/catalog-model';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import alphaPlugin, {
  entityAzureResourceTagsCard,
  entityAzureTagsContent,
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
const virtualMachine = resource('azure-virtualmachines', {
  'management.azure.com/resourceId':
    '/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm',
});
const database = resource('database');

function filterOf(
  extension: Parameters<typeof createExtensionTester>[0],
): (entity: Entity) => boolean {
  const filter = createExtensionTester(extension).get(
    EntityContentBlueprint.dataRefs.filterFunction,
  );
  if (!filter) throw new Error('The extension has no entity filter');
  return filter;
}

describe('Tags extensions of the alpha plugin', () => {
  it('mounts the Tags tab at /tags on subscriptions only', () => {
    const tester = createExtensionTester(entityAzureTagsContent);
    const filter = filterOf(entityAzureTagsContent);

    expect(tester.get(coreExtensionData.routePath)).toBe('/tags');
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Tags');
    expect(filter(subscription)).toBe(true);
    expect(filter(virtualMachine)).toBe(false);
    expect(filter(database)).toBe(false);
  });

  it('shows the Tags card on Azure resources but not on subscriptions', () => {
    const filter = filterOf(entityAzureResourceTagsCard);

    expect(filter(virtualMachine)).toBe(true);
    expect(filter(subscription)).toBe(false);
    expect(filter(database)).toBe(false);
  });

  it('is part of the plugin', () => {
    expect(
      alphaPlugin.getExtension('entity-content:azure-tenant/tags'),
    ).toBeDefined();
    expect(
      alphaPlugin.getExtension('entity-card:azure-tenant/resource-tags'),
    ).toBeDefined();
  });
});
