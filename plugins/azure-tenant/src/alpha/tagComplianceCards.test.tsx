import { Entity } from '@backstage/catalog-model';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import alphaPlugin, {
  entityAzureTagComplianceCard,
  entityGroupTagComplianceCard,
} from '../alpha';

function entity(kind: string, type?: string, resourceId?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: {
      name: 'x',
      ...(resourceId && {
        annotations: { 'management.azure.com/resourceId': resourceId },
      }),
    },
    ...(type && { spec: { type } }),
  };
}

describe('Tag compliance cards of the alpha plugin', () => {
  it('shows the card on Azure subscriptions and resources only', () => {
    const tester = createExtensionTester(entityAzureTagComplianceCard);
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);

    expect(
      filter?.(entity('Resource', 'azure-subscription', '/subscriptions/s')),
    ).toBe(true);
    expect(
      filter?.(
        entity('Resource', 'azure-virtualmachines', '/subscriptions/s/x'),
      ),
    ).toBe(true);
    // An azure-* type without a resource id is not a synced resource.
    expect(filter?.(entity('Resource', 'azure-virtualmachines'))).toBe(false);
    expect(filter?.(entity('Component', 'service'))).toBe(false);
    expect(
      alphaPlugin.getExtension('entity-card:azure-tenant/tag-compliance'),
    ).toBeDefined();
  });

  it('shows the owner card on groups and users only', () => {
    const tester = createExtensionTester(entityGroupTagComplianceCard);
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);

    expect(filter?.(entity('Group'))).toBe(true);
    expect(filter?.(entity('User'))).toBe(true);
    expect(filter?.(entity('Component', 'service'))).toBe(false);
    expect(
      alphaPlugin.getExtension('entity-card:azure-tenant/group-tag-compliance'),
    ).toBeDefined();
  });
});
