/*
 * The demo tenant as the suites see it: its ids (from the emulator's exports), the users of the demo organization
 * they sign in as, and the suite's smaller copy of the demo fixture, with a second tenant that is never onboarded.
 */
// Paths to the repository's examples and results: `__dirname` is the way to them from test support.
/* eslint-disable no-restricted-syntax */
import fs from 'node:fs';
import path from 'node:path';
import {
  DEMO_FIXTURE_PATH,
  DEMO_SUBSCRIPTIONS,
  DEMO_TENANT,
  EmulatorFixture,
} from '@azure-tenant/azure-emulator';

/** The demo tenant's subscriptions, by name (the emulator's {@link DEMO_SUBSCRIPTIONS}). */
export const SUBSCRIPTIONS = DEMO_SUBSCRIPTIONS;

/** The demo tenant's subscription ids, in the fixture's order (80, 70 and 50 resources). */
export const DEMO_SUBSCRIPTION_IDS: string[] =
  Object.values(DEMO_SUBSCRIPTIONS);

/** The demo tenant. */
export const TENANT_ID = DEMO_TENANT.id;

/** A second tenant in the emulator, with one subscription and one resource, that the portal never onboards. */
export const FOREIGN = {
  tenantId: 'a1b2c3d4-0000-4e5f-8a9b-0c1d2e3f4a5b',
  subscriptionId: 'f0e1d2c3-b4a5-4968-8776-655443322110',
  resourceGroup: 'rg-foreign',
  resourceId:
    '/subscriptions/f0e1d2c3-b4a5-4968-8776-655443322110/resourceGroups/rg-foreign/providers/Microsoft.Storage/storageAccounts/stforeign001',
};

/** A resource of the payments subscription owned (owner tag `payments`) by the catalog group payments, Alice's. */
export const OWNED_RESOURCE_ID = `/subscriptions/${SUBSCRIPTIONS.payments}/resourceGroups/rg-payments-checkout-prod/providers/Microsoft.KeyVault/vaults/kv-checkout-001`;

/** Resources kept per subscription in the suite's copy of the demo fixture. */
export const RESOURCES_PER_SUBSCRIPTION = 8;

/** The users of the demo organization (examples/org.yaml) that the suite signs in as. */
export const USERS = {
  /** Member of azure-admins (the policy's admins) and platform. */
  admin: 'user:default/guest',
  /** Member of payments, which owns {@link OWNED_RESOURCE_ID}. */
  owner: 'user:default/alice',
  /** Signed in, in no group: owns nothing, is no admin. */
  user: 'user:default/bob',
};

/** The demo organization (users and groups) that the catalog of the test backends reads. */
export const ORG_FILE = path.resolve(__dirname, '../../../examples/org.yaml');

/** Where the suite writes its figures (`test-results/` at the repository root). */
export const RESULTS_DIR = path.resolve(__dirname, '../../../test-results');

/**
 * The demo fixture with its first {@link RESOURCES_PER_SUBSCRIPTION} resources per subscription (so that the catalog
 * ingests them in seconds), and a second tenant with one subscription and one resource that is never onboarded.
 */
export function reliabilityFixture(): EmulatorFixture {
  const demo: EmulatorFixture = JSON.parse(
    fs.readFileSync(DEMO_FIXTURE_PATH, 'utf8'),
  );
  const subscriptions = (demo.subscriptions ?? []).map(s => ({
    ...s,
    resources: (s.resources ?? []).slice(0, RESOURCES_PER_SUBSCRIPTION),
  }));
  const kept = new Set(
    subscriptions.flatMap(s =>
      (s.resources ?? []).map(r =>
        `/subscriptions/${s.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/${r.type}/${r.name}`.toLowerCase(),
      ),
    ),
  );
  return {
    ...demo,
    tenants: [
      ...demo.tenants,
      {
        id: FOREIGN.tenantId,
        displayName: 'Fabrikam (never onboarded)',
        users: [
          {
            oid: 'b2c3d4e5-1111-4f6a-9b0c-1d2e3f4a5b6c',
            userPrincipalName: 'admin@fabrikam.example',
            displayName: 'Fabrikam Admin',
          },
        ],
      },
    ],
    subscriptions: [
      ...subscriptions,
      {
        subscriptionId: FOREIGN.subscriptionId,
        tenantId: FOREIGN.tenantId,
        displayName: 'Fabrikam Production',
        state: 'Enabled',
        roleAssignments: [
          {
            principalId: 'b2c3d4e5-1111-4f6a-9b0c-1d2e3f4a5b6c',
            role: 'Owner',
          },
        ],
        resourceGroups: [
          { name: FOREIGN.resourceGroup, location: 'westeurope' },
        ],
        resources: [
          {
            type: 'Microsoft.Storage/storageAccounts',
            name: 'stforeign001',
            resourceGroup: FOREIGN.resourceGroup,
            location: 'westeurope',
            tags: { owner: 'payments', env: 'prod' },
          },
        ],
      },
    ],
    costs: demo.costs && {
      ...demo.costs,
      profiles: (demo.costs.profiles ?? []).filter(p =>
        kept.has(p.resourceId.toLowerCase()),
      ),
      rows: (demo.costs.rows ?? []).filter(r =>
        kept.has(r.resourceId.toLowerCase()),
      ),
    },
  };
}
