/*
 * bench:compliance — how long the tag compliance evaluation takes over many resources and policies, in full and
 * after a few resources changed.
 *
 *   npm run bench:compliance -- --resources 100000 --policies 20 [--subscriptions 20] [--database sqlite|postgres]
 *                             [--max-minutes 30]
 *
 * In this process: the plugin's database (SQLite in a temporary file, or a fresh PostgreSQL database at
 * BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING), `resources` resources written through the resource store
 * as the resource sync writes them, spread over subscriptions (one keeps read-only tags, one keeps none) and 30
 * resource groups each, with the tags of a real estate: owner spelled owner, Owner, OWNER, owned-by or team, naming a
 * team by name, by `team-` name, by title, a user by email, or nobody; env in a dozen spellings; cost centres in
 * several patterns; some tags on resource groups and subscriptions to inherit; and `policies` varied tag policies
 * (catalog owners with inheritance, value lists, patterns, scopes by subscription, resource group and type). The
 * catalog is 40 teams and 200 users. Timed: (a) a full evaluation of every resource, the results and the day's
 * figures written; then the run that follows with nothing changed (it reads back the resources the full run touched
 * for the catalog feed only when another writer wrote while it touched them); (b) after 1% of the resources changed
 * their tags (written through the resource store), the incremental evaluation that follows. Each run's time is broken
 * down by phase (TagComplianceRun.phasesMs). The whole run stops after --max-minutes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AzureSubscription,
  TagPolicy,
} from '../../plugins/azure-tenant-common/src';
import { AzureOwnerDirectory } from '../../plugins/azure-tenant-node/src/AzureOwnerDirectory';
import { migrateDatabase } from '../../plugins/azure-tenant-backend/src/database/migrations';
import { DatabaseResourceStore } from '../../plugins/azure-tenant-backend/src/database/DatabaseResourceStore';
import { SyncedResource } from '../../plugins/azure-tenant-backend/src/database/ResourceStore';
import { DatabaseComplianceStore } from '../../plugins/azure-tenant-backend/src/governance/compliance/DatabaseComplianceStore';
import {
  TagComplianceEvaluator,
  TagComplianceRun,
} from '../../plugins/azure-tenant-backend/src/governance/compliance/TagComplianceEvaluator';
import {
  BenchDatabase,
  BenchDatabaseHandle,
  machineDescription,
  openDatabase,
  quietLogger,
} from './benchSupport';

interface Options {
  resources: number;
  policies: number;
  subscriptions: number;
  database: BenchDatabase;
  maxMinutes: number;
}

const TENANT_ID = '7d3c2b1a-0000-4000-8000-00000000be0c';
const RESOURCE_GROUPS_PER_SUBSCRIPTION = 30;
const TEAMS = 40;
const USERS = 200;
/** Resources per write to the resource store, as the sync writes a page. */
const WRITE_BATCH = 2000;
/** The share of resources changed before the incremental evaluation. */
const CHANGED_SHARE = 0.01;

function parseOptions(args: string[]): Options {
  const options: Options = {
    resources: 100_000,
    policies: 20,
    subscriptions: 20,
    database: 'sqlite',
    maxMinutes: 30,
  };
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i], args[i + 1]];
    switch (name) {
      case '--resources':
      case '--policies':
      case '--subscriptions':
      case '--max-minutes': {
        const key = (
          name === '--max-minutes' ? 'maxMinutes' : name.slice(2)
        ) as 'resources';
        options[key] = Number(value);
        if (!(Number.isInteger(options[key]) && options[key] > 0)) {
          throw new Error(`${name} must be a positive whole number`);
        }
        break;
      }
      case '--database':
        if (value !== 'sqlite' && value !== 'postgres') {
          throw new Error('--database is sqlite or postgres');
        }
        options.database = value;
        break;
      default:
        throw new Error(`Unknown argument ${name}`);
    }
  }
  return options;
}

