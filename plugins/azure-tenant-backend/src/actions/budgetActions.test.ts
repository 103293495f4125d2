import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import {
  ALICE,
  createBudgetsFixture,
  DATA_EUROPE,
  platformBudget,
  TEAM_A,
  TEAM_B,
} from '../budgets/__testUtils__/budgetsApiFixture';
import { registerBudgetActions } from './budgetActions';

jest.setTimeout(60_000);

// On the actions registry's own mock, which validates input and output as the registry does; each action runs the
// budgets API's operation, with its rules, as the caller.
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'the budget actions (%s)',
  databaseId => {
    let knex: Knex;
    let fixture: Awaited<ReturnType<typeof createBudgetsFixture>>;
    let registry: ReturnType<typeof actionsRegistryServiceMock>;
    const credentials = mockCredentials.user(ALICE);

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      fixture = await createBudgetsFixture(knex);
      registry = actionsRegistryServiceMock();
      registerBudgetActions(registry, { budgets: fixture.operations });
    });
    afterEach(() => releaseTestDatabase(knex));

    const invoke = (
      name: string,
      input: Record<string, unknown>,
      as: BackstageCredentials = credentials,
    ) =>
      registry.invoke({
        id: `test:${name}`,
        input: input as any,
        credentials: as,
      });

    const createAsAlice = async (fields: Record<string, unknown> = {}) =>
      ((await invoke('create-budget', platformBudget(fields))).output as any)
        .budget;

    it('describes the writes as writes, for an agent', async () => {
      const { actions } = await registry.list();
      const byName = new Map(actions.map(a => [a.name, a]));
      for (const name of [
        'create-budget',
        'update-budget',
        'delete-budget',
        'mute-budget',
      ]) {
        expect(byName.get(name)?.description).toMatch(/^Writes/);
        expect(byName.get(name)?.attributes.readOnly).toBe(false);
      }
      expect(byName.get('list-budgets')?.attributes.readOnly).toBe(true);
    });

    it('create-budget creates as the REST API does, and refuses what it refuses', async () => {
      const budget = await createAsAlice();
      expect(budget).toMatchObject({
        owner: TEAM_A,
        createdBy: ALICE,
        source: 'portal',
      });
      expect(fixture.auditor.events.map(e => e.eventId)).toEqual([
        'budget-create',
      ]);
      // The operation's own checks: the currency of the scope's spend.
      await expect(
        invoke('create-budget', platformBudget({ currency: 'EUR' })),
      ).rejects.toThrow('is in USD, and this budget is in EUR');
      // The shared validation, in the action's schema: an unknown field, a threshold given twice.
      await expect(
        invoke('create-budget', platformBudget({ dryRun: true })),
      ).rejects.toThrow(/Invalid input/);
      await expect(
        invoke(
          'create-budget',
          platformBudget({
            thresholds: [
              { type: 'actual', percent: 80 },
              { type: 'actual', percent: 80 },
            ],
          }),
        ),
      ).rejects.toThrow(/Invalid input/);
      // Users only, as the REST API.
      await expect(
        invoke('create-budget', platformBudget(), mockCredentials.service()),
      ).rejects.toThrow(/does not allow 'service' credentials/);
      expect(await fixture.rows()).toHaveLength(1);
    });

    it('list-budgets lists what the caller may read, with filters', async () => {
      const platform = await createAsAlice();
      await createAsAlice({
        name: 'Europe',
        scope: { kind: 'subscription', subscriptionId: DATA_EUROPE },
        currency: 'EUR',
      });
      fixture.policy.spendReadable = ref => !ref.includes(DATA_EUROPE);
      const { output } = await invoke('list-budgets', {});
      expect((output as any).items.map((s: any) => s.budget.id)).toEqual([
        platform.id,
      ]);
      fixture.policy.spendReadable = () => true;
      const byOwner = await invoke('list-budgets', { owner: 'team-b' });
      expect(
        (byOwner.output as any).items.map((s: any) => s.budget.name),
      ).toEqual(['Europe']);
    });

    it("update-budget replaces, under the owner rule, and not another team's budget", async () => {
      const own = await createAsAlice();
      const theirs = await createAsAlice({
        scope: { kind: 'subscription', subscriptionId: DATA_EUROPE },
        currency: 'EUR',
      });
      fixture.policy.budgetPolicy = { claims: [ALICE, TEAM_A] };

      const { output } = await invoke('update-budget', {
        budgetId: own.id,
        ...platformBudget({ amount: 4200 }),
      });
      expect((output as any).budget).toMatchObject({
        id: own.id,
        amount: 4200,
        createdAt: own.createdAt,
      });
      await expect(
        invoke('update-budget', {
          budgetId: theirs.id,
          ...platformBudget({
            scope: { kind: 'subscription', subscriptionId: DATA_EUROPE },
            currency: 'EUR',
          }),
        }),
      ).rejects.toThrow(TEAM_B);
      await expect(
        invoke('update-budget', {
          budgetId: own.id,
          ...platformBudget({ owner: TEAM_B }),
        }),
      ).rejects.toThrow(`to ${TEAM_B}`);
      expect((await fixture.store.get(own.id))?.owner).toBe(TEAM_A);
    });

    it('delete-budget deletes, and is refused when the policy denies it', async () => {
      const budget = await createAsAlice();
      fixture.policy.budgetPolicy = 'deny';
      await expect(
        invoke('delete-budget', { budgetId: budget.id }),
      ).rejects.toThrow('azure-tenant.budget.delete is denied');
      expect(await fixture.store.get(budget.id)).toBeDefined();
      fixture.policy.budgetPolicy = 'allow';
      const { output } = await invoke('delete-budget', { budgetId: budget.id });
      expect(output).toEqual({ budgetId: budget.id, deleted: true });
      expect(await fixture.store.get(budget.id)).toBeUndefined();
      await expect(
        invoke('delete-budget', { budgetId: budget.id }),
      ).rejects.toThrow(`There is no budget ${budget.id}`);
    });

    it('mute-budget mutes and unmutes, within a year', async () => {
      const budget = await createAsAlice();
      const muted = await invoke('mute-budget', {
        budgetId: budget.id,
        until: '2026-12-24T00:00:00Z',
      });
      expect((muted.output as any).budget.mutedUntil).toBe(
        '2026-12-24T00:00:00.000Z',
      );
      await expect(
        invoke('mute-budget', {
          budgetId: budget.id,
          until: '2028-01-01T00:00:00Z',
        }),
      ).rejects.toThrow('at most a year ahead');
      const unmuted = await invoke('mute-budget', {
        budgetId: budget.id,
        until: null,
      });
      expect((unmuted.output as any).budget.mutedUntil).toBeUndefined();
      expect((await fixture.store.get(budget.id))?.mutedUntil).toBeUndefined();
      // A refused input is not a mute: only the two mutes are audited.
      expect(
        fixture.auditor.events
          .filter(e => e.eventId === 'budget-mute')
          .map(e => e.meta?.until),
      ).toEqual(['2026-12-24T00:00:00.000Z', null]);
    });

    it('runs as the caller, whose credentials every decision is made for', async () => {
      await createAsAlice();
      await invoke('list-budgets', { scopeKind: 'subscription' });
      const [, readOptions] = fixture.permissions.authorize.mock
        .calls[0] as any[];
      expect(readOptions.credentials).toBe(credentials);
      const [, writeOptions] = fixture.permissions.authorizeConditional.mock
        .calls[0] as any[];
      expect(writeOptions.credentials).toBe(credentials);
    });
  },
);
