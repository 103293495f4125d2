import express from 'express';
import request from 'supertest';
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { AuthorizePermissionRequest } from '@backstage/plugin-permission-common';
import {
  azureSubscriptionEntityRef,
  ResourceTagCompliance,
} from '@azure-tenant/plugin-azure-tenant-common';
import { createTagComplianceRouter } from './createTagComplianceRouter';
import { TagComplianceOperations } from './TagComplianceOperations';
import { InMemoryComplianceReader } from './__testUtils__/InMemoryComplianceReader';
import {
  complianceFixture,
  DATA_TEAM,
  deniesPermission,
  deniesResources,
  fakePermissions,
  PLATFORM_TEAM,
  SUBSCRIPTION_A,
  SUBSCRIPTION_B,
} from './__testUtils__/complianceFixture';

describe('the tag compliance API', () => {
  let permissions: ReturnType<typeof fakePermissions>;

  async function app(
    options: {
      denies?: (request: AuthorizePermissionRequest) => boolean;
      credentials?: BackstageCredentials;
      items?: ResourceTagCompliance[];
    } = {},
  ) {
    permissions = fakePermissions(options.denies);
    const operations = new TagComplianceOperations({
      compliance: new InMemoryComplianceReader(
        options.items ?? complianceFixture(),
      ),
      permissions,
    });
    return express()
      .use(
        await createTagComplianceRouter({
          operations,
          httpAuth: mockServices.httpAuth({
            defaultCredentials: options.credentials ?? mockCredentials.user(),
          }),
        }),
      )
      .use(mockErrorHandler());
  }

  describe('GET /tag-compliance/summary', () => {
    it("answers a subscription's figure to a caller who may read its entity", async () => {
      const response = await request(await app()).get(
        `/tag-compliance/summary?subscriptionId=${SUBSCRIPTION_A.toUpperCase()}&days=7`,
      );
      expect(response.status).toBe(200);
      expect(response.body.scope).toEqual({
        kind: 'subscription',
        subscriptionId: SUBSCRIPTION_A,
      });
      expect(response.body.current).toMatchObject({
        resources: 4,
        compliant: 1,
        nonCompliant: 3,
        percent: 25,
        byPolicy: { 'owner-policy': 2, 'env-policy': 2 },
      });
      expect(permissions.authorize.mock.calls[0][0]).toEqual([
        expect.objectContaining({
          permission: expect.objectContaining({ name: 'catalog.entity.read' }),
          resourceRef: azureSubscriptionEntityRef(SUBSCRIPTION_A),
        }),
      ]);
    });

    it('refuses a subscription whose entity the caller may not read', async () => {
      const response = await request(
        await app({
          denies: deniesPermission(
            'catalog.entity.read',
            azureSubscriptionEntityRef(SUBSCRIPTION_A),
          ),
        }),
      ).get(`/tag-compliance/summary?subscriptionId=${SUBSCRIPTION_A}`);
      expect(response.status).toBe(403);
      expect(response.body.error.message).toMatch(/catalog\.entity\.read/);
    });

    it("answers an owner's figure, the kind group when omitted", async () => {
      const response = await request(await app()).get(
        '/tag-compliance/summary?ownerRef=platform',
      );
      expect(response.status).toBe(200);
      expect(response.body.scope).toEqual({
        kind: 'owner',
        ownerRef: PLATFORM_TEAM,
      });
      expect(response.body.current).toMatchObject({
        resources: 2,
        compliant: 1,
      });
    });

    it("refuses an owner's figure without read on the owner's entity", async () => {
      const response = await request(
        await app({
          denies: deniesPermission('catalog.entity.read', DATA_TEAM),
        }),
      ).get(
        `/tag-compliance/summary?ownerRef=${encodeURIComponent(DATA_TEAM)}`,
      );
      expect(response.status).toBe(403);
    });

    it('answers the figure of everything only with azure-tenant.tenant.read', async () => {
      const allowed = await request(await app()).get('/tag-compliance/summary');
      expect(allowed.status).toBe(200);
      expect(allowed.body.current).toMatchObject({ resources: 5, unknown: 1 });

      const refused = await request(
        await app({ denies: deniesPermission('azure-tenant.tenant.read') }),
      ).get('/tag-compliance/summary');
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(/azure-tenant\.tenant\.read/);
    });

    it('answers a service as it answers a user', async () => {
      const response = await request(
        await app({ credentials: mockCredentials.service() }),
      ).get('/tag-compliance/summary');
      expect(response.status).toBe(200);
    });

    it.each([
      ['days 0', 'days=0', /days/],
      ['days 401', 'days=401', /days/],
      ['days that are not a number', 'days=ten', /days/],
      [
        'a subscription id that is not a GUID',
        'subscriptionId=abc',
        /subscriptionId/,
      ],
      [
        'an owner that is a component',
        `ownerRef=${encodeURIComponent('component:default/x')}`,
        /ownerRef/,
      ],
      [
        'both a subscription and an owner',
        `subscriptionId=${SUBSCRIPTION_A}&ownerRef=platform`,
        /at most one of subscriptionId and ownerRef/,
      ],
      ['an unknown parameter', 'team=platform', /team/],
      [
        'an owner the query string cannot decode (half a surrogate pair)',
        'ownerRef=group%3Adefault%2Fpay%ED%A0%80ments',
        /ownerRef must name a catalog group or user/,
      ],
    ])('answers 400 to %s, naming it', async (_name, query, message) => {
      const response = await request(await app()).get(
        `/tag-compliance/summary?${query}`,
      );
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(message);
    });
  });

  describe('GET /tag-compliance/teams', () => {
    it("answers every team's figure and the unowned resources'", async () => {
      const response = await request(await app()).get(
        '/tag-compliance/teams?days=14',
      );
      expect(response.status).toBe(200);
      expect(
        response.body.teams.map((t: { ownerRef: string }) => t.ownerRef),
      ).toEqual([DATA_TEAM, PLATFORM_TEAM]);
      expect(response.body.unowned).toMatchObject({
        resources: 2,
        nonCompliant: 2,
        unknown: 1,
      });
    });

    it('needs azure-tenant.tenant.read, and says where a team finds its own figure', async () => {
      const response = await request(
        await app({ denies: deniesPermission('azure-tenant.tenant.read') }),
      ).get('/tag-compliance/teams');
      expect(response.status).toBe(403);
      expect(response.body.error.message).toMatch(/ownerRef/);
    });

    it('answers 400 to days out of range', async () => {
      const response = await request(await app()).get(
        '/tag-compliance/teams?days=999',
      );
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(/days/);
    });
  });

  describe('GET /tag-compliance/resources', () => {
    it('lists every matching resource, page after page, in the order of their ids', async () => {
      const server = await app();
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const response = await request(server).get(
          `/tag-compliance/resources?limit=2${
            cursor ? `&cursor=${cursor}` : ''
          }`,
        );
        expect(response.status).toBe(200);
        expect(response.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...response.body.items.map((i: any) => i.name));
        cursor = response.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen).toEqual([
        'web-1',
        'web-2',
        'web-3',
        'web-4',
        'api-1',
        'api-2',
      ]);
      expect(pages).toBe(3);
    });

    it('combines the filters', async () => {
      const response = await request(await app()).get(
        `/tag-compliance/resources?subscriptionId=${SUBSCRIPTION_A}&policyId=env-policy&status=non-compliant`,
      );
      expect(response.status).toBe(200);
      expect(response.body.items.map((i: any) => i.name)).toEqual([
        'web-2',
        'web-4',
      ]);
      expect(response.body.nextCursor).toBeUndefined();

      const owned = await request(await app()).get(
        `/tag-compliance/resources?ownerRef=${encodeURIComponent(DATA_TEAM)}`,
      );
      expect(owned.body.items.map((i: any) => i.name)).toEqual(['api-1']);
    });

    it('leaves out resources whose entity the caller may not read, asking once per page, and goes on after them', async () => {
      const [, hidden] = complianceFixture();
      const server = await app({ denies: deniesResources(hidden.resourceId) });
      const first = await request(server).get(
        '/tag-compliance/resources?limit=2',
      );
      expect(first.body.items.map((i: any) => i.name)).toEqual(['web-1']);
      expect(permissions.authorize).toHaveBeenCalledTimes(1);
      expect(permissions.authorize.mock.calls[0][0]).toHaveLength(2);
      const second = await request(server).get(
        `/tag-compliance/resources?limit=2&cursor=${first.body.nextCursor}`,
      );
      expect(second.body.items.map((i: any) => i.name)).toEqual([
        'web-3',
        'web-4',
      ]);
    });

    it('answers an empty last page when nothing matches', async () => {
      const response = await request(await app()).get(
        `/tag-compliance/resources?subscriptionId=${SUBSCRIPTION_B}&status=compliant&policyId=env-policy`,
      );
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [] });
    });

    it.each([
      ['limit 0', 'limit=0', /limit/],
      ['limit 501', 'limit=501', /limit/],
      ['an unknown status', 'status=broken', /status/],
      ['a cursor no list returned', 'cursor=bm90LWEtY3Vyc29y', /cursor/],
      [
        'a cursor that is not base64url',
        `cursor=${encodeURIComponent('a+b/c=')}`,
        /cursor/,
      ],
      ['an empty policy id', 'policyId=', /policyId/],
      [
        'an owner that is not a reference',
        `ownerRef=${encodeURIComponent('a:b:c')}`,
        /ownerRef/,
      ],
    ])('answers 400 to %s, naming it', async (_name, query, message) => {
      const response = await request(await app()).get(
        `/tag-compliance/resources?${query}`,
      );
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(message);
    });
  });

  describe('GET /tag-compliance/resource', () => {
    it("answers one resource's compliance, whatever the casing of its id", async () => {
      const [, resource] = complianceFixture();
      const response = await request(await app()).get(
        `/tag-compliance/resource?resourceId=${encodeURIComponent(
          resource.resourceId
            .toUpperCase()
            .replace('/SUBSCRIPTIONS/', '/subscriptions/'),
        )}`,
      );
      expect(response.status).toBe(200);
      expect(response.body).toEqual(resource);
    });

    it('answers 404 for a resource not evaluated, and 403 before looking when it may not be read', async () => {
      const unknown = `/subscriptions/${SUBSCRIPTION_A}/resourceGroups/rg/providers/Microsoft.Web/sites/none`;
      const missing = await request(await app()).get(
        `/tag-compliance/resource?resourceId=${encodeURIComponent(unknown)}`,
      );
      expect(missing.status).toBe(404);

      const refused = await request(
        await app({ denies: deniesResources(unknown) }),
      ).get(
        `/tag-compliance/resource?resourceId=${encodeURIComponent(unknown)}`,
      );
      expect(refused.status).toBe(403);
    });

    it.each([
      ['no resource id', '', /resourceId/],
      [
        'a subscription id',
        `resourceId=/subscriptions/${SUBSCRIPTION_A}`,
        /resourceId/,
      ],
      [
        'a path that climbs',
        `resourceId=${encodeURIComponent(
          `/subscriptions/${SUBSCRIPTION_A}/resourceGroups/rg/providers/Microsoft.Web/sites/..`,
        )}`,
        /resourceId/,
      ],
      [
        'a control character',
        `resourceId=${encodeURIComponent(
          `/subscriptions/${SUBSCRIPTION_A}/resourceGroups/rg/providers/Microsoft.Web/sites/a\u0000`,
        )}`,
        /resourceId/,
      ],
    ])('answers 400 to %s, naming it', async (_name, query, message) => {
      const response = await request(await app()).get(
        `/tag-compliance/resource?${query}`,
      );
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(message);
    });
  });
});