/** A seeded generator, so that two runs build the same estate. */
function random(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  return {
    next,
    pick: <T>(items: readonly T[]): T =>
      items[Math.floor(next() * items.length)],
    /** One of `choices`, by weight; the weights need not add up to 1. */
    weighted: <T>(choices: ReadonlyArray<readonly [T, number]>): T => {
      const total = choices.reduce((sum, [, w]) => sum + w, 0);
      let r = next() * total;
      for (const [value, weight] of choices) {
        r -= weight;
        if (r < 0) return value;
      }
      return choices[choices.length - 1][0];
    },
  };
}
type Random = ReturnType<typeof random>;

const guid = (n: number) =>
  `${n.toString(16).padStart(8, '0')}-be0c-4000-8000-${n
    .toString(16)
    .padStart(12, '0')}`;

const TYPES = [
  'Microsoft.Compute/virtualMachines',
  'Microsoft.Compute/disks',
  'Microsoft.Network/networkInterfaces',
  'Microsoft.Storage/storageAccounts',
  'Microsoft.Web/sites',
  'Microsoft.Sql/servers',
  'Microsoft.ContainerService/managedClusters',
  'Microsoft.KeyVault/vaults',
] as const;

/** The catalog: teams squad-N (title "Squad N") and users user-N (user-N@example.com). */
function ownerDirectory(): AzureOwnerDirectory {
  return AzureOwnerDirectory.fromEntities([
    ...Array.from({ length: TEAMS }, (_, n) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: `squad-${n}`, title: `Squad ${n}` },
      spec: { type: 'team', children: [] },
    })),
    ...Array.from({ length: USERS }, (_, n) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: `user-${n}` },
      spec: { profile: { email: `user-${n}@example.com` } },
    })),
  ]);
}

/** An owner tag's value as people write it: a team by name, `team-` name or title, a user's email, or nobody. */
function ownerValue(rnd: Random): string {
  const team = Math.floor(rnd.next() * TEAMS);
  return rnd.weighted([
    [`squad-${team}`, 35],
    [`team-squad-${team}`, 15],
    [`Squad ${team}`, 10],
    [`SQUAD-${team}`, 5],
    [`user-${Math.floor(rnd.next() * USERS)}@example.com`, 10],
    ['nobody', 5],
    ['TBD', 5],
    [`squad-${TEAMS + team}`, 10], // a team that left the catalog
    ['ops team', 5],
  ] as const);
}

const ENV_VALUES = [
  ['prod', 25],
  ['Prod', 10],
  ['PROD', 5],
  ['production', 8],
  ['Production', 4],
  ['dev', 15],
  ['Dev', 5],
  ['development', 5],
  ['test', 8],
  ['qa', 5],
  ['staging', 5],
  ['stg', 5],
] as const;

/** The tags of one resource: mostly some of owner, env, cost centre and a few others, in the spellings found. */
function messyTags(rnd: Random): Record<string, string> | undefined {
  if (rnd.next() < 0.08) return undefined;
  const tags: Record<string, string> = {};
  const ownerKey = rnd.weighted([
    ['owner', 40],
    ['Owner', 15],
    ['OWNER', 5],
    ['owned-by', 5],
    ['team', 5],
    [undefined, 30],
  ] as const);
  if (ownerKey) tags[ownerKey] = ownerValue(rnd);
  const envKey = rnd.weighted([
    ['env', 40],
    ['Env', 10],
    ['ENV', 5],
    ['environment', 10],
    ['Environment', 10],
    [undefined, 25],
  ] as const);
  if (envKey) tags[envKey] = rnd.weighted(ENV_VALUES);
  const costKey = rnd.weighted([
    ['cost-center', 30],
    ['CostCenter', 10],
    ['costcenter', 10],
    ['cost_center', 10],
    [undefined, 40],
  ] as const);
  if (costKey) {
    const n = Math.floor(rnd.next() * 10000);
    tags[costKey] = rnd.weighted([
      [`cc-${String(n).padStart(4, '0')}`, 50],
      [`CC-${String(n).padStart(4, '0')}`, 15],
      [String(n), 15],
      [`cc${n}`, 10],
      ['finance', 10],
    ] as const);
  }
  if (rnd.next() < 0.5) tags.app = `app-${Math.floor(rnd.next() * 300)}`;
  if (rnd.next() < 0.2) {
    tags['created-by'] = `user-${Math.floor(rnd.next() * USERS)}@example.com`;
  }
  if (rnd.next() < 0.3) {
    tags[rnd.pick(['department', 'Department'])] = rnd.pick([
      'finance',
      'engineering',
      'Engineering',
      'sales',
      'R&D',
    ]);
  }
  if (rnd.next() < 0.2) {
    tags.criticality = rnd.pick(['low', 'medium', 'high', 'High', 'critical']);
  }
  if (rnd.next() < 0.1) tags['ms-resource-usage'] = 'azure-cloud-shell';
  return tags;
}

