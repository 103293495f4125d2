import express from 'express';
import request from 'supertest';
import { ResponseError } from '@backstage/errors';
import { encodeResourceSearchCursor } from './resourceSearchParameters';
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import { createResourcesRouter } from './createResourcesRouter';
import {
  createSearchFixture,
  entityRefOf,
} from './__testUtils__/searchFixture';
import {
  ESTATE,
  resourceIdOf,
  SUBSCRIPTION_A,
  SUBSCRIPTION_B,
} from './__testUtils__/storedResources';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'the resources API (%s)',
  databaseId => {
    let knex: Knex;
    let fixture: Awaited<ReturnType<typeof createSearchFixture>>;
    let app: express.Express;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      fixture = await createSearchFixture(knex);
      app = express()
        .use(
          await createResourcesRouter({
            resourceSearch: fixture.resourceSearch,
            httpAuth: mockServices.httpAuth({
              defaultCredentials: mockCredentials.user('user:default/alice'),
            }),
          }),
        )
        .use(mockErrorHandler());
    });
    afterEach(() => releaseTestDatabase(knex));

    const find = (query: Record<string, string>) =>
      request(app).get('/resources').query(query);

    /** Every page of a search, following nextCursor; the names found, and the number of pages. */
    async function allPages(query: Record<string, string>) {
      const names: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const response = await find({
          ...query,
          ...(cursor ? { cursor } : {}),
        });
        expect(response.status).toBe(200);
        pages++;
        names.push(...response.body.items.map((r: { name: string }) => r.name));
        cursor = response.body.nextCursor;
      } while (cursor && pages < 50);
      return { names, pages };
    }

    describe('GET /resources', () => {
      it('finds resources by type and tag, each with its tags and entity', async () => {
        const response = await find({
          type: 'microsoft.compute/virtualmachines',
          tagKey: 'ENV',
          tagValue: 'Prod',
        });
        expect(response.status).toBe(200);
        const web1 = fixture.byName('web-1');
        expect(response.body).toEqual({
          items: [
            {
              resourceId: resourceIdOf(web1),
              name: 'web-1',
              type: 'Microsoft.Compute/virtualMachines',
              subscriptionId: SUBSCRIPTION_A,
              resourceGroup: 'rg-web',
              location: 'westeurope',
              tags: { Env: 'Prod', owner: 'team-web' },
              entityRef: entityRefOf(web1),
            },
          ],
        });
      });

      it('finds the resources that miss a tag', async () => {
        const response = await find({ missingTag: 'env' });
        expect(response.body.items.map((r: any) => r.name)).toEqual([
          'data2',
          'ops-1',
        ]);
      });

      it('leaves out resources whose entity the caller may not read, and pages on past them', async () => {
        fixture.hidden.add(entityRefOf(fixture.byName('web-1')));
        fixture.hidden.add(entityRefOf(fixture.byName('web-2')));
        const first = await find({ limit: '2' });
        expect(first.status).toBe(200);
        // The first two resources by id are data1 and data2; web-1 and web-2 come next and are hidden.
        expect(first.body.items.map((r: any) => r.name)).toEqual([
          'data1',
          'data2',
        ]);
        const second = await find({
          limit: '2',
          cursor: first.body.nextCursor,
        });
        expect(second.body.items).toEqual([]);
        expect(second.body.nextCursor).toBeDefined();

        const { names } = await allPages({ limit: '2' });
        expect(names.sort()).toEqual(['data1', 'data2', 'ops-1', 'web-3']);
      });

      it('decides visibility for a whole page in one call, for the caller', async () => {
        fixture.authorize.mockClear();
        await find({ limit: '4' });
        expect(fixture.authorize).toHaveBeenCalledTimes(1);
        const [requests, options] = fixture.authorize.mock.calls[0] as any[];
        expect(requests).toHaveLength(4);
        expect(requests[0].permission.name).toBe(
          catalogEntityReadPermission.name,
        );
        expect(options.credentials.principal.userEntityRef).toBe(
          'user:default/alice',
        );
      });

      it('visits every resource exactly once across pages', async () => {
        const { names, pages } = await allPages({ limit: '4' });
        expect(names.sort()).toEqual(ESTATE.map(r => r.name).sort());
        expect(pages).toBe(2);
      });

      it('finds no tags in a subscription whose sync mode keeps none', async () => {
        fixture.syncModes[SUBSCRIPTION_B] = 'no-tags';
        expect(
          (await find({ tagKey: 'env' })).body.items.map((r: any) => r.name),
        ).toEqual(['data1', 'web-1', 'web-2']);
        expect(
          (await find({ missingTag: 'env' })).body.items.map(
            (r: any) => r.name,
          ),
        ).toEqual(['data2']);
        // Without a tag filter its resources are found.
        expect((await find({})).body.items).toHaveLength(ESTATE.length);
      });

      it("finds an owner's resources through the catalog, with the caller's credentials", async () => {
        const response = await find({
          owner: 'group:default/team-web',
          type: 'Microsoft.Compute/virtualMachines',
          tagKey: 'env',
          tagValue: 'Prod',
        });
        expect(response.status).toBe(200);
        expect(response.body.items.map((r: any) => r.name)).toEqual(['web-1']);
        const [, options] = fixture.queryEntities.mock.calls[0] as any[];
        expect((options.credentials.principal as any).userEntityRef).toBe(
          'user:default/alice',
        );
        // A group is the owner's kind when none is given.
        expect(
          (await find({ owner: 'team-data' })).body.items.map(
            (r: any) => r.name,
          ),
        ).toEqual(['data1']);
      });

      it("pages through an owner's resources page by page of the catalog", async () => {
        const { names, pages } = await allPages({
          owner: 'group:default/team-web',
          limit: '1',
        });
        expect(names.sort()).toEqual(['web-1', 'web-2', 'web-3']);
        expect(pages).toBe(3);
        for (const [query] of fixture.queryEntities.mock.calls) {
          expect(query?.limit).toBe(1);
        }
      });

      it("refuses an owner search's cursor whose catalog cursor is forged, in the search's words", async () => {
        // The catalog answers a cursor it did not make with a 400 that names no cursor, as Backstage's catalog does.
        jest.spyOn(fixture.catalog, 'queryEntities').mockRejectedValueOnce(
          await ResponseError.fromResponse(
            new Response(
              JSON.stringify({
                error: { name: 'InputError', message: 'Malformed cursor' },
              }),
              {
                status: 400,
                statusText: 'Bad Request',
                headers: { 'content-type': 'application/json' },
              },
            ),
          ),
        );
        const response = await find({
          owner: 'group:default/team-web',
          cursor: encodeResourceSearchCursor({
            owner: 'group:default/team-web',
            catalogCursor: Buffer.from('{"forged":true}').toString('base64'),
          }),
        });
        expect(response.status).toBe(400);
        expect(response.body.error.message).toBe(
          'cursor is not a nextCursor that this search returned; start again without a cursor',
        );
      });

      it('refuses a cursor of another search', async () => {
        const owned = await find({
          owner: 'group:default/team-web',
          limit: '1',
        });
        const other = await find({
          owner: 'group:default/team-data',
          cursor: owned.body.nextCursor,
        });
        expect(other.status).toBe(400);
        expect(other.body.error.message).toMatch(
          /cursor comes from a search of the resources of group:default\/team-web/,
        );
        const unowned = await find({ limit: '1' });
        expect(
          (
            await find({
              owner: 'group:default/team-web',
              cursor: unowned.body.nextCursor,
            })
          ).status,
        ).toBe(400);
      });

      it.each([
        [
          // The document's pattern refuses it first.
          { subscriptionId: 'not-a-guid' },
          /subscriptionId must match pattern/,
        ],
        [{ limit: '0' }, /limit must be a whole number from 1 to 500/],
        [{ limit: '501' }, /limit must be a whole number from 1 to 500/],
        [{ owner: 'component:default/web' }, /owner must be a group or a user/],
        [{ owner: 'group:' }, /owner must be an entity reference/],
        [{ tagValue: 'prod' }, /tagValue needs tagKey/],
        [{ tagKey: 'env', missingTag: 'ENV' }, /name the same tag/],
        [{ type: '' }, /Empty value found for query parameter 'type'/],
        [{ tagKey: 'a\u0000b' }, /tagKey must not hold a control character/],
        [
          { cursor: 'bm90IGEgY3Vyc29y' },
          /cursor is not a nextCursor that this search returned/,
        ],
      ])('answers 400 to %j', async (query, message) => {
        const response = await find(query);
        expect(response.status).toBe(400);
        expect(response.body.error.message).toMatch(message);
      });

      it('answers 401 without credentials', async () => {
        const response = await request(app)
          .get('/resources')
          .set('authorization', mockCredentials.none.header());
        expect(response.status).toBe(401);
      });
    });

    describe('GET /subscriptions/{subscriptionId}/resources', () => {
      it("lists one subscription's resources, with the same filters", async () => {
        const response = await request(app)
          .get(`/subscriptions/${SUBSCRIPTION_B.toUpperCase()}/resources`)
          .query({ type: 'Microsoft.Compute/virtualMachines' });
        expect(response.status).toBe(200);
        expect(response.body.items.map((r: any) => r.name)).toEqual([
          'ops-1',
          'web-3',
        ]);
      });

      it('answers 404 to a subscription that was never onboarded, rather than an empty page', async () => {
        const unknown = '00000000-0000-4000-8000-000000000abc';
        const response = await request(app).get(
          `/subscriptions/${unknown}/resources`,
        );
        expect(response.status).toBe(404);
        expect(response.body.error.message).toBe(
          `No onboarded subscription ${unknown}`,
        );
      });

      it('answers 400 to a subscription id that is not a GUID', async () => {
        const response = await request(app).get(
          '/subscriptions/nope/resources',
        );
        expect(response.status).toBe(400);
      });
    });
  },
);
