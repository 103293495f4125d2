import request from 'supertest';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { azureSubscriptionEntityRef } from '@azure-tenant/plugin-azure-tenant-common';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import {
  ALICE,
  BOB,
  CHECKOUT,
  createBudgetsFixture,
  DATA_EUROPE,
  PAYMENTS,
  platformBudget,
  PLATFORM,
  TEAM_A,
  TEAM_B,
} from './__testUtils__/budgetsApiFixture';
import { ExchangeRates } from './exchangeRates';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'the budgets API (%s)',
  databaseId => {
    let knex: Knex;
    let fixture: Awaited<ReturnType<typeof createBudgetsFixture>>;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      fixture = await createBudgetsFixture(knex);
    });
    afterEach(() => releaseTestDatabase(knex));

    const api = () => request(fixture.app);
    const create = async (body: Record<string, unknown>) => {
      const response = await api().post('/budgets').send(body);
      expect(response.status).toBe(201);
      return response.body;
    };

    describe('POST, GET, PUT, mute and DELETE', () => {
      it('creates, reads, replaces, mutes and deletes a budget', async () => {
        const created = await create(platformBudget());
        const id = created.budget.id;
        expect(created).toMatchObject({
          budget: {
            name: 'Platform monthly',
            scope: { kind: 'subscription', subscriptionId: PLATFORM },
            // The subscription entity's spec.owner, `team-a`, as a full ref.
            owner: TEAM_A,
            amount: 1000,
            currency: 'USD',
            period: { type: 'monthly' },
            thresholds: [
              { type: 'actual', percent: 50 },
              { type: 'actual', percent: 80 },
              { type: 'actual', percent: 100 },
              { type: 'forecast', percent: 100 },
            ],
            source: 'portal',
            createdBy: ALICE,
          },
          periodStart: '2026-11-01',
          periodEnd: '2026-11-30',
          state: 'no-data',
          crossed: [],
        });
        expect(fixture.changed).toEqual([id]);

        const listed = await api().get('/budgets');
        expect(listed.status).toBe(200);
        expect(listed.body.items.map((s: any) => s.budget.id)).toEqual([id]);
        expect((await api().get(`/budgets/${id}`)).body).toEqual(created);

        const replaced = await api()
          .put(`/budgets/${id}`)
          .send(
            platformBudget({
              name: 'Platform quarterly',
              amount: 2500,
              period: { type: 'quarterly', startMonth: 2 },
              thresholds: [{ type: 'forecast', percent: 90 }],
              owner: 'user:default/alice',
            }),
          );
        expect(replaced.status).toBe(200);
        expect(replaced.body.budget).toMatchObject({
          id,
          name: 'Platform quarterly',
          amount: 2500,
          owner: ALICE,
          thresholds: [{ type: 'forecast', percent: 90 }],
          createdAt: created.budget.createdAt,
          createdBy: ALICE,
        });
        // A quarter from February: November, December and January.
        expect(replaced.body).toMatchObject({
          periodStart: '2026-11-01',
          periodEnd: '2027-01-31',
        });

        const muted = await api()
          .post(`/budgets/${id}/mute`)
          .send({ until: '2026-12-31T00:00:00Z' });
        expect(muted.status).toBe(200);
        expect(muted.body.budget.mutedUntil).toBe('2026-12-31T00:00:00.000Z');
        // A replace keeps the mute.
        await api().put(`/budgets/${id}`).send(platformBudget());
        expect((await api().get(`/budgets/${id}`)).body.budget.mutedUntil).toBe(
          '2026-12-31T00:00:00.000Z',
        );
        const unmuted = await api()
          .post(`/budgets/${id}/mute`)
          .send({ until: null });
        expect(unmuted.body.budget.mutedUntil).toBeUndefined();

        expect((await api().delete(`/budgets/${id}`)).status).toBe(204);
        expect((await api().get(`/budgets/${id}`)).status).toBe(404);
        expect((await api().delete(`/budgets/${id}`)).status).toBe(404);
        expect(await fixture.rows()).toEqual([]);

        expect(fixture.auditor.events.map(e => [e.eventId, e.outcome])).toEqual(
          [
            ['budget-create', 'success'],
            ['budget-update', 'success'],
            ['budget-mute', 'success'],
            ['budget-update', 'success'],
            ['budget-mute', 'success'],
            ['budget-delete', 'success'],
            ['budget-delete', 'fail'],
          ],
        );
        expect(fixture.auditor.events[0].resultMeta).toEqual({
          budgetId: id,
          owner: TEAM_A,
        });
      });

      it('defaults the owner to the scope’s owner: an entity’s owner, or a group itself', async () => {
        const component = await create(
          platformBudget({ scope: { kind: 'entity', entityRef: CHECKOUT } }),
        );
        expect(component.budget.owner).toBe(TEAM_A);
        const team = await create(
          platformBudget({ scope: { kind: 'entity', entityRef: TEAM_B } }),
        );
        expect(team.budget.owner).toBe(TEAM_B);
        const group = await create(
          platformBudget({
            scope: {
              kind: 'resourceGroup',
              subscriptionId: DATA_EUROPE.toUpperCase(),
              resourceGroup: 'rg-web',
            },
            currency: 'EUR',
          }),
        );
        expect(group.budget).toMatchObject({
          owner: TEAM_B,
          scope: { subscriptionId: DATA_EUROPE },
        });
      });

      it('shows the last evaluation and the thresholds crossed in its period', async () => {
        const { budget } = await create(platformBudget());
        await fixture.evaluations.saveEvaluations([
          {
            budgetId: budget.id,
            periodStart: '2026-11-01',
            periodEnd: '2026-11-30',
            actual: 850,
            forecast: 1200,
            actualPercent: 85,
            forecastPercent: 120,
            spendThrough: '2026-11-24',
            state: 'at-risk',
            conversions: [],
            evaluatedAt: '2026-11-25T06:00:00.000Z',
          },
        ]);
        const response = await api().get(`/budgets/${budget.id}`);
        expect(response.body).toMatchObject({
          actual: 850,
          forecastPercent: 120,
          state: 'at-risk',
          spendThrough: '2026-11-24',
          evaluatedAt: '2026-11-25T06:00:00.000Z',
        });
      });
    });

    describe('validation', () => {
      // One body per rule; each is refused with a 400 that names the field, and nothing is written.
      const GUID = PLATFORM;
      const cases: Array<[string, Record<string, unknown>, string]> = [
        ['an empty name', platformBudget({ name: '' }), 'name'],
        [
          'a name over 200 characters',
          platformBudget({ name: 'x'.repeat(201) }),
          'name',
        ],
        ['a blank name', platformBudget({ name: '   ' }), 'name'],
        ['a name with a NUL', platformBudget({ name: 'a\u0000b' }), 'name'],
        [
          'a subscription id that is not a GUID',
          platformBudget({
            scope: { kind: 'subscription', subscriptionId: 'platform' },
          }),
          'subscriptionId',
        ],
        [
          'a resource group name ending in a period',
          platformBudget({
            scope: {
              kind: 'resourceGroup',
              subscriptionId: GUID,
              resourceGroup: 'rg-web.',
            },
          }),
          'resourceGroup',
        ],
        [
          'a resource group name over 90 characters',
          platformBudget({
            scope: {
              kind: 'resourceGroup',
              subscriptionId: GUID,
              resourceGroup: 'r'.repeat(91),
            },
          }),
          'resourceGroup',
        ],
        [
          'an entity ref without a kind',
          platformBudget({ scope: { kind: 'entity', entityRef: 'checkout' } }),
          'entityRef',
        ],
        [
          'a custom group without members',
          platformBudget({
            scope: { kind: 'customGroup', name: 'Data' },
            owner: TEAM_A,
          }),
          'member',
        ],
        [
          'an unknown kind of scope',
          platformBudget({ scope: { kind: 'tenant', tenantId: GUID } }),
          'scope',
        ],
        ['an amount of 0', platformBudget({ amount: 0 }), 'amount'],
        ['a negative amount', platformBudget({ amount: -5 }), 'amount'],
        ['an amount over 1e12', platformBudget({ amount: 2e12 }), 'amount'],
        ['an amount as text', platformBudget({ amount: '1000' }), 'amount'],
        [
          'a currency in lower case',
          platformBudget({ currency: 'usd' }),
          'currency',
        ],
        [
          'a currency of 4 letters',
          platformBudget({ currency: 'EURO' }),
          'currency',
        ],
        [
          'a start month of 13',
          platformBudget({ period: { type: 'yearly', startMonth: 13 } }),
          'startMonth',
        ],
        [
          'a custom period with a day that does not exist',
          platformBudget({
            period: {
              type: 'custom',
              startDate: '2026-02-30',
              endDate: '2026-12-31',
            },
          }),
          'startDate',
        ],
        [
          'a custom period that ends before it starts',
          platformBudget({
            period: {
              type: 'custom',
              startDate: '2026-12-01',
              endDate: '2026-11-30',
            },
          }),
          'endDate',
        ],
        [
          'a custom period over 5 years',
          platformBudget({
            period: {
              type: 'custom',
              startDate: '2026-01-01',
              endDate: '2031-01-02',
            },
          }),
          'endDate',
        ],
        ['no thresholds', platformBudget({ thresholds: [] }), 'thresholds'],
        [
          '11 thresholds',
          platformBudget({
            thresholds: Array.from({ length: 11 }, (_, i) => ({
              type: 'actual',
              percent: 10 * (i + 1),
            })),
          }),
          'thresholds',
        ],
        [
          'a threshold of 0%',
          platformBudget({ thresholds: [{ type: 'actual', percent: 0 }] }),
          'percent',
        ],
        [
          'a threshold over 1000%',
          platformBudget({ thresholds: [{ type: 'actual', percent: 1001 }] }),
          'percent',
        ],
        [
          'a threshold given twice',
          platformBudget({
            thresholds: [
              { type: 'actual', percent: 80 },
              { type: 'actual', percent: 80 },
            ],
          }),
          'thresholds',
        ],
        [
          'an unknown field',
          platformBudget({ dryRun: true }),
          'additional properties',
        ],
        [
          'a field of another kind of scope',
          platformBudget({
            scope: {
              kind: 'subscription',
              subscriptionId: GUID,
              resourceGroup: 'rg',
            },
          }),
          "scope: Unrecognized key(s) in object: 'resourceGroup'",
        ],
        [
          'a field of another type of period',
          platformBudget({ period: { type: 'monthly', startMonth: 4 } }),
          "period: Unrecognized key(s) in object: 'startMonth'",
        ],
        [
          'an owner that is a component',
          platformBudget({ owner: CHECKOUT }),
          'owner',
        ],
        [
          'a subscription that is not connected',
          platformBudget({
            scope: {
              kind: 'subscription',
              subscriptionId: '00000000-0000-0000-0000-000000000001',
            },
          }),
          'not connected',
        ],
        [
          'an entity that is not in the catalog',
          platformBudget({
            scope: { kind: 'entity', entityRef: 'system:default/ghost' },
          }),
          'system:default/ghost',
        ],
        [
          'an owner that is not in the catalog',
          platformBudget({ owner: 'group:default/ghosts' }),
          'group:default/ghosts',
        ],
        [
          'a custom group without an owner',
          platformBudget({
            scope: {
              kind: 'customGroup',
              name: 'Data',
              subscriptionIds: [GUID],
            },
          }),
          'owner',
        ],
        [
          'a subscription whose entity has no owner, and no owner given',
          platformBudget({
            scope: { kind: 'subscription', subscriptionId: PAYMENTS },
          }),
          'owner',
        ],
      ];

      it.each(cases)('refuses %s', async (_name, body, field) => {
        const response = await api().post('/budgets').send(body);
        expect(response.status).toBe(400);
        expect(response.body.error.name).toBe('InputError');
        expect(response.body.error.message).toContain(field);
        expect(await fixture.rows()).toEqual([]);
        expect(fixture.changed).toEqual([]);
      });

      it('refuses a bad replacement and leaves the budget as it was', async () => {
        const { budget } = await create(platformBudget());
        const before = await fixture.rows();
        const response = await api()
          .put(`/budgets/${budget.id}`)
          .send(platformBudget({ amount: -1 }));
        expect(response.status).toBe(400);
        expect(await fixture.rows()).toEqual(before);
      });

      it.each([
        ['a time in the past', '2026-11-01T00:00:00Z', 'future'],
        ['a time over a year ahead', '2027-12-01T00:00:00Z', 'year'],
        ['a time that is not one', 'next week', 'ISO 8601'],
      ])('refuses a mute until %s', async (_name, until, mentions) => {
        const { budget } = await create(platformBudget());
        const before = await fixture.rows();
        const response = await api()
          .post(`/budgets/${budget.id}/mute`)
          .send({ until });
        expect(response.status).toBe(400);
        expect(response.body.error.message).toContain(mentions);
        expect(await fixture.rows()).toEqual(before);
      });
    });

    describe('permissions', () => {
      it('refuses every write when the policy denies it, and changes nothing', async () => {
        const { budget } = await create(platformBudget());
        const before = await fixture.rows();
        fixture.policy.budgetPolicy = 'deny';

        const created = await api().post('/budgets').send(platformBudget());
        expect(created.status).toBe(403);
        expect(created.body.error.message).toContain(
          'azure-tenant.budget.create',
        );
        const replaced = await api()
          .put(`/budgets/${budget.id}`)
          .send(platformBudget({ amount: 5 }));
        expect(replaced.status).toBe(403);
        expect(replaced.body.error.message).toContain(
          'azure-tenant.budget.update',
        );
        const muted = await api()
          .post(`/budgets/${budget.id}/mute`)
          .send({ until: '2026-12-01T00:00:00Z' });
        expect(muted.status).toBe(403);
        const deleted = await api().delete(`/budgets/${budget.id}`);
        expect(deleted.status).toBe(403);
        expect(deleted.body.error.message).toContain(
          'azure-tenant.budget.delete',
        );

        expect(await fixture.rows()).toEqual(before);
        expect(
          fixture.auditor.events.slice(1).map(e => [e.eventId, e.outcome]),
        ).toEqual([
          ['budget-create', 'fail'],
          ['budget-update', 'fail'],
          ['budget-mute', 'fail'],
          ['budget-delete', 'fail'],
        ]);
      });

      it("lets the owner's team change its budgets, and refuses another team's", async () => {
        // Made before the policy: one budget of each team.
        const own = (await create(platformBudget())).budget;
        const theirs = (
          await create(
            platformBudget({
              scope: { kind: 'subscription', subscriptionId: DATA_EUROPE },
              currency: 'EUR',
            }),
          )
        ).budget;
        expect(theirs.owner).toBe(TEAM_B);
        const before = await fixture.rows();
        fixture.policy.budgetPolicy = {
          claims: [ALICE, 'Group:default/Team-A'],
        };

        // Creating: for team-a yes, for team-b no.
        expect(
          (await api().post('/budgets').send(platformBudget())).status,
        ).toBe(201);
        const forB = await api()
          .post('/budgets')
          .send(platformBudget({ owner: TEAM_B }));
        expect(forB.status).toBe(403);
        expect(forB.body.error.message).toContain(TEAM_B);

        // Another team's budget can be neither changed, muted nor deleted.
        for (const response of [
          await api()
            .put(`/budgets/${theirs.id}`)
            .send(
              platformBudget({
                scope: { kind: 'subscription', subscriptionId: DATA_EUROPE },
                currency: 'EUR',
                owner: TEAM_A,
              }),
            ),
          await api()
            .post(`/budgets/${theirs.id}/mute`)
            .send({ until: '2026-12-01T00:00:00Z' }),
          await api().delete(`/budgets/${theirs.id}`),
        ]) {
          expect(response.status).toBe(403);
          expect(response.body.error.message).toContain(TEAM_B);
        }

        // Nor can one's own budget be given to another team.
        const moved = await api()
          .put(`/budgets/${own.id}`)
          .send(platformBudget({ owner: TEAM_B }));
        expect(moved.status).toBe(403);
        expect(moved.body.error.message).toContain(`to ${TEAM_B}`);

        const rows = await fixture.rows();
        expect(
          rows.filter((r: any) => before.some((b: any) => b.id === r.id)),
        ).toEqual(before);

        // One's own budget can be changed, muted and deleted.
        expect(
          (
            await api()
              .put(`/budgets/${own.id}`)
              .send(platformBudget({ amount: 7 }))
          ).status,
        ).toBe(200);
        expect(
          (
            await api()
              .post(`/budgets/${own.id}/mute`)
              .send({ until: '2026-12-01T00:00:00Z' })
          ).status,
        ).toBe(200);
        expect((await api().delete(`/budgets/${own.id}`)).status).toBe(204);
      });

      it('lists and shows only the budgets whose spend the caller may read', async () => {
        const platform = (await create(platformBudget())).budget;
        const europe = (
          await create(
            platformBudget({
              name: 'Europe',
              scope: { kind: 'subscription', subscriptionId: DATA_EUROPE },
              currency: 'EUR',
            }),
          )
        ).budget;
        const custom = (
          await create(
            platformBudget({
              name: 'Custom',
              scope: {
                kind: 'customGroup',
                name: 'Web',
                subscriptionIds: [PLATFORM],
              },
              owner: TEAM_A,
            }),
          )
        ).budget;
        const readable = new Set([azureSubscriptionEntityRef(PLATFORM)]);
        fixture.policy.spendReadable = ref => readable.has(ref);

        const listed = await api().get('/budgets');
        expect(listed.body.items.map((s: any) => s.budget.id)).toEqual([
          platform.id,
        ]);
        expect((await api().get(`/budgets/${europe.id}`)).status).toBe(403);
        // A custom group's budget follows spend read on its owner.
        expect((await api().get(`/budgets/${custom.id}`)).status).toBe(403);
        readable.add(TEAM_A);
        expect((await api().get(`/budgets/${custom.id}`)).status).toBe(200);

        // The reads are decided in one batch, one decision per entity.
        fixture.permissions.authorize.mockClear();
        fixture.policy.spendReadable = () => true;
        await api().get('/budgets');
        expect(fixture.permissions.authorize).toHaveBeenCalledTimes(1);
        expect(fixture.permissions.authorize.mock.calls[0][0]).toHaveLength(3);
      });

      it('filters by owner and by kind of scope', async () => {
        await create(platformBudget({ name: 'A' }));
        const b = (
          await create(
            platformBudget({
              name: 'B',
              scope: { kind: 'entity', entityRef: TEAM_B },
            }),
          )
        ).budget;
        const byOwner = await api().get('/budgets?owner=team-b');
        expect(byOwner.body.items.map((s: any) => s.budget.id)).toEqual([b.id]);
        const byKind = await api().get('/budgets?scopeKind=entity');
        expect(byKind.body.items.map((s: any) => s.budget.id)).toEqual([b.id]);
        const badOwner = await api().get('/budgets?owner=component:default/x');
        expect(badOwner.status).toBe(400);
      });

      it('lets services read budgets, and refuses them the writes', async () => {
        const { budget } = await create(platformBudget());
        const service = mockCredentials.service.header();
        const read = await api().get('/budgets').set('Authorization', service);
        expect(read.status).toBe(200);
        expect(read.body.items).toHaveLength(1);
        const write = await api()
          .post('/budgets')
          .set('Authorization', service)
          .send(platformBudget());
        expect(write.status).toBe(403);
        const del = await api()
          .delete(`/budgets/${budget.id}`)
          .set('Authorization', service);
        expect(del.status).toBe(403);
        expect(await fixture.rows()).toHaveLength(1);
      });

      it('records who created a budget', async () => {
        const response = await api()
          .post('/budgets')
          .set('Authorization', mockCredentials.user.header(BOB))
          .send(platformBudget());
        expect(response.body.budget.createdBy).toBe(BOB);
      });
    });

    describe('budgets declared in app-config', () => {
      it('are read-only here, but may be muted', async () => {
        const declared = {
          ...platformBudget(),
          id: 'platform-monthly',
          owner: TEAM_A,
          thresholds: [{ type: 'actual' as const, percent: 100 }],
          period: { type: 'monthly' as const },
          scope: { kind: 'subscription' as const, subscriptionId: PLATFORM },
          source: 'config' as const,
          createdAt: '2026-11-01T00:00:00.000Z',
          updatedAt: '2026-11-01T00:00:00.000Z',
        };
        await fixture.store.replaceDeclared([declared]);
        const before = await fixture.rows();

        const replaced = await api()
          .put('/budgets/platform-monthly')
          .send(platformBudget({ amount: 1 }));
        expect(replaced.status).toBe(409);
        expect(replaced.body.error.message).toContain(
          'declared in app-config (azureTenant.budgets.declared); change it there',
        );
        const deleted = await api().delete('/budgets/platform-monthly');
        expect(deleted.status).toBe(409);
        expect(await fixture.rows()).toEqual(before);

        const muted = await api()
          .post('/budgets/platform-monthly/mute')
          .send({ until: '2026-12-01T00:00:00Z' });
        expect(muted.status).toBe(200);
        expect(muted.body.budget).toMatchObject({
          source: 'config',
          mutedUntil: '2026-12-01T00:00:00.000Z',
        });
      });
    });

    describe('currencies', () => {
      it('refuses a budget in another currency than its scope’s spend, saying how to fix it', async () => {
        const response = await api()
          .post('/budgets')
          .send(platformBudget({ currency: 'EUR' }));
        expect(response.status).toBe(400);
        expect(response.body.error.message).toContain(
          `The spend of subscription ${PLATFORM} is in USD, and this budget is in EUR`,
        );
        expect(response.body.error.message).toContain(
          'azureTenant.budgets.exchangeRates',
        );
        // An entity's scope reaches its subscriptions through the catalog.
        const entity = await api()
          .post('/budgets')
          .send(
            platformBudget({
              scope: { kind: 'entity', entityRef: CHECKOUT },
              currency: 'GBP',
            }),
          );
        expect(entity.status).toBe(400);
        expect(entity.body.error.message).toContain('is in USD');
        // A custom group over both currencies mixes them.
        const mixed = await api()
          .post('/budgets')
          .send(
            platformBudget({
              scope: {
                kind: 'customGroup',
                name: 'Both',
                subscriptionIds: [PLATFORM, DATA_EUROPE],
              },
              owner: TEAM_A,
            }),
          );
        expect(mixed.status).toBe(400);
        expect(mixed.body.error.message).toContain(`${DATA_EUROPE} is in EUR`);
        expect(await fixture.rows()).toEqual([]);
      });

      it('accepts one with a configured rate, and says how it converts', async () => {
        await releaseTestDatabase(knex);
        knex = await databases.init(databaseId);
        fixture = await createBudgetsFixture(knex, {
          exchangeRates: new ExchangeRates([
            { from: 'USD', to: 'EUR', rate: 0.92 },
          ]),
        });
        const response = await api()
          .post('/budgets')
          .send(platformBudget({ currency: 'EUR' }));
        expect(response.status).toBe(201);
        expect(response.body.conversions).toEqual([
          'USD converted to EUR at 0.92 (azureTenant.budgets.exchangeRates)',
        ]);
        // A budget over spend in its own currency converts nothing.
        const same = await create(platformBudget());
        expect(same.conversions).toEqual([]);
      });

      it('accepts any currency for a scope without spend yet', async () => {
        const response = await api()
          .post('/budgets')
          .send(
            platformBudget({
              scope: { kind: 'subscription', subscriptionId: PAYMENTS },
              currency: 'JPY',
              owner: TEAM_B,
            }),
          );
        expect(response.status).toBe(201);
      });
    });
  },
);
