import request from 'supertest';
import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../../__testUtils__/releaseTestDatabase';
import {
  ALICE,
  createTagPoliciesFixture,
  ownerPolicy,
  PLATFORM,
} from './__testUtils__/tagPoliciesFixture';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'the tag policies API (%s)',
  databaseId => {
    let knex: Knex;
    afterEach(() => releaseTestDatabase(knex));

    describe('with azure-tenant.tag-policy.manage', () => {
      let fixture: Awaited<ReturnType<typeof createTagPoliciesFixture>>;
      beforeEach(async () => {
        knex = await databases.init(databaseId);
        fixture = await createTagPoliciesFixture(knex);
      });
      const api = () => request(fixture.app);

      it('creates, reads, replaces and deletes a policy, audited, telling compliance each time', async () => {
        const created = await api().post('/tag-policies').send(ownerPolicy());
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({
          ...ownerPolicy(),
          source: 'portal',
          createdBy: ALICE,
        });
        const { id } = created.body;
        expect(id).toMatch(/^[0-9a-f-]{36}$/);

        const listed = await api().get('/tag-policies');
        expect(listed.status).toBe(200);
        // The declared policy and the new one.
        expect(listed.body.items.map((p: any) => p.id).sort()).toEqual(
          [id, 'config:env'].sort(),
        );
        expect((await api().get(`/tag-policies/${id}`)).body).toEqual(
          created.body,
        );
        // The id in capitals finds it too.
        expect(
          (await api().get(`/tag-policies/${id.toUpperCase()}`)).status,
        ).toBe(200);

        const replaced = await api()
          .put(`/tag-policies/${id}`)
          .send({ name: 'Owner', key: 'owner', inherit: 'resource-group' });
        expect(replaced.status).toBe(200);
        expect(replaced.body).toEqual({
          id,
          source: 'portal',
          name: 'Owner',
          key: 'owner',
          inherit: 'resource-group',
          createdBy: ALICE,
          createdAt: created.body.createdAt,
          updatedAt: expect.any(String),
        });

        expect((await api().delete(`/tag-policies/${id}`)).status).toBe(204);
        expect((await api().get(`/tag-policies/${id}`)).status).toBe(404);
        expect((await api().delete(`/tag-policies/${id}`)).status).toBe(404);

        expect(fixture.auditor.events.map(e => [e.eventId, e.outcome])).toEqual(
          [
            ['tag-policy-create', 'success'],
            ['tag-policy-update', 'success'],
            ['tag-policy-delete', 'success'],
            ['tag-policy-delete', 'fail'],
          ],
        );
        expect(fixture.auditor.events[1].resultMeta).toMatchObject({
          before: { name: 'Owner is a catalog team', required: true },
          after: { name: 'Owner', inherit: 'resource-group' },
        });
        // Three changes; the refused delete changed nothing.
        expect(fixture.changes).toHaveLength(3);
      });

      it('answers a 400 that names the field, and stores nothing', async () => {
        const bad = await api()
          .post('/tag-policies')
          .send(ownerPolicy({ aliases: ['owner'] }));
        expect(bad.status).toBe(400);
        expect(bad.body.error.message).toMatch(
          /aliases\.0 must not be the key itself/,
        );
        const pattern = await api()
          .post('/tag-policies')
          .send(ownerPolicy({ values: { kind: 'pattern', pattern: '(' } }));
        expect(pattern.status).toBe(400);
        expect(pattern.body.error.message).toMatch(/values\.pattern/);
        const unknown = await api()
          .post('/tag-policies')
          .send(ownerPolicy({ enforce: true }));
        expect(unknown.status).toBe(400);
        expect(
          (await api().get('/tag-policies')).body.items.map((p: any) => p.id),
        ).toEqual(['config:env']);
        expect(fixture.changes).toHaveLength(0);
      });

      it('refuses to change or delete a policy declared in app-config (409)', async () => {
        const declared = await api().get('/tag-policies/config:env');
        expect(declared.status).toBe(200);
        expect(declared.body).toMatchObject({
          source: 'config',
          key: 'env',
          values: { kind: 'list', values: ['prod', 'test'] },
        });
        const put = await api()
          .put(`/tag-policies/${encodeURIComponent('config:env')}`)
          .send(ownerPolicy());
        expect(put.status).toBe(409);
        expect(put.body.error.message).toMatch(/declared in app-config/);
        const del = await api().delete('/tag-policies/config:env');
        expect(del.status).toBe(409);
        expect(del.body.error.message).toMatch(/declared in app-config/);
        expect((await api().get('/tag-policies/config:env')).body).toEqual(
          declared.body,
        );
        expect(fixture.auditor.events.map(e => [e.eventId, e.outcome])).toEqual(
          [
            ['tag-policy-update', 'fail'],
            ['tag-policy-delete', 'fail'],
          ],
        );
      });

      it('lists the Azure Policy assignments about tags, of all or one connected subscription', async () => {
        const assignment = {
          id: `/subscriptions/${PLATFORM}/providers/Microsoft.Authorization/policyAssignments/require-owner-tag`,
          subscriptionId: PLATFORM,
          scope: `/subscriptions/${PLATFORM}`,
          displayName: 'Require an owner tag on resources',
          definitionName: 'Require a tag on resources',
          effect: 'require' as const,
          tagName: 'owner',
          enforcementMode: 'Default' as const,
        };
        await fixture.azurePolicies.replaceSubscription({
          subscriptionId: PLATFORM,
          assignments: [assignment],
          at: new Date('2026-11-25T06:00:00Z'),
        });
        const all = await api().get('/tag-policies/azure');
        expect(all.status).toBe(200);
        expect(all.body).toEqual({
          items: [{ ...assignment, readAt: '2026-11-25T06:00:00.000Z' }],
        });
        const one = await api().get(
          `/tag-policies/azure?subscriptionId=${PLATFORM.toUpperCase()}`,
        );
        expect(one.body.items).toHaveLength(1);
        const notGuid = await api().get('/tag-policies/azure?subscriptionId=x');
        expect(notGuid.status).toBe(400);
        expect(notGuid.body.error.message).toMatch(/subscriptionId/);
        const unknown = await api().get(
          '/tag-policies/azure?subscriptionId=00000000-0000-0000-0000-000000000001',
        );
        expect(unknown.status).toBe(404);
      });
    });

    describe('without azure-tenant.tag-policy.manage', () => {
      it('may read, but not create, change or delete (403), and each refusal is audited', async () => {
        knex = await databases.init(databaseId);
        const allowed = await createTagPoliciesFixture(knex);
        const portal = await allowed.store.createPolicy(
          { name: 'Owner', key: 'owner' },
          ALICE,
        );
        const fixture = await createTagPoliciesFixture(knex, {
          manage: 'deny',
        });
        const api = () => request(fixture.app);

        expect((await api().get('/tag-policies')).body.items).toHaveLength(2);
        expect((await api().get(`/tag-policies/${portal.id}`)).status).toBe(
          200,
        );

        const create = await api().post('/tag-policies').send(ownerPolicy());
        expect(create.status).toBe(403);
        expect(create.body.error.message).toMatch(
          /azure-tenant\.tag-policy\.manage is denied/,
        );
        expect(
          (await api().put(`/tag-policies/${portal.id}`).send(ownerPolicy()))
            .status,
        ).toBe(403);
        expect((await api().delete(`/tag-policies/${portal.id}`)).status).toBe(
          403,
        );
        expect(await fixture.store.getPolicy(portal.id)).toEqual(portal);
        expect(fixture.auditor.events.map(e => [e.eventId, e.outcome])).toEqual(
          [
            ['tag-policy-create', 'fail'],
            ['tag-policy-update', 'fail'],
            ['tag-policy-delete', 'fail'],
          ],
        );
        expect(fixture.changes).toHaveLength(0);
      });
    });
  },
);
