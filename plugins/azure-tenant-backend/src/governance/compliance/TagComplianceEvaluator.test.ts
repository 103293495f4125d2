import { TestDatabases } from '@backstage/backend-test-utils';
import {
  AzureSubscription,
  SyncMode,
  TagPolicy,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../../__testUtils__/releaseTestDatabase';
import { DatabaseResourceStore } from '../../database/DatabaseResourceStore';
import { migrateDatabase } from '../../database/migrations';
import { SyncedResource } from '../../database/ResourceStore';
import { tagPolicy } from '../__testUtils__/tagPolicyRulesFixture';
import { DatabaseComplianceStore } from './DatabaseComplianceStore';
import { TagComplianceEvaluator } from './TagComplianceEvaluator';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const TENANT = '7d3c2b1a-0000-4000-8000-000000000001';
const SUBS = [
  '00000000-0000-0000-0000-00000000000a',
  '00000000-0000-0000-0000-00000000000b',
  '00000000-0000-0000-0000-00000000000c',
];
const MODES: SyncMode[] = ['read-write-tags', 'read-tags', 'no-tags'];
const GROUPS = ['rg-web', 'rg-data', 'rg-ops'];
const TEAMS = [
  'platform',
  'team-web',
  'Data Team',
  'nobody',
  'jane@example.com',
];

const owners = AzureOwnerDirectory.fromEntities([
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'platform' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'web' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'data', title: 'Data Team' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'jane' },
    spec: { profile: { email: 'jane@example.com' } },
  },
]);

const POLICIES: TagPolicy[] = [
  tagPolicy({
    key: 'owner',
    required: true,
    values: { kind: 'catalog-entity' },
    inherit: 'resource-group',
  }),
  tagPolicy({
    key: 'env',
    aliases: ['environment'],
    required: true,
    values: { kind: 'list', values: ['prod', 'dev'] },
    inherit: 'resource-group-then-subscription',
  }),
  tagPolicy({
    key: 'cost-center',
    values: { kind: 'pattern', pattern: 'cc-[0-9]{3}' },
    scope: { resourceGroupPattern: 'rg-d*' },
  }),
];

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  return {
    next,
    pick: <T>(items: T[]): T => items[Math.floor(next() * items.length)],
  };
}

type Random = ReturnType<typeof random>;

function randomTags(rnd: Random): Record<string, string> | undefined {
  if (rnd.next() < 0.15) return undefined;
  const tags: Record<string, string> = {};
  if (rnd.next() < 0.6)
    tags[rnd.pick(['owner', 'Owner', 'OWNER'])] = rnd.pick(TEAMS);
  if (rnd.next() < 0.6)
    tags[rnd.pick(['env', 'Env', 'environment'])] = rnd.pick([
      'prod',
      'Prod',
      'dev',
      'test',
    ]);
  if (rnd.next() < 0.4)
    tags['cost-center'] = rnd.pick(['cc-123', 'cc-9', 'finance']);
  return tags;
}

let hashes = 0;

function resource(
  subscriptionId: string,
  group: string,
  name: string,
  tags: Record<string, string> | undefined,
): SyncedResource {
  const resourceId = `/subscriptions/${subscriptionId}/resourceGroups/${group}/providers/Microsoft.Web/sites/${name}`;
  hashes += 1;
  return {
    key: resourceId.toLowerCase(),
    resourceId,
    subscriptionId,
    tenantId: TENANT,
    resourceGroup: group,
    name,
    type: 'Microsoft.Web/sites',
    ...(tags ? { tags } : {}),
    contentHash: `hash-${hashes}`,
  };
}

