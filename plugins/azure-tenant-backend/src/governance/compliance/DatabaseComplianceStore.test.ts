import { TestDatabases } from '@backstage/backend-test-utils';
import { TagViolation } from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../../__testUtils__/releaseTestDatabase';
import { migrateDatabase } from '../../database/migrations';
import {
  complianceSignature,
  DatabaseComplianceStore,
  EvaluatedCompliance,
} from './DatabaseComplianceStore';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const SUB_A = '00000000-0000-0000-0000-00000000000a';
const SUB_B = '00000000-0000-0000-0000-00000000000b';
const SUB_C = '00000000-0000-0000-0000-00000000000c';

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

function violation(
  policyId: string,
  key: string,
  code: TagViolation['code'],
): TagViolation {
  return {
    policyId,
    policyName: `Policy ${policyId}`,
    key,
    code,
    message: `The tag '${key}' breaks ${policyId}.`,
  };
}

function result(
  subscriptionId: string,
  name: string,
  options: Partial<EvaluatedCompliance> = {},
): EvaluatedCompliance {
  const resourceId = `/subscriptions/${subscriptionId}/resourceGroups/rg-web/providers/Microsoft.Web/sites/${name}`;
  const violations = options.violations ?? [];
  return {
    key: resourceId.toLowerCase(),
    resourceId,
    subscriptionId,
    resourceGroup: 'rg-web',
    type: 'Microsoft.Web/sites',
    name,
    status: violations.length > 0 ? 'non-compliant' : 'compliant',
    violations,
    ...options,
  };
}

const WEB_1 = result(SUB_A, 'web-1', { ownerRef: 'group:default/web' });
const WEB_2 = result(SUB_A, 'web-2', {
  ownerRef: 'group:default/web',
  violations: [
    violation('env', 'env', 'non-canonical-key'),
    violation('env', 'env', 'value-not-allowed'),
    violation('cost', 'cost-center', 'missing'),
  ],
});
const WEB_3 = result(SUB_A, 'web-3', {
  violations: [violation('owner', 'owner', 'missing')],
});
const OPS_1 = result(SUB_B, 'ops-1', { status: 'unknown' });
const OPS_2 = result(SUB_B, 'ops-2', {
  ownerRef: 'group:default/ops',
  violations: [violation('env', 'env', 'missing')],
});
const ALL = [WEB_1, WEB_2, WEB_3, OPS_1, OPS_2];

