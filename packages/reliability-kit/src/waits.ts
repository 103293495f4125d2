/*
 * Waiting on what a test backend shows: the demo organization in the catalog, finished syncs, Resource entities.
 * Each waits on an observed condition (see {@link eventually}), never for a fixed time.
 */
import request from 'supertest';
import { ApiClient, asUser } from './apiClient';
import { eventually } from './eventually';

/** Waits until the catalog holds the demo organization, so that ownership and admins resolve. */
export async function waitForOrganization(api: ApiClient): Promise<void> {
  await eventually(async () => {
    const response = await api.json(
      'GET',
      '/api/catalog/entities/by-name/user/default/alice',
      'admin',
    );
    if (
      response.status !== 200 ||
      !response.body.relations?.some(
        (r: { type: string }) => r.type === 'memberOf',
      )
    ) {
      throw new Error(
        `the catalog has no user alice yet (${
          response.status
        } ${response.text.slice(0, 500)})`,
      );
    }
  });
}

/** Waits until every subscription has a successful sync that finished after `after`. */
export async function waitForSync(
  api: ApiClient,
  subscriptionIds: string[],
  after = 0,
): Promise<void> {
  await eventually(
    async () => {
      const response = await api.json(
        'GET',
        '/api/azure-tenant/subscriptions',
        'admin',
      );
      for (const id of subscriptionIds) {
        const subscription = response.body.items.find(
          (s: { subscriptionId: string }) => s.subscriptionId === id,
        );
        if (
          !subscription ||
          subscription.syncRequestedAt ||
          subscription.lastSync?.status !== 'succeeded' ||
          Date.parse(subscription.lastSync.finishedAt) < after
        ) {
          throw new Error(`subscription ${id} is not synced yet`);
        }
      }
    },
    { timeoutMs: 60_000 },
  );
}

/**
 * Waits until the catalog holds the Resource entity of a synced Azure resource, owned (by `expectedOwner` when
 * given: the catalog module falls back to its default owner while the owner tag's group is not in the catalog yet,
 * and resolves it again later).
 */
export async function waitForResourceEntity(
  api: ApiClient,
  resourceId: string,
  expectedOwner?: string,
): Promise<any> {
  return eventually(
    async () => {
      const response = await api.json(
        'GET',
        `/api/catalog/entities/by-query?filter=kind=resource,metadata.annotations.management.azure.com/resourceId=${encodeURIComponent(
          resourceId,
        )}`,
        'admin',
      );
      const [entity] = response.body?.items ?? [];
      if (
        !entity?.relations?.some((r: { type: string }) => r.type === 'ownedBy')
      ) {
        throw new Error(`no entity for ${resourceId} yet`);
      }
      if (expectedOwner && entity.spec?.owner !== expectedOwner) {
        throw new Error(
          `the entity of ${resourceId} is owned by ${entity.spec?.owner}, not ${expectedOwner}, yet`,
        );
      }
      return entity;
    },
    { timeoutMs: 90_000 },
  );
}

/** A subscription as `GET /subscriptions` shows it. */
export async function subscriptionOf(
  server: any,
  subscriptionId: string,
): Promise<any> {
  const { body, status } = await request(server)
    .get('/api/azure-tenant/subscriptions')
    .set('authorization', asUser);
  expect(status).toBe(200);
  return body.items.find((s: any) => s.subscriptionId === subscriptionId);
}

/** Waits until the last sync of each subscription has succeeded (the first scheduled sync, say). */
export async function waitForSucceededSyncs(
  server: any,
  subscriptionIds: string[],
  timeoutMs = 90_000,
): Promise<void> {
  await eventually(
    async () => {
      for (const subscriptionId of subscriptionIds) {
        expect(
          (await subscriptionOf(server, subscriptionId)).lastSync?.status,
        ).toBe('succeeded');
      }
    },
    { timeoutMs },
  );
}

/** Asks for Sync now on a subscription, as an admin would. */
export async function requestSync(
  server: any,
  subscriptionId: string,
): Promise<void> {
  const response = await request(server)
    .post(`/api/azure-tenant/subscriptions/${subscriptionId}/sync`)
    .set('authorization', asUser);
  expect(response.status).toBe(202);
}

/** Asks for Sync now on each subscription and waits until each has finished a sync after the request. */
export async function syncAndWait(
  server: any,
  subscriptionIds: string[],
  timeoutMs = 60_000,
): Promise<Record<string, any>> {
  const before = Date.now();
  for (const subscriptionId of subscriptionIds) {
    await requestSync(server, subscriptionId);
  }
  const done: Record<string, any> = {};
  await eventually(
    async () => {
      for (const subscriptionId of subscriptionIds) {
        const subscription = await subscriptionOf(server, subscriptionId);
        expect(subscription.syncRequestedAt).toBeUndefined();
        expect(
          Date.parse(subscription.lastSync?.finishedAt ?? '0'),
        ).toBeGreaterThanOrEqual(before);
        done[subscriptionId] = subscription;
      }
    },
    { timeoutMs },
  );
  return done;
}
