import express from 'express';
import request from 'supertest';
import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { AzureTenantStore } from '../database/AzureTenantStore';
import { ResourceStore } from '../database/ResourceStore';
import { DEMO_SUBSCRIPTIONS } from '@azure-tenant/azure-emulator';
import { spec } from '../schema/openapi';
import {
  createRouter,
  parseCatalogCursor,
  parseResourceGroupCursor,
} from './router';

const cursorOf = (key: string) =>
  Buffer.from(key, 'utf8').toString('base64url');

// Found by the reliability suite (packages/reliability-kit/src/badInput.test.ts): a foreign cursor answered an
// empty page, which the catalog module would take for the end of the feed.
describe('parseCatalogCursor', () => {
  const key =
    '/subscriptions/8d4e1b72-5a3c-4f6e-b2d9-7c1e3a5f9b02/resourcegroups/rg/providers/microsoft.keyvault/vaults/kv-1';

  it('accepts a cursor the feed returns, and no cursor', () => {
    expect(parseCatalogCursor(cursorOf(key))).toBe(cursorOf(key));
    expect(parseCatalogCursor(undefined)).toBeUndefined();
    expect(parseCatalogCursor('')).toBeUndefined();
  });

  it.each([
    ['not base64url', 'garbage'],
    ['padded base64', `${cursorOf(key)}==`],
    ['a path traversal', cursorOf('../../etc/passwd')],
    ['a key with a NUL', cursorOf(`${key}\u0000`)],
    [
      'invalid UTF-8',
      Buffer.from([0x2f, 0xed, 0xa0, 0x80]).toString('base64url'),
    ],
    [
      'a subscription that is not a GUID',
      cursorOf('/subscriptions/x/resourcegroups/rg'),
    ],
  ])('refuses %s with a 400 that names the cursor', (_what, cursor) => {
    expect(() => parseCatalogCursor(cursor)).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: expect.stringContaining('cursor is not a cursor'),
      }),
    );
  });
});

describe('parseResourceGroupCursor', () => {
  const key = '8d4e1b72-5a3c-4f6e-b2d9-7c1e3a5f9b02/rg-Web_1.(prod)';

  it('accepts a cursor GET /catalog/resource-groups returns, and no cursor', () => {
    expect(parseResourceGroupCursor(cursorOf(key))).toBe(cursorOf(key));
    expect(parseResourceGroupCursor(undefined)).toBeUndefined();
  });

  it.each([
    [
      'a cursor of the resource feed',
      cursorOf('/subscriptions/x/resourcegroups/rg'),
    ],
    ['a group name with a slash', cursorOf(`${key}/providers`)],
    ['a group name with a NUL', cursorOf(`${key}\u0000`)],
    ['not base64url', 'garbage'],
  ])('refuses %s with a 400 that names the cursor', (_what, cursor) => {
    expect(() => parseResourceGroupCursor(cursor)).toThrow(
      /cursor is not a cursor that GET \/catalog\/resource-groups returned/,
    );
  });
});

describe('createRouter', () => {
  const SUBSCRIPTION = DEMO_SUBSCRIPTIONS.payments;

  async function app(options: { allow: boolean }) {
    const store = {
      getSubscription: jest.fn(async () => ({
        subscriptionId: SUBSCRIPTION,
        syncMode: 'read-tags',
      })),
      setSyncMode: jest.fn(),
    };
    const router = await createRouter({
      store: store as unknown as AzureTenantStore,
      resources: {} as ResourceStore,
      events: mockServices.events.mock(),
      portalUrl: 'http://localhost:3000/azure-tenants',
      httpAuth: mockServices.httpAuth({
        defaultCredentials: mockCredentials.user(),
      }),
      permissions: mockServices.permissions.mock({
        authorize: async requests =>
          requests.map(() => ({
            result: options.allow
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
          })),
      }),
      auditor: mockServices.auditor.mock(),
    });
    return {
      store,
      server: express().use(router).use(mockErrorHandler()),
    };
  }

  it('serves the generated document, with every route of the plugin', async () => {
    const { server } = await app({ allow: true });
    const response = await request(server).get('/openapi.json');
    expect(response.status).toBe(200);
    expect(Object.keys(response.body.paths).sort()).toEqual(
      Object.keys(spec.paths).sort(),
    );
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining(['/health', '/spend', '/tags', '/tags/bulk']),
    );
  });

  it('refuses a request that does not match the document before its handler runs', async () => {
    const { server, store } = await app({ allow: true });
    const response = await request(server)
      .put(`/subscriptions/${SUBSCRIPTION}/sync-mode`)
      .send({ syncMode: 'sometimes' });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/syncMode/);
    expect(store.getSubscription).not.toHaveBeenCalled();
  });

  it('names the action a denied caller may not take, not the permission', async () => {
    const { server, store } = await app({ allow: false });
    const response = await request(server)
      .put(`/subscriptions/${SUBSCRIPTION}/sync-mode`)
      .send({ syncMode: 'none' });
    expect(response.status).toBe(403);
    expect(response.body.error.message).toBe(
      'You may not change the sync mode of this subscription',
    );
    expect(store.setSyncMode).not.toHaveBeenCalled();
  });

  it('leaves the paths of the spend and tags routers to them', async () => {
    const { server } = await app({ allow: true });
    // Not validated here, so an invalid spend query falls through to a 404 instead of this router's 400.
    const response = await request(server).get('/spend?granularity=week');
    expect(response.status).toBe(404);
  });
});
