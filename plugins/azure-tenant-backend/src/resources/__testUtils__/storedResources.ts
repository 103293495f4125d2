import { Knex } from 'knex';
import { DatabaseResourceStore } from '../../database/DatabaseResourceStore';
import { migrateDatabase } from '../../database/migrations';
import { SyncedResource } from '../../database/ResourceStore';

/** Two subscriptions of one tenant. */
export const SUBSCRIPTION_A = '0b0e7f4c-1a2b-4c3d-8e9f-00000000000a';
export const SUBSCRIPTION_B = '0b0e7f4c-1a2b-4c3d-8e9f-00000000000b';
export const TENANT = '7d3c2b1a-0000-4000-8000-000000000001';

/** What a test says of a resource; the rest is made up. */
export interface ResourceSketch {
  subscriptionId: string;
  resourceGroup: string;
  /** The ARM type, in the casing Azure gave. */
  type: string;
  name: string;
  tags?: Record<string, string>;
}

/** The resource id that Azure would give the sketched resource. */
export function resourceIdOf(sketch: ResourceSketch): string {
  return `/subscriptions/${sketch.subscriptionId}/resourceGroups/${sketch.resourceGroup}/providers/${sketch.type}/${sketch.name}`;
}

function synced(sketch: ResourceSketch, i: number): SyncedResource {
  const resourceId = resourceIdOf(sketch);
  return {
    key: resourceId.toLowerCase(),
    resourceId,
    subscriptionId: sketch.subscriptionId,
    tenantId: TENANT,
    resourceGroup: sketch.resourceGroup,
    name: sketch.name,
    type: sketch.type,
    location: 'westeurope',
    ...(sketch.tags ? { tags: sketch.tags } : {}),
    contentHash: `hash-${i}-${resourceId.toLowerCase()}`.slice(0, 64),
  };
}

/**
 * A migrated database whose resource store holds the sketched resources, stored as a sync of each subscription
 * stores them.
 */
export async function storeResources(
  knex: Knex,
  sketches: ResourceSketch[],
): Promise<DatabaseResourceStore> {
  await migrateDatabase(knex);
  const store = new DatabaseResourceStore(knex);
  const bySubscription = new Map<string, SyncedResource[]>();
  sketches.forEach((sketch, i) => {
    const list = bySubscription.get(sketch.subscriptionId) ?? [];
    list.push(synced(sketch, i));
    bySubscription.set(sketch.subscriptionId, list);
  });
  const at = new Date('2026-12-01T10:00:00Z');
  for (const [subscriptionId, upserts] of bySubscription) {
    await store.applySync({
      subscriptionId,
      upserts,
      removedKeys: [],
      purgePortalTags: false,
      resourceCount: upserts.length,
      startedAt: at,
      finishedAt: at,
    });
  }
  return store;
}

/**
 * A small estate: virtual machines and storage accounts in two subscriptions, tagged in the ways people tag
 * (different casings of one name, a value that differs only in case, no tags at all).
 */
export const ESTATE: ResourceSketch[] = [
  {
    subscriptionId: SUBSCRIPTION_A,
    resourceGroup: 'rg-web',
    type: 'Microsoft.Compute/virtualMachines',
    name: 'web-1',
    tags: { Env: 'Prod', owner: 'team-web' },
  },
  {
    subscriptionId: SUBSCRIPTION_A,
    resourceGroup: 'RG-Web',
    type: 'microsoft.compute/virtualmachines',
    name: 'web-2',
    tags: { env: 'prod' },
  },
  {
    subscriptionId: SUBSCRIPTION_A,
    resourceGroup: 'rg-data',
    type: 'Microsoft.Storage/storageAccounts',
    name: 'data1',
    tags: { ENV: 'Prod', 'cost-center': '' },
  },
  {
    subscriptionId: SUBSCRIPTION_A,
    resourceGroup: 'rg-data',
    type: 'Microsoft.Storage/storageAccounts',
    name: 'data2',
  },
  {
    subscriptionId: SUBSCRIPTION_B,
    resourceGroup: 'rg-web',
    type: 'Microsoft.Compute/virtualMachines',
    name: 'web-3',
    tags: { Env: 'Dev', 'x"env': 'quoted' },
  },
  {
    subscriptionId: SUBSCRIPTION_B,
    resourceGroup: 'rg-ops',
    type: 'Microsoft.Compute/virtualMachines',
    name: 'ops-1',
    tags: { Umgebung: 'Prüfung', Ärger: 'ja' },
  },
];
