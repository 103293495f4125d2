/*
 * Writes fixtures/demo.json: the demo tenant with three subscriptions and about 200 resources
 * with realistically messy tags. Deterministic; run it again after changing this script:
 *   node -r @backstage/cli/config/nodeTransform.cjs scripts/buildDemoFixture.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_APP, DEMO_TENANT, DEMO_USER } from '../src/model/demoIdentities';
import {
  EmulatorFixture,
  FixtureResource,
  FixtureSubscription,
} from '../src/model/fixture';
import { RESOURCE_TYPES } from '../src/model/resourceTypeCatalog';
import { hash32, pickWeighted, unitInterval } from '../src/model/seededRandom';
import { messyTags } from '../src/model/tagVocabulary';
import { DEMO_SUBSCRIPTIONS } from '../src/model/demoIdentities';

const SEED = 42;
const ALICE = {
  oid: '2c9d4e6f-7a8b-4c1d-9e2f-3a4b5c6d7e8f',
  userPrincipalName: 'alice@contoso.example',
  displayName: 'Alice Platform',
};
const BOB = {
  oid: '6e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b',
  userPrincipalName: 'bob@contoso.example',
  displayName: 'Bob Payments',
};

interface GroupPlan {
  name: string;
  location: string;
  team: string;
  app: string;
}

const plans: Array<{
  sub: Omit<FixtureSubscription, 'resources' | 'resourceGroups'>;
  count: number;
  groups: GroupPlan[];
}> = [
  {
    sub: {
      subscriptionId: DEMO_SUBSCRIPTIONS.platform,
      tenantId: DEMO_TENANT.id,
      displayName: 'Contoso Platform Production',
      state: 'Enabled',
      currency: 'USD',
      tags: { owner: 'team-platform', env: 'prod' },
      roleAssignments: [
        { principalId: DEMO_USER.oid, role: 'Owner' },
        { principalId: ALICE.oid, role: 'Contributor' },
      ],
      // Issue 14: the tag policies the portal shows beside its own, read-only.
      policyAssignments: [
        {
          name: 'require-owner-tag',
          policyDefinitionId: '871b6d14-10aa-478d-b590-94f262ecfa99', // Require a tag on resources
          displayName: 'Require an owner tag on resources',
          description: 'Every resource names the team that owns it.',
          parameters: { tagName: { value: 'owner' } },
          metadata: { assignedBy: 'Demo Admin', category: 'Tags' },
        },
      ],
    },
    count: 80,
    groups: [
      {
        name: 'rg-platform-aks-prod',
        location: 'westeurope',
        team: 'platform',
        app: 'portal',
      },
      {
        name: 'rg-platform-network',
        location: 'westeurope',
        team: 'platform',
        app: 'identity',
      },
      {
        name: 'rg-platform-observability',
        location: 'northeurope',
        team: 'platform',
        app: 'reporting',
      },
      {
        name: 'rg-data-ingest-prod',
        location: 'westeurope',
        team: 'data',
        app: 'ingest',
      },
    ],
  },
  {
    sub: {
      subscriptionId: DEMO_SUBSCRIPTIONS.payments,
      tenantId: DEMO_TENANT.id,
      displayName: 'Contoso Payments',
      state: 'Enabled',
      currency: 'USD',
      tags: { Owner: 'Payments' },
      roleAssignments: [
        { principalId: DEMO_USER.oid, role: 'Owner' },
        { principalId: BOB.oid, role: 'Reader' },
      ],
      policyAssignments: [
        {
          name: 'inherit-costcenter-tag',
          policyDefinitionId: 'cd3aa116-8754-49c9-a813-ad46512ece54', // Inherit a tag from the resource group
          displayName: 'Inherit costCenter from the resource group',
          parameters: { tagName: { value: 'costCenter' } },
          metadata: { assignedBy: 'Demo Admin', category: 'Tags' },
          location: 'eastus',
        },
      ],
    },
    count: 70,
    groups: [
      {
        name: 'rg-payments-checkout-prod',
        location: 'eastus',
        team: 'payments',
        app: 'checkout',
      },
      {
        name: 'rg-payments-ledger-prod',
        location: 'eastus2',
        team: 'payments',
        app: 'ledger',
      },
      {
        name: 'rg-payments-dev',
        location: 'eastus',
        team: 'payments',
        app: 'billing',
      },
      {
        name: 'rg-shared-search',
        location: 'westus2',
        team: 'platform',
        app: 'search',
      },
    ],
  },
  {
    sub: {
      subscriptionId: DEMO_SUBSCRIPTIONS.dataEurope,
      tenantId: DEMO_TENANT.id,
      displayName: 'Contoso Data Europe',
      state: 'Enabled',
      currency: 'EUR',
      roleAssignments: [
        { principalId: DEMO_USER.oid, role: 'Reader' },
        { principalId: ALICE.oid, role: 'Owner' },
      ],
    },
    count: 50,
    groups: [
      {
        name: 'rg-data-lake-weu',
        location: 'westeurope',
        team: 'data',
        app: 'ingest',
      },
      {
        name: 'rg-data-reporting',
        location: 'germanywestcentral',
        team: 'data',
        app: 'reporting',
      },
      {
        name: 'rg-sandbox',
        location: 'swedencentral',
        team: 'data',
        app: 'search',
      },
    ],
  },
];

const TYPE_WEIGHTS = RESOURCE_TYPES.map(t => t.weight);
const subscriptions: FixtureSubscription[] = plans.map((plan, s) => {
  const used = new Set<string>();
  const resources: FixtureResource[] = [];
  for (let i = 0; resources.length < plan.count; i++) {
    const u = (k: number) => unitInterval(SEED, s, i, k);
    const info = pickWeighted(RESOURCE_TYPES, TYPE_WEIGHTS, u(1));
    const group = plan.groups[hash32(SEED, s, i, 2) % plan.groups.length];
    const name = `${info.abbreviation}-${group.app}-${String(i + 1).padStart(
      3,
      '0',
    )}`;
    if (used.has(name)) continue;
    used.add(name);
    const team =
      u(3) < 0.85
        ? group.team
        : ['platform', 'payments', 'data'][hash32(SEED, s, i, 4) % 3];
    resources.push({
      type: info.type,
      name,
      resourceGroup: group.name,
      location: group.location,
      tags: messyTags(team, group.app, k => u(10 + k)),
      ...(info.kind ? { kind: info.kind } : {}),
      ...(info.sku ? { sku: info.sku } : {}),
      createdTime: new Date(
        Date.UTC(2024, 0, 1) + (hash32(SEED, s, i, 5) % 500) * 86_400_000,
      ).toISOString(),
    });
  }
  return {
    ...plan.sub,
    resourceGroups: plan.groups.map(g => ({
      name: g.name,
      location: g.location,
      tags: (hash32(SEED, s, g.name.length) % 2
        ? { owner: `team-${g.team}` }
        : {}) as Record<string, string>,
    })),
    resources,
  };
});

const idOf = (sub: FixtureSubscription, r: FixtureResource) => {
  const [namespace, type] = r.type.split('/');
  return `/subscriptions/${sub.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/${namespace}/${type}/${r.name}`;
};
const aks =
  subscriptions[0].resources!.find(
    r => r.type === 'Microsoft.ContainerService/managedClusters',
  ) ?? subscriptions[0].resources![0];
const cosmos = subscriptions[2].resources![0];

// Budgets (Microsoft.Consumption/budgets): a monthly one on the platform subscription that a month's spend nears,
// and one in EUR on Data Europe's sandbox group that its forecast overshoots.
subscriptions[0].budgets = [
  {
    name: 'platform-monthly',
    amount: 10000,
    timeGrain: 'Monthly',
    timePeriod: { startDate: '2025-01-01T00:00:00Z' },
    notifications: {
      Actual_GreaterThanOrEqualTo_80_Percent: {
        enabled: true,
        operator: 'GreaterThanOrEqualTo',
        threshold: 80,
        contactEmails: ['platform-team@contoso.example'],
        contactRoles: ['Owner'],
        thresholdType: 'Actual',
      },
      Forecasted_GreaterThan_100_Percent: {
        enabled: true,
        operator: 'GreaterThan',
        threshold: 100,
        contactEmails: ['platform-team@contoso.example'],
        thresholdType: 'Forecasted',
      },
    },
  },
];
subscriptions[2].budgets = [
  {
    name: 'data-sandbox',
    amount: 2500,
    timeGrain: 'Monthly',
    timePeriod: { startDate: '2025-01-01T00:00:00Z' },
    filter: {
      dimensions: {
        name: 'ResourceGroupName',
        operator: 'In',
        values: ['rg-sandbox'],
      },
    },
    notifications: {
      Actual_GreaterThan_90_Percent: {
        enabled: true,
        operator: 'GreaterThan',
        threshold: 90,
        contactEmails: ['data-eng@contoso.example'],
        thresholdType: 'Actual',
      },
    },
  },
];

const fixture: EmulatorFixture = {
  tenants: [{ ...DEMO_TENANT, users: [DEMO_USER, ALICE, BOB] }],
  apps: [DEMO_APP],
  subscriptions,
  costs: {
    seed: SEED,
    historyDays: 120,
    profiles: [
      {
        resourceId: idOf(subscriptions[0], aks),
        dailyCost: 96,
        weekendFactor: 0.6,
        noise: 0.08,
      },
      {
        resourceId: idOf(subscriptions[2], cosmos),
        dailyCost: 41.5,
        weekendFactor: 0.95,
        noise: 0.05,
      },
    ],
  },
};

const file = path.resolve(__dirname, '..', 'fixtures', 'demo.json');
writeFileSync(
  file,
  `${JSON.stringify(
    { $schema: '../schema/fixture.schema.json', ...fixture },
    null,
    2,
  )}\n`,
);
console.log(
  `Wrote ${file}: ${subscriptions.reduce(
    (n, s) => n + s.resources!.length,
    0,
  )} resources`,
);