/** `count` varied policies: the twenty an organisation starts with, then more value lists. */
function policies(count: number, subscriptionIds: string[]): TagPolicy[] {
  const at = '2026-12-01T00:00:00.000Z';
  const base: Array<
    Omit<TagPolicy, 'id' | 'source' | 'createdAt' | 'updatedAt'>
  > = [
    {
      name: 'Owner is a catalog team or user',
      key: 'owner',
      aliases: ['owned-by', 'team'],
      required: true,
      values: { kind: 'catalog-entity' },
      inherit: 'resource-group',
    },
    {
      name: 'Environment',
      key: 'env',
      aliases: ['environment'],
      required: true,
      values: { kind: 'list', values: ['prod', 'dev', 'test', 'staging'] },
      inherit: 'resource-group-then-subscription',
    },
    {
      name: 'Cost centre format',
      key: 'cost-center',
      aliases: ['costcenter', 'cost_center'],
      values: { kind: 'pattern', pattern: 'cc-[0-9]{4}' },
    },
    {
      name: 'Production has a cost centre',
      key: 'cost-center',
      aliases: ['costcenter', 'cost_center'],
      required: true,
      scope: { resourceGroupPattern: 'rg-prod-*' },
    },
    {
      name: 'Apps name their application',
      key: 'app',
      required: true,
      scope: {
        resourceTypes: [
          'Microsoft.Web/sites',
          'Microsoft.ContainerService/managedClusters',
        ],
      },
    },
    {
      name: 'Data is classified',
      key: 'data-classification',
      required: true,
      values: { kind: 'list', values: ['public', 'internal', 'confidential'] },
      scope: {
        resourceTypes: [
          'Microsoft.Sql/servers',
          'Microsoft.Storage/storageAccounts',
        ],
      },
    },
    {
      name: 'VM backup plan',
      key: 'backup',
      required: true,
      values: { kind: 'list', values: ['daily', 'weekly', 'none'] },
      scope: { resourceTypes: ['Microsoft.Compute/virtualMachines'] },
    },
    {
      name: 'Project slug',
      key: 'project',
      values: { kind: 'pattern', pattern: '[a-z][a-z0-9-]{2,30}' },
    },
    {
      name: 'Department',
      key: 'department',
      values: {
        kind: 'list',
        values: ['finance', 'engineering', 'sales', 'marketing'],
      },
      inherit: 'subscription',
    },
    {
      name: 'Created by a user',
      key: 'created-by',
      values: { kind: 'catalog-entity', entityKinds: ['user'] },
    },
    {
      name: 'Dev resources expire',
      key: 'expires',
      required: true,
      values: { kind: 'pattern', pattern: '[0-9]{4}-[0-9]{2}-[0-9]{2}' },
      scope: { resourceGroupPattern: 'rg-dev-*' },
    },
    {
      name: 'Criticality, exactly',
      key: 'criticality',
      values: {
        kind: 'list',
        values: ['low', 'medium', 'high'],
        caseSensitive: true,
      },
    },
    {
      name: 'Regulated workloads',
      key: 'compliance',
      required: true,
      values: { kind: 'list', values: ['pci', 'hipaa', 'none'] },
      scope: {
        subscriptionIds: subscriptionIds.slice(
          0,
          Math.max(1, Math.floor(subscriptionIds.length / 2)),
        ),
      },
    },
    { name: 'Service named', key: 'service', required: false },
    {
      name: 'Contact is an address',
      key: 'contact',
      values: { kind: 'pattern', pattern: '[^@ ]+@example\\.com' },
    },
    {
      name: 'Support tier',
      key: 'tier',
      values: { kind: 'list', values: ['gold', 'silver', 'bronze'] },
      scope: {
        resourceTypes: ['Microsoft.Sql/servers', 'Microsoft.Web/sites'],
        resourceGroupPattern: 'rg-prod-*',
      },
    },
    {
      name: 'Region code',
      key: 'region-code',
      values: { kind: 'pattern', pattern: '[a-z]{2}-[a-z]+-[0-9]' },
    },
    {
      name: 'Budget code in shared groups',
      key: 'budget-code',
      required: true,
      values: { kind: 'pattern', pattern: 'BC[0-9]{5}' },
      scope: { resourceGroupPattern: 'rg-shared-?' },
    },
    {
      name: 'SLA',
      key: 'sla',
      values: { kind: 'list', values: ['99.9', '99.95', '99.99'] },
    },
    {
      name: 'Team channel',
      key: 'channel',
      values: { kind: 'pattern', pattern: '#[a-z0-9-]+' },
    },
  ];
  return Array.from({ length: count }, (_, n) => {
    const policy =
      n < base.length
        ? base[n]
        : {
            name: `Label ${n}`,
            key: `label-${n}`,
            values: { kind: 'list' as const, values: ['a', 'b', 'c'] },
          };
    return {
      ...policy,
      id: `bench-${n}`,
      source: 'portal' as const,
      createdAt: at,
      updatedAt: at,
    };
  });
}

