import {
  TagComplianceFigure,
  TagFixJob,
  TagFixPreview,
  TagPolicy,
} from '@azure-tenant/plugin-azure-tenant-common';

/** A compliance figure for tests: 10 resources, 8 compliant. */
export function complianceFigure(
  overrides: Partial<TagComplianceFigure> = {},
): TagComplianceFigure {
  return {
    resources: 10,
    compliant: 8,
    nonCompliant: 2,
    unknown: 0,
    percent: 80,
    byPolicy: {},
    ...overrides,
  };
}

/** A tag policy for tests: `owner`, required, a catalog group or user, made in the portal. */
export function tagPolicy(overrides: Partial<TagPolicy> = {}): TagPolicy {
  return {
    id: 'p-1',
    name: 'Owner is a catalog team',
    key: 'owner',
    aliases: ['owned-by'],
    required: true,
    values: { kind: 'catalog-entity' },
    inherit: 'resource-group',
    source: 'portal',
    createdAt: '2025-03-01T10:00:00Z',
    updatedAt: '2025-03-01T10:00:00Z',
    ...overrides,
  };
}

/** A bulk fix for tests: 4 resources, none handled yet. */
export function tagFixJob(overrides: Partial<TagFixJob> = {}): TagFixJob {
  return {
    id: 'job-1',
    selection: {},
    createdBy: 'user:default/ada',
    createdAt: '2025-03-14T10:00:00Z',
    updatedAt: '2025-03-14T10:00:00Z',
    state: 'running',
    total: 4,
    applied: 0,
    skipped: 0,
    failed: 0,
    failures: [],
    ...overrides,
  };
}

export const PROD_SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
export const DEV_SUBSCRIPTION = '00000000-0000-0000-0000-000000000002';
export const LEGACY_SUBSCRIPTION = '00000000-0000-0000-0000-000000000003';

/** A preview for tests: 5 resources over three subscriptions, one of each outcome. */
export function tagFixPreview(
  overrides: Partial<TagFixPreview> = {},
): TagFixPreview {
  return {
    selection: {},
    resources: 5,
    byKind: { 'canonical-key': 3, 'owner-from-resource-group': 2 },
    subscriptions: [
      {
        subscriptionId: PROD_SUBSCRIPTION,
        syncMode: 'read-write-tags',
        outcome: 'write-to-azure',
        resources: 3,
      },
      {
        subscriptionId: DEV_SUBSCRIPTION,
        syncMode: 'read-tags',
        outcome: 'portal-only',
        resources: 1,
      },
      {
        subscriptionId: LEGACY_SUBSCRIPTION,
        syncMode: 'no-tags',
        outcome: 'forbidden',
        resources: 1,
        reason: 'The sync mode no-tags keeps no tags',
      },
    ],
    sample: [
      {
        resourceId: `/subscriptions/${PROD_SUBSCRIPTION}/resourceGroups/rg-web/providers/Microsoft.Web/sites/web-shop`,
        subscriptionId: PROD_SUBSCRIPTION,
        policyId: 'p-1',
        kind: 'canonical-key',
        change: {
          set: { owner: 'platform' },
          remove: ['Owner'],
          expected: { owner: null, Owner: 'platform' },
        },
        reason: "The tag 'Owner' should be spelled 'owner'.",
      },
      {
        resourceId: `/subscriptions/${PROD_SUBSCRIPTION}/resourceGroups/rg-web/providers/Microsoft.Storage/storageAccounts/webassets`,
        subscriptionId: PROD_SUBSCRIPTION,
        policyId: 'p-1',
        kind: 'owner-from-resource-group',
        change: {
          set: { owner: 'platform' },
          remove: [],
          expected: { owner: null },
        },
        reason: 'The resource group rg-web has owner=platform.',
      },
    ],
    ...overrides,
  };
}
