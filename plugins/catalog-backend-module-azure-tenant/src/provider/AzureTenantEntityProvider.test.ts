import {
  ANNOTATION_AZURE_ACCESS_PROBLEM,
  ANNOTATION_AZURE_ACCESS_SINCE,
  ANNOTATION_AZURE_LAST_SYNC_ERROR,
  ANNOTATION_AZURE_LAST_SYNC_STATUS,
  ANNOTATION_AZURE_SYNC_MODE,
  AZURE_TENANT_EVENTS_TOPIC,
  azureResourceEntityRef,
  azureSubscriptionEntityRef,
} from '@azure-tenant/plugin-azure-tenant-common';
import { mockServices } from '@backstage/backend-test-utils';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  EntityProviderConnection,
  EntityProviderMutation,
} from '@backstage/plugin-catalog-node';
import { EventsServiceSubscribeOptions } from '@backstage/plugin-events-node';
import {
  SUBSCRIPTION_ID,
  demoOrg,
  resource,
  subscription,
} from '../__fixtures__/azureFixtures';
import { FakeAzureTenantCatalogClient } from '../__fixtures__/FakeAzureTenantCatalogClient';
import { AzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import { AzureTenantEntityProvider } from './AzureTenantEntityProvider';

class RecordingConnection implements EntityProviderConnection {
  readonly mutations: EntityProviderMutation[] = [];
  async applyMutation(mutation: EntityProviderMutation) {
    this.mutations.push(mutation);
  }
  async refresh() {}
  get last() {
    return this.mutations[this.mutations.length - 1];
  }
}

function refsOf(mutation: EntityProviderMutation | undefined) {
  if (!mutation) return [];
  const entities =
    mutation.type === 'full' ? mutation.entities : mutation.added;
  return entities.map(e => stringifyEntityRef(e.entity)).sort();
}

const vm1 = resource('vm-1', { tags: { owner: 'team-platform' } });
const vm2 = resource('vm-2');
const vm3 = resource('vm-3');

async function setup(
  options: {
    loadOwners?: () => Promise<AzureOwnerDirectory>;
    now?: () => number;
    defaultOwner?: string;
  } = {},
) {
  const client = new FakeAzureTenantCatalogClient(2);
  client.subscriptions = [subscription()];
  client.upsert(vm1, vm2, vm3);
  const logger = mockServices.logger.mock();
  let subscribeOptions: EventsServiceSubscribeOptions | undefined;
  const events = {
    publish: jest.fn(),
    subscribe: jest.fn(async (o: EventsServiceSubscribeOptions) => {
      subscribeOptions = o;
    }),
  };
  const provider = new AzureTenantEntityProvider({
    client,
    logger,
    events,
    loadOwners:
      options.loadOwners ??
      (async () => AzureOwnerDirectory.fromEntities(demoOrg)),
    now: options.now,
    defaultOwner: options.defaultOwner,
  });
  const connection = new RecordingConnection();
  await provider.connect(connection);
  await provider.idle();
  const emit = async (eventPayload: unknown) => {
    await subscribeOptions!.onEvent({
      topic: AZURE_TENANT_EVENTS_TOPIC,
      eventPayload,
    });
    await provider.idle();
  };
  return { client, logger, provider, connection, emit, events };
}

describe('AzureTenantEntityProvider', () => {
  it('applies a full mutation of resources and subscriptions on connect', async () => {
    const { connection, events } = await setup({
      defaultOwner: 'group:default/azure-admins',
    });

    expect(connection.mutations).toHaveLength(1);
    expect(connection.last.type).toBe('full');
    expect(refsOf(connection.last)).toEqual(
      [
        azureResourceEntityRef(vm1.resourceId),
        azureResourceEntityRef(vm2.resourceId),
        azureResourceEntityRef(vm3.resourceId),
        azureSubscriptionEntityRef(SUBSCRIPTION_ID),
      ].sort(),
    );
    const full = connection.last as Extract<
      EntityProviderMutation,
      { type: 'full' }
    >;
    expect(full.entities.map(e => e.locationKey)).toEqual(
      Array(4).fill(`azure-tenant:${SUBSCRIPTION_ID}`),
    );
    const vm1Entity = full.entities.find(
      e => e.entity.metadata.title === 'vm-1',
    )!.entity;
    expect(vm1Entity.spec?.owner).toBe('group:default/platform');
    expect(events.subscribe).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'catalog-azure-tenant',
        topics: [AZURE_TENANT_EVENTS_TOPIC],
      }),
    );
  });

  it('applies only the changed resources after an event', async () => {
    const { client, connection, emit } = await setup();
    client.upsert({ ...vm2, tags: { owner: 'data' } });

    await emit({
      type: 'resources-changed',
      subscriptionId: SUBSCRIPTION_ID,
      revision: 4,
    });

    expect(connection.mutations).toHaveLength(2);
    expect(connection.last).toMatchObject({ type: 'delta', removed: [] });
    expect(refsOf(connection.last)).toEqual([
      azureResourceEntityRef(vm2.resourceId),
    ]);
    const delta = connection.last as Extract<
      EntityProviderMutation,
      { type: 'delta' }
    >;
    expect(delta.added[0].entity.spec?.owner).toBe('group:default/data');
    expect(delta.added[0].locationKey).toBe(`azure-tenant:${SUBSCRIPTION_ID}`);
  });

  it('follows the change feed across pages', async () => {
    const { client, connection, provider } = await setup();
    const added = ['a', 'b', 'c', 'd', 'e'].map(name => resource(name));
    client.upsert(...added);

    await provider.refresh('delta');

    expect(connection.mutations).toHaveLength(2);
    expect(refsOf(connection.last)).toEqual(
      added.map(r => azureResourceEntityRef(r.resourceId)).sort(),
    );
    expect(client.calls.filter(c => c.startsWith('changes:'))).toEqual([
      'changes:3',
      'changes:5',
      'changes:7',
    ]);
  });

  it('writes nothing when a poll finds no change', async () => {
    const { client, connection, provider } = await setup();

    await provider.refresh('delta');
    await provider.refresh('delta');

    expect(connection.mutations).toHaveLength(1);
    expect(client.calls).toContain('changes:3');
  });

  it('ignores an event for a revision it has already applied', async () => {
    const { client, connection, emit } = await setup();
    const callsBefore = client.calls.length;

    await emit({
      type: 'resources-changed',
      subscriptionId: SUBSCRIPTION_ID,
      revision: 3,
    });

    expect(client.calls.length).toBe(callsBefore);
    expect(connection.mutations).toHaveLength(1);
  });

  it('removes resources that are gone, with their location key', async () => {
    const { client, connection, provider } = await setup();
    client.remove(vm3.resourceId);

    await provider.refresh('delta');

    expect(connection.last).toEqual({
      type: 'delta',
      added: [],
      removed: [
        {
          entityRef: azureResourceEntityRef(vm3.resourceId),
          locationKey: `azure-tenant:${SUBSCRIPTION_ID}`,
        },
      ],
    });
  });

  it('removes a resource that changed and then went away within one delta', async () => {
    const { client, connection, provider } = await setup();
    client.upsert({ ...vm1, name: 'vm-1-renamed' });
    client.remove(vm1.resourceId);

    await provider.refresh('delta');

    const delta = connection.last as Extract<
      EntityProviderMutation,
      { type: 'delta' }
    >;
    expect(delta.added).toEqual([]);
    expect(delta.removed).toEqual([
      expect.objectContaining({
        entityRef: azureResourceEntityRef(vm1.resourceId),
      }),
    ]);
  });

  it('applies nothing when a page of the full listing fails, and keeps the last good state', async () => {
    const { client, connection, provider, logger } = await setup();
    client.upsert(resource('vm-4'));
    client.failResourcePage = 1;

    await provider.refresh('full');

    expect(connection.mutations).toHaveLength(1);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('502 Bad Gateway'),
      { refresh: 'full', errorName: expect.any(String) },
    );

    // The cursor is unchanged: the next delta still brings the change.
    client.failResourcePage = undefined;
    await provider.refresh('delta');
    expect(connection.last.type).toBe('delta');
    expect(refsOf(connection.last)).toEqual([
      azureResourceEntityRef(resource('vm-4').resourceId),
    ]);
  });

  it('applies no full mutation before a listing has succeeded', async () => {
    const client = new FakeAzureTenantCatalogClient(2);
    client.subscriptions = [subscription()];
    client.upsert(vm1, vm2, vm3);
    client.failResourcePage = 1;
    const provider = new AzureTenantEntityProvider({
      client,
      logger: mockServices.logger.mock(),
    });
    const connection = new RecordingConnection();

    await provider.connect(connection);
    await provider.idle();
    await provider.refresh('delta');
    expect(connection.mutations).toEqual([]);

    client.failResourcePage = undefined;
    await provider.refresh('delta');
    expect(connection.mutations).toHaveLength(1);
    expect(connection.last.type).toBe('full');
  });

  it('re-emits the subscription entity when its last sync fails', async () => {
    const { client, connection, emit } = await setup();
    client.subscriptions = [
      subscription({
        lastSync: {
          status: 'failed',
          finishedAt: '2025-01-01T00:00:00.000Z',
          error: 'AuthorizationFailed',
        },
      }),
    ];

    await emit({
      type: 'subscription-changed',
      subscriptionId: SUBSCRIPTION_ID,
    });

    expect(refsOf(connection.last)).toEqual([
      azureSubscriptionEntityRef(SUBSCRIPTION_ID),
    ]);
    const delta = connection.last as Extract<
      EntityProviderMutation,
      { type: 'delta' }
    >;
    expect(delta.added[0].entity.metadata.annotations).toMatchObject({
      [ANNOTATION_AZURE_LAST_SYNC_STATUS]: 'failed',
      [ANNOTATION_AZURE_LAST_SYNC_ERROR]: 'AuthorizationFailed',
    });

    // The same subscription again is no change.
    await emit({
      type: 'subscription-changed',
      subscriptionId: SUBSCRIPTION_ID,
    });
    expect(connection.mutations).toHaveLength(2);
  });

  it('marks and unmarks lost access on the subscription entity alone, without rewriting its resources', async () => {
    const { client, connection, emit } = await setup();
    const resourcesBefore = refsOf(connection.last).filter(
      ref => ref !== azureSubscriptionEntityRef(SUBSCRIPTION_ID),
    );
    expect(resourcesBefore.length).toBeGreaterThan(0);
    const access = {
      problem: 'read-denied' as const,
      message: 'Azure refused to let the portal read the subscription.',
      since: '2025-01-02T03:04:05.000Z',
      checkedAt: '2025-01-02T03:04:05.000Z',
      action: 'reconnect' as const,
      nextAttemptAt: '2025-01-02T03:14:05.000Z',
    };
    const changed = async () => {
      await emit({
        type: 'subscription-changed',
        subscriptionId: SUBSCRIPTION_ID,
      });
      return connection.last as Extract<
        EntityProviderMutation,
        { type: 'delta' }
      >;
    };

    client.subscriptions = [subscription({ access })];
    const lost = await changed();
    expect(refsOf(lost)).toEqual([azureSubscriptionEntityRef(SUBSCRIPTION_ID)]);
    expect(lost.removed).toEqual([]);
    expect(lost.added[0].entity.metadata.annotations).toMatchObject({
      [ANNOTATION_AZURE_ACCESS_PROBLEM]: 'read-denied',
      [ANNOTATION_AZURE_ACCESS_SINCE]: '2025-01-02T03:04:05.000Z',
    });

    // A later try that finds the same problem changes nothing in the catalog.
    const mutations = connection.mutations.length;
    client.subscriptions = [
      subscription({
        access: {
          ...access,
          checkedAt: '2025-01-02T03:14:05.000Z',
          nextAttemptAt: '2025-01-02T03:34:05.000Z',
        },
      }),
    ];
    await changed();
    expect(connection.mutations).toHaveLength(mutations);

    client.subscriptions = [subscription()];
    const back = await changed();
    expect(refsOf(back)).toEqual([azureSubscriptionEntityRef(SUBSCRIPTION_ID)]);
    expect(back.removed).toEqual([]);
    expect(back.added[0].entity.metadata.annotations).not.toHaveProperty(
      ANNOTATION_AZURE_ACCESS_PROBLEM,
    );
    expect(back.added[0].entity.metadata.annotations).not.toHaveProperty(
      ANNOTATION_AZURE_ACCESS_SINCE,
    );
  });

  it('removes the entity of a subscription that is no longer onboarded', async () => {
    const { client, connection, provider } = await setup();
    client.subscriptions = [];

    await provider.refresh('delta');

    expect(connection.last).toEqual({
      type: 'delta',
      added: [],
      removed: [
        {
          entityRef: azureSubscriptionEntityRef(SUBSCRIPTION_ID),
          locationKey: `azure-tenant:${SUBSCRIPTION_ID}`,
        },
      ],
    });
  });

  it('never runs two refreshes at once and coalesces the ones asked for meanwhile', async () => {
    const { client, connection, provider } = await setup();
    let running = 0;
    let maxRunning = 0;
    const listSubscriptions = client.listSubscriptions.bind(client);
    client.listSubscriptions = async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise(resolve => setTimeout(resolve, 5));
      running--;
      return listSubscriptions();
    };
    client.upsert(resource('vm-5'));

    await Promise.all([
      provider.refresh('delta'),
      provider.refresh('delta'),
      provider.refresh('delta'),
      provider.refresh('delta'),
    ]);

    expect(maxRunning).toBe(1);
    // The first request runs; the three that arrive meanwhile become one run.
    expect(client.calls.filter(c => c === 'subscriptions')).toHaveLength(3);
    expect(connection.mutations).toHaveLength(2);
  });

  it('reconciles with a full run when the owners in the catalog change', async () => {
    let time = 0;
    let org = demoOrg.filter(e => e.metadata.name !== 'platform');
    const { connection, provider } = await setup({
      loadOwners: async () => AzureOwnerDirectory.fromEntities(org),
      now: () => time,
    });
    const ownerOf = (mutation: EntityProviderMutation) =>
      (mutation.type === 'full' ? mutation.entities : mutation.added).find(
        e => e.entity.metadata.title === 'vm-1',
      )?.entity.spec?.owner;
    expect(ownerOf(connection.last)).toBe('group:default/azure-tenant-unowned');

    org = demoOrg;
    await provider.refresh('delta'); // The directory is still fresh.
    expect(connection.mutations).toHaveLength(1);

    // vm-1's owner tag names a group the directory did not have (the catalog was still ingesting the
    // organization, say): the directory is loaded again after 30 seconds, not 5 minutes.
    time += 30 * 1000;
    await provider.refresh('delta');
    expect(connection.mutations).toHaveLength(2);
    expect(connection.last.type).toBe('full');
    expect(ownerOf(connection.last)).toBe('group:default/platform');
  });

  it('keeps a directory that resolves every owner tag for 5 minutes', async () => {
    let time = 0;
    const loadOwners = jest.fn(async () =>
      AzureOwnerDirectory.fromEntities(demoOrg),
    );
    const { connection, provider } = await setup({
      loadOwners,
      now: () => time,
    });
    expect(loadOwners).toHaveBeenCalledTimes(1);

    time += 4 * 60 * 1000;
    await provider.refresh('delta');
    expect(loadOwners).toHaveBeenCalledTimes(1);

    time += 60 * 1000;
    await provider.refresh('delta');
    expect(loadOwners).toHaveBeenCalledTimes(2);
    // The same directory: nothing to rebuild.
    expect(connection.mutations).toHaveLength(1);
  });

  it('keeps the previous owners when the catalog cannot be read', async () => {
    let fail = false;
    const { connection, provider, logger } = await setup({
      loadOwners: async () => {
        if (fail) throw new Error('catalog unavailable');
        return AzureOwnerDirectory.fromEntities(demoOrg);
      },
    });
    fail = true;

    await provider.refresh('full');

    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('catalog unavailable'),
      { errorName: expect.any(String) },
    );
    expect(connection.mutations).toHaveLength(2);
    const full = connection.last as Extract<
      EntityProviderMutation,
      { type: 'full' }
    >;
    expect(
      full.entities.find(e => e.entity.metadata.title === 'vm-1')?.entity.spec
        ?.owner,
    ).toBe('group:default/platform');
  });

  it('leaves out resources of a subscription whose mode is none', async () => {
    const { client, connection, provider } = await setup({
      defaultOwner: 'group:default/azure-admins',
    });
    client.subscriptions = [subscription({ syncMode: 'none' })];

    await provider.refresh('full');

    expect(refsOf(connection.last)).toEqual([
      azureSubscriptionEntityRef(SUBSCRIPTION_ID),
    ]);
  });

  // Issue 12: a switch to no-tags reached the entities only once the sync had purged the tags and the feed carried
  // every resource (101 s in the demo), and a switch between read modes only when the catalog processed them again.
  it.each([
    ['no-tags', false],
    ['read-tags', true],
  ] as const)(
    'rebuilds every resource entity of a subscription at once when its mode becomes %s, before the sync has run',
    async (mode, keepsTags) => {
      const { client, connection, emit } = await setup({
        defaultOwner: 'group:default/azure-admins',
      });
      client.subscriptions = [subscription({ syncMode: mode })];

      await emit({
        type: 'subscription-changed',
        subscriptionId: SUBSCRIPTION_ID,
      });

      expect(connection.last.type).toBe('full');
      const full = connection.last as Extract<
        EntityProviderMutation,
        { type: 'full' }
      >;
      const vm = full.entities.find(
        e => e.entity.metadata.title === 'vm-1',
      )!.entity;
      expect(vm.metadata.annotations?.[ANNOTATION_AZURE_SYNC_MODE]).toBe(mode);
      expect((vm.spec?.azure as any).tags !== undefined).toBe(keepsTags);

      // The next event without a new mode is a delta again.
      await emit({
        type: 'subscription-changed',
        subscriptionId: SUBSCRIPTION_ID,
      });
      expect(connection.mutations.filter(m => m.type === 'full')).toHaveLength(
        2,
      );
    },
  );

  it('removes the resource entities at once when the mode becomes none', async () => {
    const { client, connection, emit } = await setup({
      defaultOwner: 'group:default/azure-admins',
    });
    client.subscriptions = [subscription({ syncMode: 'none' })];

    await emit({
      type: 'subscription-changed',
      subscriptionId: SUBSCRIPTION_ID,
    });

    expect(connection.last.type).toBe('full');
    expect(refsOf(connection.last)).toEqual([
      azureSubscriptionEntityRef(SUBSCRIPTION_ID),
    ]);
  });

  describe('without a configured default owner', () => {
    it('owns what has no known owner by a group it adds to the catalog itself', async () => {
      const { connection, provider } = await setup();
      const unowned = 'group:default/azure-tenant-unowned';
      const full = connection.last as Extract<
        EntityProviderMutation,
        { type: 'full' }
      >;
      const group = full.entities.find(
        e => stringifyEntityRef(e.entity) === unowned,
      );
      expect(group?.entity).toMatchObject({
        kind: 'Group',
        spec: { type: 'team', children: [] },
      });
      expect(group?.entity.metadata.description).toMatch(
        /catalog.providers.azureTenant.defaultOwner/,
      );
      const ownerOf = (title: string) =>
        full.entities.find(e => e.entity.metadata.title === title)?.entity.spec
          ?.owner;
      expect(ownerOf('vm-2')).toBe(unowned);
      expect(ownerOf('vm-1')).toBe('group:default/platform');

      // Every full run keeps the group; delta runs leave it alone.
      await provider.refresh('full');
      expect(refsOf(connection.last)).toContain(unowned);
    });

    it('adds no group when a default owner is configured', async () => {
      const { connection } = await setup({
        defaultOwner: 'group:default/azure-admins',
      });
      expect(refsOf(connection.last)).not.toContain(
        'group:default/azure-tenant-unowned',
      );
      const full = connection.last as Extract<
        EntityProviderMutation,
        { type: 'full' }
      >;
      expect(
        full.entities.find(e => e.entity.metadata.title === 'vm-2')?.entity.spec
          ?.owner,
      ).toBe('group:default/azure-admins');
    });
  });
});