function resourceGroupName(n: number): string {
  const kind = ['prod', 'dev', 'test', 'shared'][n % 4];
  return `rg-${kind}-${n}`;
}

/** Stops the process, its database dropped, if the run takes longer than `minutes`. */
function deadline(
  minutes: number,
  database: () => BenchDatabaseHandle | undefined,
) {
  const timer = setTimeout(async () => {
    process.stderr.write(
      `bench:compliance stopped: it took longer than ${minutes} minutes (--max-minutes)\n`,
    );
    const handle = database();
    await Promise.race([
      handle?.drop().catch(() => {}),
      new Promise(resolve => setTimeout(resolve, 10_000)),
    ]);
    process.exit(2);
  }, minutes * 60_000);
  timer.unref();
  return () => clearTimeout(timer);
}

const runFigures = (run: TagComplianceRun) => ({
  ms: run.durationMs,
  mode: run.mode,
  evaluated: run.evaluated,
  changed: run.changed,
  removed: run.removed,
  touched: run.touched,
  phasesMs: run.phasesMs,
  rowsPerSecond: Math.round(
    run.evaluated / Math.max(run.durationMs / 1000, 0.001),
  ),
});

/** The phases that took time, e.g. `read 120 ms, evaluate 80 ms`. */
const phaseLine = (run: TagComplianceRun) =>
  Object.entries(run.phasesMs)
    .filter(([, ms]) => ms > 0)
    .map(([phase, ms]) => `${phase} ${ms}`)
    .join(', ') + ' (ms)';

