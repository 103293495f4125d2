import express from 'express';
import request from 'supertest';
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  AzureEmulator,
  DEMO_SUBSCRIPTIONS,
} from '@azure-tenant/azure-emulator';
import { Knex } from 'knex';
import { grantPortalAccess } from '../../__testUtils__/syncFixture';
import { releaseTestDatabase } from '../../__testUtils__/releaseTestDatabase';
import { startTestEmulator } from '../../__testUtils__/testEmulator';
import { azureWrites } from '../../__testUtils__/azureWrites';
import { createTagFixesRouter } from './createTagFixesRouter';
import {
  addMessyResources,
  createTagFixFixture,
} from './__testUtils__/tagFixFixture';

jest.setTimeout(90_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';

let emulator: AzureEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator?.stop();
});

describe.each(databases.eachSupportedId())('/tag-fixes (%s)', databaseId => {
  let knex: Knex;
  let fixture: Awaited<ReturnType<typeof createTagFixFixture>>;
  let ids: string[];
  let header: string;
  let app: express.Express;

  const api = {
    get: (path: string) => request(app).get(path).set('Authorization', header),
    post: (path: string) =>
      request(app).post(path).set('Authorization', header),
  };

  afterEach(() => releaseTestDatabase(knex));

  beforeEach(async () => {
    emulator.control.reset();
    grantPortalAccess(emulator, 'Reader');
    grantPortalAccess(emulator, 'Tag Contributor');
    knex = await databases.init(databaseId);
    ids = addMessyResources(
      emulator,
      [
        DEMO_SUBSCRIPTIONS.platform,
        DEMO_SUBSCRIPTIONS.payments,
        DEMO_SUBSCRIPTIONS.dataEurope,
      ],
      4,
    );
    fixture = await createTagFixFixture(knex, emulator);
    await fixture.store.setSyncMode(
      DEMO_SUBSCRIPTIONS.payments,
      'read-tags',
      new Date(),
    );
    header = mockCredentials.user.header(ALICE);
    app = express()
      .use(
        await createTagFixesRouter({
          operations: fixture.operations,
          httpAuth: mockServices.httpAuth(),
        }),
      )
      .use(mockErrorHandler());
  });

  describe('POST /tag-fixes/preview', () => {
    it('says per subscription what would be written, kept portal-only or refused, and writes nothing', async () => {
      const logStart = emulator.control.requests().at(-1)?.seq ?? 0;
      const response = await api
        .post('/tag-fixes/preview')
        .send({ resourceIds: ids });
      expect(response.status).toBe(200);
      const bySubscription = Object.fromEntries(
        response.body.subscriptions.map((s: any) => [s.subscriptionId, s]),
      );
      expect(bySubscription[DEMO_SUBSCRIPTIONS.platform]).toMatchObject({
        outcome: 'write-to-azure',
        resources: 4,
      });
      expect(bySubscription[DEMO_SUBSCRIPTIONS.payments]).toMatchObject({
        outcome: 'portal-only',
        syncMode: 'read-tags',
        resources: 4,
      });
      expect(response.body.resources).toBe(12);
      expect(response.body.byKind).toEqual({
        'canonical-key': 6,
        'canonical-value': 12,
        inherit: 6,
      });
      expect(
        azureWrites(emulator.control.requests(logStart)).filter(w =>
          w.includes('tags'),
        ),
      ).toEqual([]);
      expect(await fixture.jobs.listJobs({ limit: 10 })).toEqual([]);
    });

    it('counts the resources the caller may not edit as forbidden, with the reason', async () => {
      fixture.decisions.edit = false;
      const response = await api.post('/tag-fixes/preview').send({
        subscriptionIds: [DEMO_SUBSCRIPTIONS.platform],
        resourceIds: ids,
      });
      expect(response.status).toBe(200);
      expect(response.body.resources).toBe(0);
      expect(response.body.subscriptions).toEqual([
        expect.objectContaining({
          subscriptionId: DEMO_SUBSCRIPTIONS.platform,
          outcome: 'forbidden',
          resources: 4,
          reason: expect.stringContaining('azure-tenant.tags.update'),
        }),
      ]);
    });

    it('says why a sync mode forbids the fixes', async () => {
      await fixture.store.setSyncMode(
        DEMO_SUBSCRIPTIONS.dataEurope,
        'no-tags',
        new Date(),
      );
      // The stored tags are purged by the next sync; until then the planner still reads them.
      const response = await api
        .post('/tag-fixes/preview')
        .send({ subscriptionIds: [DEMO_SUBSCRIPTIONS.dataEurope] });
      expect(response.status).toBe(200);
      for (const plan of response.body.subscriptions) {
        expect(plan).toMatchObject({
          outcome: 'forbidden',
          syncMode: 'no-tags',
          reason: expect.stringContaining('No Tags'),
        });
      }
    });

    it.each([
      [{ subscriptionIds: ['not-a-guid'] }, 'subscriptionIds.0'],
      [{ kinds: ['rename-everything'] }, 'kinds'],
      [{ ownerRef: 'team-a' }, 'ownerRef'],
      [{ policyIds: ['no-such-policy'] }, 'no-such-policy'],
      [{ resourceIds: ['/subscriptions/x'] }, 'resourceIds'],
      [{ colour: 'blue' }, 'colour'],
    ])('answers 400 naming the field for %j', async (body, field) => {
      const response = await api.post('/tag-fixes/preview').send(body);
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain(field);
    });

    it('refuses services', async () => {
      header = mockCredentials.service.header();
      const response = await api.post('/tag-fixes/preview').send({});
      expect(response.status).toBe(403);
    });
  });

  describe('POST /tag-fixes and the job', () => {
    it('ends a job as failed when Azure refuses every write, and names each failure', async () => {
      // Only the subscription whose fixes are written to Azure.
      const response = await api.post('/tag-fixes').send({
        subscriptionIds: [DEMO_SUBSCRIPTIONS.platform],
        resourceIds: ids,
      });
      expect(response.status).toBe(202);
      const total = response.body.total;
      expect(total).toBeGreaterThan(0);
      // Someone takes Tag Contributor away from the portal before the job runs.
      const principalId = grantPortalAccess(emulator, 'Reader');
      emulator.control.removeRoleAssignments({
        principalId,
        role: 'Tag Contributor',
      });
      await fixture.runner().run();
      const job = await api.get(`/tag-fixes/${response.body.id}`);
      expect(job.body).toMatchObject({
        state: 'failed',
        applied: 0,
        skipped: 0,
        failed: total,
      });
      expect(job.body.failures).toHaveLength(total);
      expect(job.body.failures[0].message).toMatch(
        /Tag Contributor|not allowed|authoriz/i,
      );
    });

    it('answers 202 with the job, which a runner applies; its creator follows it', async () => {
      const response = await api
        .post('/tag-fixes')
        .send({ resourceIds: ids, kinds: ['canonical-key'] });
      expect(response.status).toBe(202);
      expect(response.body).toMatchObject({
        state: 'pending',
        createdBy: ALICE,
        total: 6,
        applied: 0,
      });
      await fixture.runner().run();
      const job = await api.get(`/tag-fixes/${response.body.id}`);
      expect(job.status).toBe(200);
      expect(job.body).toMatchObject({ state: 'done', applied: 6, failed: 0 });
      const list = await api.get('/tag-fixes');
      expect(list.body.items.map((j: any) => j.id)).toEqual([response.body.id]);
      expect(
        fixture.auditor.events.find(e => e.eventId === 'tag-fix-create')
          ?.outcome,
      ).toBe('success');

      // Bob sees neither the job nor it in his list, unless he may manage tag policies.
      header = mockCredentials.user.header(BOB);
      expect((await api.get(`/tag-fixes/${response.body.id}`)).status).toBe(
        403,
      );
      expect((await api.get('/tag-fixes')).body.items).toEqual([]);
      expect(
        (await api.post(`/tag-fixes/${response.body.id}/cancel`)).status,
      ).toBe(403);
      fixture.decisions.manage = true;
      expect((await api.get(`/tag-fixes/${response.body.id}`)).status).toBe(
        200,
      );
      expect((await api.get('/tag-fixes')).body.items).toHaveLength(1);
    });

    it('skips a resource whose tags changed since the plan, writing nothing to it', async () => {
      const response = await api.post('/tag-fixes').send({
        resourceIds: ids.filter(id => id.includes(DEMO_SUBSCRIPTIONS.platform)),
        kinds: ['canonical-value'],
      });
      const [first] = ids;
      emulator.control.editTags({ resourceId: first, set: { env: 'staging' } });
      await fixture.runner().run();
      const job = (await fixture.jobs.getJob(response.body.id))!;
      expect(job).toMatchObject({ applied: 3, skipped: 1, failed: 0 });
      expect(emulator.control.getTags(first).env).toBe('staging');
    });

    it('cancels a job that has not started at once, and a runner leaves it', async () => {
      const created = await api.post('/tag-fixes').send({ resourceIds: ids });
      const cancelled = await api.post(`/tag-fixes/${created.body.id}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.state).toBe('cancelled');
      await fixture.runner().run();
      expect(await fixture.jobs.getJob(created.body.id)).toMatchObject({
        state: 'cancelled',
        applied: 0,
      });
    });

    it('stops a running job after the items being applied', async () => {
      const created = await api.post('/tag-fixes').send({ resourceIds: ids });
      const runner = fixture.runner({ concurrency: 1 });
      const claimed = await fixture.jobs.claimJob(
        runner.owner,
        60_000,
        new Date(),
      );
      expect(claimed?.state).toBe('running');
      await fixture.jobs.releaseLease(created.body.id, runner.owner);
      await api.post(`/tag-fixes/${created.body.id}/cancel`);
      await runner.run();
      const job = (await fixture.jobs.getJob(created.body.id))!;
      expect(job.state).toBe('cancelled');
      expect(job.applied).toBe(0);
    });

    it('answers 404 for a job that does not exist', async () => {
      for (const id of ['8f7c0a66-2c55-4ee6-8d1a-0b3c7c9f6a10', 'nope']) {
        expect((await api.get(`/tag-fixes/${id}`)).status).toBe(404);
      }
    });
  });
});
