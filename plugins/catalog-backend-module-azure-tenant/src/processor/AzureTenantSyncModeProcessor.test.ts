import {
  ANNOTATION_AZURE_SUBSCRIPTION_ID,
  ANNOTATION_AZURE_SYNC_MODE,
  SyncMode,
} from '@azure-tenant/plugin-azure-tenant-common';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { SUBSCRIPTION_ID, subscription } from '../__fixtures__/azureFixtures';
import { AzureSubscriptionSyncModes } from './AzureSubscriptionSyncModes';
import { AzureTenantSyncModeProcessor } from './AzureTenantSyncModeProcessor';

function taggedEntity(mode: SyncMode = 'read-write-tags'): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: 'vm-1',
      annotations: {
        [ANNOTATION_AZURE_SUBSCRIPTION_ID]: SUBSCRIPTION_ID.toUpperCase(),
        [ANNOTATION_AZURE_SYNC_MODE]: mode,
      },
    },
    spec: {
      type: 'azure-virtualmachines',
      owner: 'group:default/platform',
      azure: {
        resourceId: '/subscriptions/x/resourceGroups/rg/providers/a/b/vm-1',
        tags: { owner: 'platform' },
        portalTags: { note: 'hi' },
      },
    },
  };
}

function setup(modes: () => Promise<SyncMode>) {
  const listSubscriptions = jest.fn(async () => [
    subscription({ syncMode: await modes() }),
  ]);
  let time = 0;
  const logger = mockServices.logger.mock();
  const syncModes = new AzureSubscriptionSyncModes({
    client: { listSubscriptions },
    logger,
    now: () => time,
  });
  const processor = new AzureTenantSyncModeProcessor({ syncModes });
  const process = (entity: Entity) => processor.preProcessEntity(entity);
  return {
    process,
    listSubscriptions,
    logger,
    advance: (ms: number) => (time += ms),
  };
}

describe('AzureTenantSyncModeProcessor', () => {
  it.each(['no-tags', 'none'] as const)(
    'removes Azure and portal-only tags under %s and shows the mode',
    async mode => {
      const { process } = setup(async () => mode);
      const result = await process(taggedEntity());

      expect(result.spec?.azure).toEqual({
        resourceId: '/subscriptions/x/resourceGroups/rg/providers/a/b/vm-1',
      });
      expect(result.metadata.annotations?.[ANNOTATION_AZURE_SYNC_MODE]).toBe(
        mode,
      );
      expect(result.spec?.owner).toBe('group:default/platform');
    },
  );

  it.each(['read-tags', 'read-write-tags'] as const)(
    'keeps tags under %s',
    async mode => {
      const { process } = setup(async () => mode);
      const result = await process(taggedEntity('no-tags'));

      expect(result.spec?.azure).toMatchObject({
        tags: { owner: 'platform' },
        portalTags: { note: 'hi' },
      });
      expect(result.metadata.annotations?.[ANNOTATION_AZURE_SYNC_MODE]).toBe(
        mode,
      );
    },
  );

  it('uses the current mode once the cached one is older than its time to live', async () => {
    let mode: SyncMode = 'read-tags';
    const { process, listSubscriptions, advance } = setup(async () => mode);
    await process(taggedEntity());
    mode = 'no-tags';

    const cached = await process(taggedEntity());
    expect(cached.spec?.azure).toHaveProperty('tags');

    advance(10_000);
    const fresh = await process(taggedEntity());
    expect(fresh.spec?.azure).not.toHaveProperty('tags');
    expect(listSubscriptions).toHaveBeenCalledTimes(2);
  });

  it('does not put a cached older mode back on an entity the provider built with the new one', async () => {
    let mode: SyncMode = 'read-write-tags';
    const { process, listSubscriptions, advance } = setup(async () => mode);
    await process(taggedEntity());
    // The mode changes; the provider rebuilds the entity with it within the cache's time to live.
    mode = 'no-tags';
    advance(1_000);

    const processed = await process(taggedEntity('no-tags'));
    expect(processed.metadata.annotations?.[ANNOTATION_AZURE_SYNC_MODE]).toBe(
      'no-tags',
    );
    expect(processed.spec?.azure).not.toHaveProperty('tags');
    expect(listSubscriptions).toHaveBeenCalledTimes(2);

    // Entities that agree with the listing cost no request.
    await process(taggedEntity('no-tags'));
    expect(listSubscriptions).toHaveBeenCalledTimes(2);
  });

  it('asks the backend once for many entities processed at the same time', async () => {
    const { process, listSubscriptions } = setup(async () => 'no-tags');
    await Promise.all(
      Array.from({ length: 20 }, () => process(taggedEntity())),
    );
    expect(listSubscriptions).toHaveBeenCalledTimes(1);
  });

  it('leaves the entity as it is and logs once when the backend is down', async () => {
    const { process, logger } = setup(async () => {
      throw new Error('connect ECONNREFUSED');
    });
    const entity = taggedEntity();

    const results = await Promise.all([process(entity), process(entity)]);
    await process(entity);

    expect(results[0]).toBe(entity);
    expect(results[1]).toBe(entity);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('ECONNREFUSED'),
      { errorName: 'Error' },
    );
  });

  it('leaves entities of other subscriptions and without the annotation alone', async () => {
    const { process, listSubscriptions } = setup(async () => 'none');
    const plain: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'web' },
      spec: { azure: { tags: { a: 'b' } } },
    };
    expect(await process(plain)).toBe(plain);
    expect(listSubscriptions).not.toHaveBeenCalled();

    const other = taggedEntity();
    other.metadata.annotations![ANNOTATION_AZURE_SUBSCRIPTION_ID] =
      '99999999-9999-9999-9999-999999999999';
    expect(await process(other)).toBe(other);
  });
});
