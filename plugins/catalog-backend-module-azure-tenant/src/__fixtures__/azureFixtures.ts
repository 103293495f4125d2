import {
  AzureResourceRecord,
  AzureSubscription,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Entity } from '@backstage/catalog-model';

export const TENANT_ID = '11111111-1111-1111-1111-111111111111';
export const SUBSCRIPTION_ID = '22222222-2222-2222-2222-222222222222';

export function subscription(
  overrides: Partial<AzureSubscription> = {},
): AzureSubscription {
  return {
    subscriptionId: SUBSCRIPTION_ID,
    tenantId: TENANT_ID,
    displayName: 'Production',
    state: 'Enabled',
    syncMode: 'read-write-tags',
    roleStatus: 'granted',
    grantedRoles: ['Reader', 'Tag Contributor'],
    source: 'onboarding',
    ...overrides,
  };
}

export function resource(
  name: string,
  overrides: Partial<AzureResourceRecord> = {},
): AzureResourceRecord {
  const subscriptionId = overrides.subscriptionId ?? SUBSCRIPTION_ID;
  const resourceGroup = overrides.resourceGroup ?? 'rg-web';
  return {
    resourceId: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachines/${name}`,
    subscriptionId,
    tenantId: TENANT_ID,
    resourceGroup,
    name,
    type: 'Microsoft.Compute/virtualMachines',
    location: 'westeurope',
    revision: 1,
    ...overrides,
  };
}

export const demoOrg: Entity[] = [
  'platform',
  'payments',
  'data',
  'azure-admins',
]
  .map(
    (name): Entity => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name, namespace: 'default' },
      spec: { type: 'team', children: [] },
    }),
  )
  .concat([
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: {
        name: 'sre',
        namespace: 'default',
        title: 'Site Reliability',
      },
      spec: {
        type: 'team',
        profile: { displayName: 'Reliability Engineering' },
        children: [],
      },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'jane.doe', namespace: 'default' },
      spec: { profile: { email: 'Jane.Doe@example.com' }, memberOf: [] },
    },
  ]);