export async function main(args: string[]) {
  const options = parseOptions(args);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-compliance-'));
  let database: BenchDatabaseHandle | undefined;
  const stopDeadline = deadline(options.maxMinutes, () => database);
  try {
    database = await openDatabase(options.database, dir);
    const { knex } = database;
    await migrateDatabase(knex);
    const resources = new DatabaseResourceStore(knex);
    const compliance = new DatabaseComplianceStore(knex);
    const rnd = random(14);

    const subscriptionIds = Array.from(
      { length: options.subscriptions },
      (_, n) => guid(n + 1),
    );
    // One subscription keeps its tags read-only, one keeps none (its resources are unknown), the rest read and write.
    const subscriptions = subscriptionIds.map(
      (subscriptionId, n): AzureSubscription =>
        ({
          subscriptionId,
          tenantId: TENANT_ID,
          displayName: `Bench ${n}`,
          syncMode:
            n === 1 ? 'read-tags' : n === 2 ? 'no-tags' : 'read-write-tags',
          source: 'config',
          roleStatus: 'granted',
          grantedRoles: ['Reader'],
          ...(n % 3 === 0
            ? { tags: { env: 'prod', department: 'engineering' } }
            : {}),
        } as AzureSubscription),
    );
    const groupsOf = (subscriptionIndex: number) =>
      Array.from({ length: RESOURCE_GROUPS_PER_SUBSCRIPTION }, (_, g) => {
        const name = resourceGroupName(g);
        // A third of the groups carry an owner, some an env, for inheritance to find.
        const tags: Record<string, string> = {};
        if ((g + subscriptionIndex) % 3 === 0) {
          tags.owner = `squad-${(g + subscriptionIndex) % TEAMS}`;
        }
        if (g % 4 === 0) tags.env = 'prod';
        if (g % 4 === 1) tags.Environment = 'Dev';
        return { name, tags };
      });

    let made = 0;
    const resourceOf = (
      subscriptionIndex: number,
      n: number,
    ): SyncedResource => {
      const subscriptionId = subscriptionIds[subscriptionIndex];
      const group = resourceGroupName(n % RESOURCE_GROUPS_PER_SUBSCRIPTION);
      const type = TYPES[n % TYPES.length];
      const name = `res-${n}`;
      const resourceId = `/subscriptions/${subscriptionId}/resourceGroups/${group}/providers/${type}/${name}`;
      const tags =
        subscriptions[subscriptionIndex].syncMode === 'no-tags'
          ? undefined
          : messyTags(rnd);
      made++;
      return {
        key: resourceId.toLowerCase(),
        resourceId,
        subscriptionId,
        tenantId: TENANT_ID,
        resourceGroup: group,
        name,
        type,
        location: 'westeurope',
        ...(tags ? { tags } : {}),
        contentHash: `bench-${made}`,
      };
    };

    const write = async (
      subscriptionIndex: number,
      upserts: SyncedResource[],
      withGroups: boolean,
    ) => {
      const at = new Date();
      await resources.applySync({
        subscriptionId: subscriptionIds[subscriptionIndex],
        upserts,
        removedKeys: [],
        ...(withGroups ? { resourceGroups: groupsOf(subscriptionIndex) } : {}),
        purgePortalTags: false,
        resourceCount: upserts.length,
        startedAt: at,
        finishedAt: at,
      });
    };

    // Seeding, not timed as an evaluation: the resources as the sync would have written them.
    const loadAtStart = os.loadavg().map(l => Number(l.toFixed(2)));
    let started = Date.now();
    const perSubscription = subscriptionIds.map(
      (_, s) =>
        Math.floor(options.resources / subscriptionIds.length) +
        (s < options.resources % subscriptionIds.length ? 1 : 0),
    );
    const stored: SyncedResource[][] = subscriptionIds.map(() => []);
    for (let s = 0; s < subscriptionIds.length; s++) {
      for (let from = 0; from < perSubscription[s]; from += WRITE_BATCH) {
        const batch = Array.from(
          { length: Math.min(WRITE_BATCH, perSubscription[s] - from) },
          (_, i) => resourceOf(s, from + i),
        );
        stored[s].push(...batch);
        await write(s, batch, from === 0);
      }
    }
    const seedMs = Date.now() - started;

    const policyList = policies(options.policies, subscriptionIds);
    const owners = ownerDirectory();
    const evaluator = new TagComplianceEvaluator({
      store: compliance,
      resources,
      subscriptions: { listSubscriptions: async () => subscriptions },
      policies: { listPolicies: async () => policyList },
      loadOwners: async () => owners,
      logger: quietLogger,
    });

    // (a) Everything, as after a policy change.
    const full = await evaluator.evaluate({ full: true });
    // The full run touched every resource whose result is new, so that the catalog feed carries it; the next run
    // reads those touches back only if something else was written while they were made. Timed apart, so that (b)
    // measures what a resource sync's changes cost once the evaluation has settled.
    const settle = await evaluator.evaluate();

    // (b) 1% of the resources change their tags (a fix, a new spelling, a removed tag), as a resource sync writes them.
    started = Date.now();
    let changedResources = 0;
    const step = Math.max(1, Math.round(1 / CHANGED_SHARE));
    for (let s = 0; s < subscriptionIds.length; s++) {
      const changes = stored[s]
        .filter((_, i) => (i + s) % step === 0)
        .map(resource => {
          made++;
          const tags = { ...(resource.tags ?? {}) };
          if (made % 3 === 0) {
            delete tags.Owner;
            tags.owner = `squad-${made % TEAMS}`;
          } else if (made % 3 === 1) {
            tags.env = rnd.weighted(ENV_VALUES);
          } else {
            delete tags.app;
            tags['cost-center'] = `cc-${String(made % 10000).padStart(4, '0')}`;
          }
          return {
            ...resource,
            ...(subscriptions[s].syncMode === 'no-tags' ? {} : { tags }),
            contentHash: `bench-${made}`,
          };
        });
      changedResources += changes.length;
      for (let from = 0; from < changes.length; from += WRITE_BATCH) {
        await write(s, changes.slice(from, from + WRITE_BATCH), false);
      }
    }
    const changeWriteMs = Date.now() - started;
    const incremental = await evaluator.evaluate();

    const counts: Array<{ status: string; n: number | string }> = await knex(
      'tag_compliance',
    )
      .select('status')
      .count({ n: '*' })
      .groupBy('status');
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const figures = {
      machine: machineDescription(),
      loadAverageAtStart: loadAtStart,
      loadAverage: os.loadavg().map(l => Number(l.toFixed(2))),
      database: options.database,
      resources: options.resources,
      subscriptions: subscriptionIds.length,
      resourceGroups: subscriptionIds.length * RESOURCE_GROUPS_PER_SUBSCRIPTION,
      policies: options.policies,
      seedMs,
      full: runFigures(full),
      settle: runFigures(settle),
      incremental: {
        ...runFigures(incremental),
        changedResources,
        changeWriteMs,
      },
      incrementalShareOfFull: Number(
        (incremental.durationMs / Math.max(full.durationMs, 1)).toFixed(4),
      ),
      statuses: Object.fromEntries(counts.map(c => [c.status, Number(c.n)])),
      peakRssMb,
      databaseBytes: await database.sizeBytes(),
    };
    process.stdout.write(
      [
        `bench:compliance on ${figures.machine}, ${options.database}: ${options.resources} resources in ${subscriptionIds.length} subscriptions, ${options.policies} policies`,
        `full evaluation:        ${full.durationMs} ms, ${figures.full.rowsPerSecond} resources/s (${full.changed} results written, ${full.touched} touched)`,
        `next run, no change:    ${settle.durationMs} ms, ${settle.evaluated} evaluated (the full run's touches read back only after another write), ${settle.touched} touched`,
        `1% incremental:         ${incremental.durationMs} ms for ${changedResources} changed resources, ${incremental.evaluated} evaluated, ${figures.incremental.rowsPerSecond} resources/s`,
        `full, per phase:        ${phaseLine(full)}`,
        `next run, per phase:    ${phaseLine(settle)}`,
        `1% incr., per phase:    ${phaseLine(incremental)}`,
        `incremental / full:     ${(
          figures.incrementalShareOfFull * 100
        ).toFixed(2)}%`,
        `statuses:               ${JSON.stringify(figures.statuses)}`,
        `peak RSS:               ${peakRssMb} MB; load average ${loadAtStart.join(
          ' ',
        )} at the start, ${figures.loadAverage.join(' ')} at the end`,
        JSON.stringify(figures),
        '',
      ].join('\n'),
    );
  } finally {
    stopDeadline();
    await database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
