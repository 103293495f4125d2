import {
  EmulatorFixture,
  FixtureRoleAssignment,
  FixtureSubscription,
} from './fixture';
import { ResourceSource } from './ResourceCollection';
import { ResourceRecord, buildResourceId } from './ResourceRecord';
import { RESOURCE_TYPES } from './resourceTypeCatalog';
import {
  deterministicGuid,
  hash32,
  pickWeighted,
  unitInterval,
} from './seededRandom';
import { appFor, messyTags, teamFor } from './tagVocabulary';
import { DEMO_APP, DEMO_TENANT, DEMO_USER } from './demoIdentities';

/**
 * What `--generate` builds.
 *
 * @public
 */
export interface GenerateOptions {
  /** Number of subscriptions. */
  subscriptions: number;
  /** Total number of resources, spread over the subscriptions. */
  resources: number;
  /** Days of cost history. */
  days: number;
  /** Same seed, same tenant. */
  seed: number;
}

/** A generated tenant: a small fixture, plus lazily computed resources per subscription. */
export interface GeneratedTenant {
  fixture: EmulatorFixture;
  lazyResources: Map<string, ResourceSource>;
}

const LOCATIONS = [
  'westeurope',
  'northeurope',
  'eastus',
  'eastus2',
  'westus2',
  'uksouth',
  'germanywestcentral',
  'swedencentral',
];
const LOCATION_WEIGHTS = [30, 18, 14, 8, 6, 10, 8, 6];
const ENVIRONMENTS = ['prod', 'dev', 'test', 'staging'];
const TYPE_WEIGHTS = RESOURCE_TYPES.map(t => t.weight);
const CREATED_BASE = Date.UTC(2024, 0, 1);

/**
 * Builds a deterministic large tenant in the demo tenant (same ids as the demo fixture, so the
 * demo portal config works against it): the demo user owns most subscriptions and reads the rest.
 */
export function generateTenant(options: GenerateOptions): GeneratedTenant {
  const { seed } = options;
  const subscriptionCount = Math.max(1, Math.floor(options.subscriptions));
  const total = Math.max(0, Math.floor(options.resources));
  const subscriptions: FixtureSubscription[] = [];
  const lazyResources = new Map<string, ResourceSource>();
  for (let s = 0; s < subscriptionCount; s++) {
    const subscriptionId = deterministicGuid(
      'generated-subscription',
      String(seed),
      String(s),
    );
    const team = teamFor(unitInterval(seed, s, 1));
    const env = ENVIRONMENTS[hash32(seed, s, 2) % ENVIRONMENTS.length];
    const count =
      Math.floor(total / subscriptionCount) +
      (s < total % subscriptionCount ? 1 : 0);
    const groupCount = 6 + (hash32(seed, s, 3) % 20);
    const groups = Array.from({ length: groupCount }, (_, g) => {
      const groupTeam = teamFor(unitInterval(seed, s, g, 4));
      const app = appFor(unitInterval(seed, s, g, 5));
      return {
        name: `rg-${groupTeam}-${app}-${env}-${g.toString().padStart(2, '0')}`,
        location: pickWeighted(
          LOCATIONS,
          LOCATION_WEIGHTS,
          unitInterval(seed, s, g, 6),
        ),
        team: groupTeam,
        app,
      };
    });
    const roleAssignments: FixtureRoleAssignment[] = [
      { principalId: DEMO_USER.oid, role: s % 10 === 9 ? 'Reader' : 'Owner' },
    ];
    subscriptions.push({
      subscriptionId,
      tenantId: DEMO_TENANT.id,
      displayName: `Contoso ${team} ${env} ${String(s + 1).padStart(3, '0')}`,
      state: 'Enabled',
      currency: s % 4 === 3 ? 'EUR' : 'USD',
      roleAssignments,
      resourceGroups: groups.map(g => ({
        name: g.name,
        location: g.location,
        tags: { owner: `team-${g.team}` },
      })),
    });
    lazyResources.set(
      subscriptionId.toLowerCase(),
      generatedResourceSource(seed, s, subscriptionId, count, groups),
    );
  }
  return {
    fixture: {
      tenants: [{ ...DEMO_TENANT, users: [DEMO_USER] }],
      apps: [DEMO_APP],
      subscriptions,
      costs: { seed, historyDays: options.days },
    },
    lazyResources,
  };
}

function generatedResourceSource(
  seed: number,
  s: number,
  subscriptionId: string,
  count: number,
  groups: Array<{ name: string; location: string; team: string; app: string }>,
): ResourceSource {
  const at = (i: number): ResourceRecord => {
    const u = (k: number) => unitInterval(seed, s, i, k);
    const info = pickWeighted(RESOURCE_TYPES, TYPE_WEIGHTS, u(20));
    const group = groups[hash32(seed, s, i, 21) % groups.length];
    const location =
      u(22) < 0.9
        ? group.location
        : pickWeighted(LOCATIONS, LOCATION_WEIGHTS, u(23));
    const name = `${info.abbreviation}-${group.app}-${i
      .toString(36)
      .padStart(4, '0')}`;
    const created = new Date(
      CREATED_BASE + (hash32(seed, s, i, 24) % 600) * 86_400_000,
    ).toISOString();
    return {
      id: buildResourceId(subscriptionId, group.name, info.type, name),
      subscriptionId,
      resourceGroup: group.name,
      type: info.type,
      name,
      location,
      tags: messyTags(
        u(25) < 0.85 ? group.team : teamFor(u(26)),
        group.app,
        k => u(30 + k),
      ),
      kind: info.kind,
      sku: info.sku,
      createdTime: created,
      changedTime: created,
      index: i,
    };
  };
  return {
    count,
    at,
    indexOfId: id => {
      const name = id.slice(id.lastIndexOf('/') + 1);
      const index = parseInt(name.slice(name.lastIndexOf('-') + 1), 36);
      if (!Number.isInteger(index) || index < 0 || index >= count)
        return undefined;
      return at(index).id.toLowerCase() === id ? index : undefined;
    },
  };
}