describe.each(databases.eachSupportedId())(
  'TagComplianceEvaluator (%s)',
  databaseId => {
    let knex: Knex;
    let resources: DatabaseResourceStore;
    let compliance: DatabaseComplianceStore;
    let subscriptions: AzureSubscription[];
    let policies: TagPolicy[];
    let evaluator: TagComplianceEvaluator;
    let announced: Array<{ subscriptionId: string; revision: number }>;
    /** Stored resources by subscription, as the sync last wrote them. */
    let stored: Map<string, Map<string, SyncedResource>>;
    let groupTags: Map<string, Record<string, Record<string, string>>>;

    const sync = async (
      subscriptionId: string,
      upserts: SyncedResource[],
      removedKeys: string[] = [],
    ) => {
      const at = new Date();
      await resources.applySync({
        subscriptionId,
        upserts,
        removedKeys,
        resourceGroups: GROUPS.map(name => ({
          name,
          tags: groupTags.get(subscriptionId)![name],
        })),
        purgePortalTags: false,
        resourceCount: 0,
        startedAt: at,
        finishedAt: at,
      });
      const map = stored.get(subscriptionId)!;
      for (const upsert of upserts) map.set(upsert.key, upsert);
      for (const key of removedKeys) map.delete(key);
    };

    /** Every stored result but its time, by key. */
    const results = async () =>
      (await knex('tag_compliance').orderBy('resource_key')).map(
        ({ evaluated_at: _at, ...row }) => row,
      );

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await migrateDatabase(knex);
      resources = new DatabaseResourceStore(knex);
      compliance = new DatabaseComplianceStore(knex);
      policies = POLICIES;
      announced = [];
      subscriptions = SUBS.map((subscriptionId, i) => ({
        subscriptionId,
        tenantId: TENANT,
        displayName: `Subscription ${i}`,
        syncMode: MODES[i],
        ...(i === 0 ? { tags: { env: 'prod' } } : {}),
      })) as AzureSubscription[];
      evaluator = new TagComplianceEvaluator({
        store: compliance,
        resources,
        subscriptions: { listSubscriptions: async () => subscriptions },
        policies: { listPolicies: async () => policies },
        loadOwners: async () => owners,
        announce: async changes => {
          announced.push(...changes);
        },
        pageSize: 7,
      });
      stored = new Map(SUBS.map(id => [id, new Map()]));
      groupTags = new Map(
        SUBS.map(id => [
          id,
          { 'rg-web': { owner: 'web' }, 'rg-data': {}, 'rg-ops': {} },
        ]),
      );
    });
    afterEach(() => releaseTestDatabase(knex));

    it('judges each resource by its effective tags, its inheritance and its sync mode', async () => {
      const a = SUBS[0];
      await sync(a, [
        resource(a, 'rg-web', 'shop', { Env: 'test' }),
        resource(a, 'rg-data', 'lake', {
          owner: 'Data Team',
          env: 'dev',
          'cost-center': 'x',
        }),
        resource(a, 'rg-ops', 'bare', undefined),
      ]);
      await sync(SUBS[2], [resource(SUBS[2], 'rg-ops', 'hidden', undefined)]);
      await resources.writePortalTags(
        `/subscriptions/${a}/resourceGroups/rg-ops/providers/Microsoft.Web/sites/bare`,
        { owner: 'jane', env: 'prod' },
      );

      const run = await evaluator.evaluate();
      expect(run).toMatchObject({ mode: 'full', evaluated: 4, changed: 4 });
      const found = await compliance.listCompliance({ limit: 10 });
      const byName = new Map(found.items.map(item => [item.name, item]));
      expect(byName.get('shop')?.violations.map(v => [v.key, v.code])).toEqual([
        ['owner', 'not-inherited'],
        ['env', 'non-canonical-key'],
        ['env', 'value-not-allowed'],
      ]);
      expect(byName.get('lake')).toMatchObject({
        status: 'non-compliant',
        ownerRef: 'group:default/data',
      });
      expect(byName.get('lake')?.violations.map(v => v.code)).toEqual([
        'value-pattern-mismatch',
      ]);
      // Portal-only tags count: they are what the portal shows.
      expect(byName.get('bare')).toMatchObject({
        status: 'compliant',
        ownerRef: 'user:default/jane',
        violations: [],
      });
      expect(byName.get('hidden')).toMatchObject({
        status: 'unknown',
        violations: [],
      });
      expect(byName.get('hidden')?.ownerRef).toBeUndefined();
    });

    it('touches the resources whose compliance changed, announces them, and then converges', async () => {
      const a = SUBS[0];
      const shop = resource(a, 'rg-web', 'shop', { owner: 'web', env: 'prod' });
      await sync(a, [shop, resource(a, 'rg-ops', 'api', { env: 'dev' })]);
      const before = (await resources.listResources({ limit: 10 })).items;
      await evaluator.evaluate();
      const after = (await resources.listResources({ limit: 10 })).items;
      // Same content, newer revisions: the catalog reads them again, with their compliance.
      expect(after.map(({ revision: _r, ...r }) => r)).toEqual(
        before.map(({ revision: _r, ...r }) => r),
      );
      for (const [i, record] of after.entries()) {
        expect(record.revision).toBeGreaterThan(before[i].revision);
      }
      expect(announced).toEqual([
        {
          subscriptionId: a,
          revision: Math.max(...after.map(r => r.revision)),
        },
      ]);

      // Nothing but its own touches was written since: the next run does not read them back.
      expect(await evaluator.evaluate()).toMatchObject({
        mode: 'incremental',
        evaluated: 0,
        changed: 0,
        touched: 0,
      });

      // A change of what the catalog does not show (the message) is stored but touches nothing.
      policies = POLICIES.map(p => ({ ...p, name: `${p.name}!` }));
      const renamed = await evaluator.evaluate();
      expect(renamed).toMatchObject({ mode: 'full', changed: 1, touched: 0 });
    });

    it('reads its touches back when another writer wrote while it touched', async () => {
      const a = SUBS[0];
      const shop = resource(a, 'rg-web', 'shop', { owner: 'web', env: 'prod' });
      const api = resource(a, 'rg-ops', 'api', { env: 'dev' });
      await sync(a, [shop, api]);
      // Each kind of write a sync can make while the run touches: a resource it touches, another one, a removal.
      const sneaks: Array<() => Promise<void>> = [
        () => sync(a, [{ ...shop, tags: { owner: 'nobody', env: 'prod' } }]),
        () => sync(a, [resource(a, 'rg-data', 'lake', { env: 'dev' })]),
        () => sync(a, [], [shop.key]),
      ];
      for (const [i, sneak] of sneaks.entries()) {
        // A new policy changes every result, so that the run touches every resource.
        policies = [
          ...policies,
          tagPolicy({ id: `p-${i}`, key: 'app', required: true }),
        ];
        const listed = policies;
        const registered = subscriptions;
        const touchResources = resources.touchResources.bind(resources);
        let sneaked = false;
        const racing = new TagComplianceEvaluator({
          store: compliance,
          resources: Object.assign(Object.create(resources), {
            touchResources: async (keys: string[]) => {
              const touched = await touchResources(keys.slice(0, 1));
              if (!sneaked) {
                sneaked = true;
                await sneak();
              }
              return [...touched, ...(await touchResources(keys.slice(1)))];
            },
          }),
          subscriptions: { listSubscriptions: async () => registered },
          policies: { listPolicies: async () => listed },
          loadOwners: async () => owners,
        });
        expect(await racing.evaluate()).toMatchObject({ mode: 'full' });
        expect(sneaked).toBe(true);
        const next = await evaluator.evaluate();
        expect(next.mode).toBe('incremental');
        expect(next.evaluated + next.removed).toBeGreaterThan(0);
        const afterIncremental = await results();
        expect(await evaluator.evaluate({ full: true })).toMatchObject({
          changed: 0,
          removed: 0,
        });
        expect(await results()).toEqual(afterIncremental);
      }
    });

    it('keeps the day’s figures by deltas between counts afresh, equal to a count afresh', async () => {
      const rnd = random(databaseId.length * 104729);
      let n = 0;
      const newName = () => `app-${n++}`;
      for (const subscriptionId of SUBS) {
        await sync(
          subscriptionId,
          Array.from({ length: 20 }, () =>
            resource(
              subscriptionId,
              rnd.pick(GROUPS),
              newName(),
              randomTags(rnd),
            ),
          ),
        );
      }
      // One day throughout: the first run of a day counts afresh.
      const at = new Date();
      const sameDay = new TagComplianceEvaluator({
        store: compliance,
        resources,
        subscriptions: { listSubscriptions: async () => subscriptions },
        policies: { listPolicies: async () => policies },
        loadOwners: async () => owners,
        now: () => at,
      });
      await sameDay.evaluate();
      const counted = jest.spyOn(compliance, 'recordDay');
      /** Today's figures as stored, by scope. */
      const figures = async () =>
        (
          await knex('tag_compliance_daily').orderBy([
            'day',
            'scope_kind',
            'scope_key',
          ])
        ).map(row => ({
          ...row,
          resources: Number(row.resources),
          compliant: Number(row.compliant),
          non_compliant: Number(row.non_compliant),
          unknown: Number(row.unknown),
          by_policy: JSON.parse(row.by_policy),
        }));
      for (let round = 0; round < 4; round++) {
        for (const subscriptionId of SUBS) {
          const current = [...stored.get(subscriptionId)!.values()];
          await sync(
            subscriptionId,
            [
              ...current
                .filter(() => rnd.next() < 0.3)
                .map(r =>
                  resource(
                    subscriptionId,
                    r.resourceGroup,
                    r.name,
                    randomTags(rnd),
                  ),
                ),
              resource(
                subscriptionId,
                rnd.pick(GROUPS),
                newName(),
                randomTags(rnd),
              ),
            ],
            current.filter(() => rnd.next() < 0.1).map(r => r.key),
          );
        }
        if (round === 1) {
          // A resource group's owner: every resource of the subscription is evaluated again.
          groupTags.get(SUBS[0])!['rg-data'] = { owner: 'platform' };
        }
        expect(await sameDay.evaluate()).toMatchObject({
          mode: 'incremental',
        });
        const kept = await figures();
        expect(counted).not.toHaveBeenCalled();
        await compliance.recordDay(at);
        expect(kept).toEqual(await figures());
        counted.mockClear();
      }
    });

    it('evaluates incrementally to the same results as a full evaluation, whatever changed', async () => {
      const rnd = random(databaseId.length * 7919);
      let n = 0;
      for (const subscriptionId of SUBS) {
        const batch: SyncedResource[] = [];
        for (let i = 0; i < 25; i++) {
          batch.push(
            resource(
              subscriptionId,
              rnd.pick(GROUPS),
              `app-${n++}`,
              randomTags(rnd),
            ),
          );
        }
        await sync(subscriptionId, batch);
      }
      expect((await evaluator.evaluate()).mode).toBe('full');

      for (let round = 0; round < 5; round++) {
        for (const subscriptionId of SUBS) {
          const current = [...stored.get(subscriptionId)!.values()];
          const edited = current
            .filter(() => rnd.next() < 0.2)
            .map(r =>
              resource(
                subscriptionId,
                r.resourceGroup,
                r.name,
                randomTags(rnd),
              ),
            );
          const added: SyncedResource[] = [];
          for (let i = 0; i < 3; i++) {
            added.push(
              resource(
                subscriptionId,
                rnd.pick(GROUPS),
                `app-${n++}`,
                randomTags(rnd),
              ),
            );
          }
          const removed = current
            .filter(r => rnd.next() < 0.1 && !edited.some(e => e.key === r.key))
            .map(r => r.key);
          if (rnd.next() < 0.5) {
            // A resource group's tag changes: what its resources inherit changes, none of them does.
            groupTags.get(subscriptionId)![rnd.pick(GROUPS)] = rnd.pick<
              Record<string, string>
            >([
              { owner: 'platform' },
              { env: 'dev' },
              {},
              { Owner: 'nobody', env: 'prod' },
            ]);
          }
          await sync(subscriptionId, [...edited, ...added], removed);
        }
        const someone = rnd.pick([...stored.get(SUBS[1])!.values()]);
        await resources.writePortalTags(someone.resourceId, {
          owner: rnd.pick(TEAMS),
        });
        if (round === 2) {
          subscriptions[0] = { ...subscriptions[0], tags: { env: 'dev' } };
          subscriptions[1] = { ...subscriptions[1], syncMode: 'no-tags' };
        }
        if (round === 3) {
          subscriptions[1] = { ...subscriptions[1], syncMode: 'read-tags' };
        }

        const incremental = await evaluator.evaluate();
        expect(incremental.mode).toBe('incremental');
        const afterIncremental = await results();
        const full = await evaluator.evaluate({ full: true });
        expect(full).toMatchObject({ mode: 'full', changed: 0, removed: 0 });
        expect(await results()).toEqual(afterIncremental);
        // Every stored resource has a result, and only they.
        const storedKeys: string[] = [];
        for (const keys of stored.values()) storedKeys.push(...keys.keys());
        expect(afterIncremental.map(row => row.resource_key)).toEqual(
          storedKeys.sort(),
        );
      }

      // A policy change evaluates everything.
      policies = [...POLICIES.slice(1)];
      const afterPolicyChange = await evaluator.evaluate();
      expect(afterPolicyChange.mode).toBe('full');
      expect(
        (
          await compliance.listCompliance({
            limit: 1,
            policyId: 'policy-owner',
          })
        ).items,
      ).toEqual([]);
    });

    it('keeps the day’s figures after each run', async () => {
      const a = SUBS[0];
      await sync(a, [
        resource(a, 'rg-web', 'shop', { owner: 'web', env: 'prod' }),
        resource(a, 'rg-ops', 'api', { owner: 'nobody', env: 'prod' }),
      ]);
      await evaluator.evaluate();
      const summary = await compliance.summary({ kind: 'all' }, 7);
      expect(summary.history).toHaveLength(1);
      expect(summary.history[0]).toMatchObject({
        resources: 2,
        compliant: 1,
        nonCompliant: 1,
        byPolicy: { 'policy-owner': 1 },
      });
      const teams = await compliance.teams(7);
      expect(teams.teams.map(t => t.ownerRef)).toEqual(['group:default/web']);
      expect(teams.unowned).toMatchObject({ resources: 1, nonCompliant: 1 });
    });
  },
);