describe.each(databases.eachSupportedId())(
  'DatabaseComplianceStore (%s)',
  databaseId => {
    let knex: Knex;
    let now: Date;
    let store: DatabaseComplianceStore;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await migrateDatabase(knex);
      now = new Date('2026-12-05T10:00:00Z');
      store = new DatabaseComplianceStore(knex, () => now);
      await store.save(ALL, now);
    });
    afterEach(() => releaseTestDatabase(knex));

    const names = async (
      query: Parameters<DatabaseComplianceStore['listCompliance']>[0],
    ) => (await store.listCompliance(query)).items.map(item => item.name);

    it('returns what was saved, by key', async () => {
      const found = await store.getCompliance([WEB_2.key, 'unknown']);
      expect([...found.keys()]).toEqual([WEB_2.key]);
      expect(found.get(WEB_2.key)).toEqual({
        resourceId: WEB_2.resourceId,
        subscriptionId: SUB_A,
        resourceGroup: 'rg-web',
        type: 'Microsoft.Web/sites',
        name: 'web-2',
        ownerRef: 'group:default/web',
        status: 'non-compliant',
        violations: WEB_2.violations,
        evaluatedAt: now.toISOString(),
      });
    });

    it('lists by subscription, owner, status and policy, in key order, with paging', async () => {
      expect(await names({ limit: 10 })).toEqual([
        'web-1',
        'web-2',
        'web-3',
        'ops-1',
        'ops-2',
      ]);
      expect(await names({ limit: 10, subscriptionIds: [SUB_B] })).toEqual([
        'ops-1',
        'ops-2',
      ]);
      expect(await names({ limit: 10, ownerRef: 'Group:default/WEB' })).toEqual(
        ['web-1', 'web-2'],
      );
      expect(await names({ limit: 10, status: 'non-compliant' })).toEqual([
        'web-2',
        'web-3',
        'ops-2',
      ]);
      expect(await names({ limit: 10, policyId: 'env' })).toEqual([
        'web-2',
        'ops-2',
      ]);
      expect(await names({ limit: 10, policyId: 'nothing' })).toEqual([]);
      expect(
        await names({ limit: 10, resourceKeys: [OPS_1.key, WEB_1.key] }),
      ).toEqual(['web-1', 'ops-1']);
      expect(await names({ limit: 10, resourceKeys: [] })).toEqual([]);
      const first = await store.listCompliance({ limit: 2 });
      expect(first.hasMore).toBe(true);
      expect(
        await names({ limit: 10, afterKey: WEB_2.key.replace('web-2', '') }),
      ).toContain('web-2');
      expect(await names({ limit: 2, afterKey: WEB_2.key })).toEqual([
        'web-3',
        'ops-1',
      ]);
    });

    it('tells a changed result from an unchanged one by its signatures', async () => {
      const stored = await store.signaturesOf([WEB_2.key, WEB_3.key]);
      expect(stored.get(WEB_2.key)).toEqual(complianceSignature(WEB_2));
      const renamed = {
        ...WEB_2,
        violations: WEB_2.violations.map(v => ({ ...v, policyName: 'New' })),
      };
      // A new policy name changes the row, not what the catalog feed carries.
      expect(complianceSignature(renamed).row).not.toEqual(
        stored.get(WEB_2.key)!.row,
      );
      expect(complianceSignature(renamed).feed).toEqual(
        stored.get(WEB_2.key)!.feed,
      );
      const range = await store.signaturesInRange({
        afterKey: WEB_1.key,
        toKey: WEB_3.key,
      });
      expect([...range.keys()]).toEqual([WEB_2.key, WEB_3.key]);
    });

    it('replaces a result, marks results evaluated and removes them', async () => {
      const later = new Date('2026-12-05T11:00:00Z');
      await store.save(
        [{ ...WEB_3, status: 'compliant', violations: [] }],
        later,
      );
      await store.markEvaluated(later, [WEB_1.key]);
      await store.remove([OPS_1.key]);
      const found = await store.getCompliance(ALL.map(r => r.key));
      expect(found.get(WEB_3.key)).toMatchObject({
        status: 'compliant',
        violations: [],
        evaluatedAt: later.toISOString(),
      });
      expect(found.get(WEB_1.key)?.evaluatedAt).toBe(later.toISOString());
      expect(found.get(WEB_2.key)?.evaluatedAt).toBe(now.toISOString());
      expect(found.has(OPS_1.key)).toBe(false);
      await store.markEvaluated(later);
      const all = await store.getCompliance(ALL.map(r => r.key));
      expect(
        [...all.values()].every(c => c.evaluatedAt === later.toISOString()),
      ).toBe(true);
    });

    it('keeps the evaluation state', async () => {
      expect(await store.readState()).toEqual({
        cursor: 0,
        subscriptions: new Map(),
      });
      const state = {
        cursor: 42,
        global: 'abc',
        evaluatedAt: now.toISOString(),
        subscriptions: new Map([
          [SUB_A, 'a1'],
          [SUB_B, 'b1'],
        ]),
      };
      await store.saveState(state);
      expect(await store.readState()).toEqual(state);
      await store.saveState({
        ...state,
        subscriptions: new Map([[SUB_B, 'b2']]),
      });
      expect((await store.readState()).subscriptions).toEqual(
        new Map([[SUB_B, 'b2']]),
      );
    });

    it('lists the keys of the resources whose owner tag names nobody', async () => {
      expect(await store.unownedResourceKeys(SUB_A)).toEqual(
        new Set([WEB_3.key]),
      );
      // Unknown: its tags are not kept, so nobody can tell.
      expect(await store.unownedResourceKeys(SUB_B)).toEqual(new Set());
    });

    it('figures each scope now, and keeps the last figure of each day as history', async () => {
      expect(await store.summary({ kind: 'all' }, 30)).toEqual({
        scope: { kind: 'all' },
        current: {
          resources: 4,
          compliant: 1,
          nonCompliant: 3,
          unknown: 1,
          percent: 25,
          byPolicy: { env: 2, cost: 1, owner: 1 },
        },
        history: [],
      });
      const yesterday = new Date('2026-12-04T23:00:00Z');
      now = yesterday;
      await store.recordDay(yesterday);
      now = new Date('2026-12-05T10:00:00Z');
      await store.save(
        [{ ...WEB_2, violations: [], status: 'compliant' }],
        now,
      );
      await store.recordDay(now);
      await store.saveState({
        cursor: 1,
        evaluatedAt: now.toISOString(),
        subscriptions: new Map(),
      });
      // A second run the same day replaces the day's figure.
      await store.save(
        [{ ...WEB_3, violations: [], status: 'compliant' }],
        now,
      );
      await store.recordDay(now);

      const summary = await store.summary(
        { kind: 'subscription', subscriptionId: SUB_A.toUpperCase() },
        30,
      );
      expect(summary.current).toEqual({
        resources: 3,
        compliant: 3,
        nonCompliant: 0,
        unknown: 0,
        percent: 100,
        byPolicy: {},
      });
      expect(summary.evaluatedAt).toBe(now.toISOString());
      expect(
        summary.history.map(p => [p.day, p.compliant, p.byPolicy]),
      ).toEqual([
        ['2026-12-04', 1, { env: 1, cost: 1, owner: 1 }],
        ['2026-12-05', 3, {}],
      ]);
      expect(
        (await store.summary({ kind: 'all' }, 1)).history.map(p => p.day),
      ).toEqual(['2026-12-05']);

      const teams = await store.teams(30);
      expect(teams.teams.map(t => [t.ownerRef, t.current.compliant])).toEqual([
        ['group:default/ops', 0],
        ['group:default/web', 2],
      ]);
      expect(teams.teams[1].history.map(p => [p.day, p.percent])).toEqual([
        ['2026-12-04', 50],
        ['2026-12-05', 100],
      ]);
      expect(teams.teams[1].weekAgo).toBeUndefined();
      expect(teams.unowned).toMatchObject({ resources: 1, compliant: 1 });
      const ops = await store.summary(
        { kind: 'owner', ownerRef: 'group:default/ops' },
        30,
      );
      expect(ops.current).toMatchObject({
        resources: 1,
        nonCompliant: 1,
        percent: 0,
        byPolicy: { env: 1 },
      });
    });

    it('keeps a day’s figures by deltas equal to a count afresh, whatever is written or removed', async () => {
      const rnd = random(databaseId.length * 131);
      const upkeep = { day: '2026-12-05' };
      const owners = [
        undefined,
        'group:default/web',
        'group:default/ops',
        'user:default/jane',
      ];
      const policies = ['env', 'owner', 'cost'];
      /** Where each stored resource lives, by name. */
      const live = new Map(ALL.map(r => [r.name, r.subscriptionId]));
      const randomResult = (name: string): EvaluatedCompliance => {
        const subscriptionId =
          live.get(name) ?? rnd.pick([SUB_A, SUB_B, SUB_C]);
        live.set(name, subscriptionId);
        if (rnd.next() < 0.15) {
          return result(subscriptionId, name, { status: 'unknown' });
        }
        // Two violations of one policy count the resource once for it.
        const violations = policies
          .filter(() => rnd.next() < 0.35)
          .flatMap(id =>
            rnd.next() < 0.3
              ? [
                  violation(id, id, 'non-canonical-key'),
                  violation(id, id, 'value-not-allowed'),
                ]
              : [violation(id, id, 'missing')],
          );
        const ownerRef = rnd.pick(owners);
        return result(subscriptionId, name, {
          violations,
          ...(ownerRef ? { ownerRef } : {}),
        });
      };
      /** Today's figures as stored, by scope. */
      const dayFigures = async () =>
        Object.fromEntries(
          (await knex('tag_compliance_daily').where({ day: upkeep.day })).map(
            row => [
              `${row.scope_kind}:${row.scope_key}`,
              [
                Number(row.resources),
                Number(row.compliant),
                Number(row.non_compliant),
                Number(row.unknown),
                JSON.parse(row.by_policy),
              ],
            ],
          ),
        );

      await store.recordDay(now);
      for (let round = 0; round < 8; round++) {
        const written = [...live.keys()]
          .filter(() => rnd.next() < 0.4)
          .concat([0, 1, 2].map(i => `new-${round}-${i}`))
          .map(randomResult);
        await store.save(written, now, upkeep);
        const gone = [...live].filter(() => rnd.next() < 0.15);
        for (const [name] of gone) live.delete(name);
        await store.remove(
          // A key without a result changes nothing.
          [...gone.map(([name, sub]) => result(sub, name).key), 'not-stored'],
          upkeep,
        );

        const kept = await dayFigures();
        await store.recordDay(now);
        expect(kept).toEqual(await dayFigures());
      }
      // Emptied scopes are gone, as a count afresh leaves them out.
      expect(Object.keys(await dayFigures())).toContain(
        `subscription:${SUB_C}`,
      );
      await store.remove(
        (
          await knex('tag_compliance').where({ subscription_id: SUB_C })
        ).map(row => row.resource_key),
        upkeep,
      );
      const kept = await dayFigures();
      expect(Object.keys(kept)).not.toContain(`subscription:${SUB_C}`);
      await store.recordDay(now);
      expect(kept).toEqual(await dayFigures());
    });

    it('gives the figure of a week ago for the trend', async () => {
      const weekAgo = new Date('2026-11-28T08:00:00Z');
      await store.recordDay(weekAgo);
      const teams = await store.teams(30);
      expect(
        teams.teams.find(t => t.ownerRef === 'group:default/web')?.weekAgo,
      ).toEqual({
        resources: 2,
        compliant: 1,
        nonCompliant: 1,
        unknown: 0,
        percent: 50,
        byPolicy: { env: 1, cost: 1 },
      });
    });
  },
);
