import { TagPolicy } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import { TagPolicySubject } from '../tagPolicyRules';

export const SUBSCRIPTION = '00000000-0000-0000-0000-00000000000a';
export const OTHER_SUBSCRIPTION = '00000000-0000-0000-0000-00000000000b';

/** A portal policy with defaults: id `policy-<key>`, name `<key> policy`. */
export function tagPolicy(
  input: Partial<TagPolicy> & Pick<TagPolicy, 'key'>,
): TagPolicy {
  return {
    id: `policy-${input.key}`,
    name: `${input.key} policy`,
    source: 'portal',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...input,
  };
}

/** A web app in rg-web of {@link SUBSCRIPTION}. */
export function subject(
  tags: Record<string, string> | undefined,
  overrides: Partial<TagPolicySubject> = {},
): TagPolicySubject {
  return {
    resourceId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-web/providers/Microsoft.Web/sites/shop`,
    subscriptionId: SUBSCRIPTION,
    resourceGroup: 'rg-web',
    type: 'Microsoft.Web/sites',
    tags,
    ...overrides,
  };
}

/** The group `platform`, and the user `jane` (jane@example.com). */
export const owners = AzureOwnerDirectory.fromEntities([
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'platform' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'jane' },
    spec: { profile: { email: 'jane@example.com' } },
  },
]);
