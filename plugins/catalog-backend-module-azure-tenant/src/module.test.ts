import {
  AZURE_TENANT_EVENTS_TOPIC,
  azureResourceEntityName,
  azureSubscriptionEntityName,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  EventsService,
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import express from 'express';
import request from 'supertest';
import { resource, subscription } from './__fixtures__/azureFixtures';
import { FakeAzureTenantCatalogClient } from './__fixtures__/FakeAzureTenantCatalogClient';
import catalogModuleAzureTenant from './index';

/**
 * Reads what the catalog shows until `done` holds or 60 s have passed, and returns the last reading, for the test's
 * own assertions to judge. The catalog processes entities in the background, so the test waits for what it expects.
 */
async function readUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
): Promise<T> {
  const deadline = Date.now() + 60_000;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}

jest.setTimeout(60_000);

/** Stands in for the Azure tenant backend plugin: its catalog feed, served from memory. */
function fakeAzureTenantPlugin(
  feed: FakeAzureTenantCatalogClient,
  onEvents: (events: EventsService) => void,
) {
  return createBackendPlugin({
    pluginId: 'azure-tenant',
    register(reg) {
      reg.registerInit({
        deps: { httpRouter: coreServices.httpRouter, events: eventsServiceRef },
        async init({ httpRouter, events }) {
          onEvents(events);
          const router = express.Router();
          router.get('/catalog/resources', async (req, res) => {
            res.json(await feed.listResources(req.query.cursor as string));
          });
          router.get('/catalog/resource-groups', async (req, res) => {
            res.json(
              await feed.listResourceGroups({
                subscriptionId: req.query.subscriptionId as string | undefined,
                cursor: req.query.cursor as string | undefined,
              }),
            );
          });
          router.get('/catalog/changes', async (req, res) => {
            res.json(await feed.listChanges(Number(req.query.after)));
          });
          router.get('/subscriptions', async (_req, res) => {
            res.json({ items: await feed.listSubscriptions() });
          });
          httpRouter.use(router);
        },
      });
    },
  });
}

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'catalog module on %p',
  databaseId => {
    it('puts subscriptions and resources in the catalog and follows changes announced by events', async () => {
      const knex = await databases.init(databaseId);
      const feed = new FakeAzureTenantCatalogClient(2);
      feed.subscriptions = [subscription()];
      const vm1 = resource('vm-1', { tags: { env: 'prod' } });
      const vm2 = resource('vm-2');
      const vm3 = resource('vm-3');
      feed.upsert(vm1, vm2, vm3);
      feed.resourceGroups.set(subscription().subscriptionId, [
        { name: 'rg-web' },
      ]);
      const groupName = azureResourceEntityName(
        `/subscriptions/${subscription().subscriptionId}/resourceGroups/rg-web`,
      );
      let events: EventsService | undefined;

      const { server } = await startTestBackend({
        features: [
          catalogPlugin,
          catalogModuleAzureTenant,
          fakeAzureTenantPlugin(feed, e => {
            events = e;
          }),
          eventsServiceFactory,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              catalog: {
                providers: {
                  azureTenant: {
                    defaultOwner: 'group:default/azure-admins',
                    schedule: { frequency: '10m', timeout: '1m' },
                  },
                },
              },
            },
          }),
        ],
      });

      const resourceNames = async () => {
        const response = await request(server)
          .get('/api/catalog/entities/by-query')
          .query({ filter: 'kind=resource', limit: 100 })
          .set('Authorization', mockCredentials.user.header());
        expect(response.status).toBe(200);
        return (response.body.items as Entity[])
          .map(e => e.metadata.name)
          .sort();
      };
      const waitFor = async (expected: string[]) => {
        const names = await readUntil(
          resourceNames,
          current => JSON.stringify(current) === JSON.stringify(expected),
        );
        expect(names).toEqual(expected);
      };

      await waitFor(
        [
          azureSubscriptionEntityName(subscription().subscriptionId),
          groupName,
          ...[vm1, vm2, vm3].map(r => azureResourceEntityName(r.resourceId)),
        ].sort(),
      );

      const entity = await request(server)
        .get(
          `/api/catalog/entities/by-name/resource/default/${azureResourceEntityName(
            vm1.resourceId,
          )}`,
        )
        .set('Authorization', mockCredentials.user.header());
      expect(entity.body.spec).toMatchObject({
        owner: 'group:default/azure-admins',
        azure: { tags: { env: 'prod' } },
      });
      expect(entity.body.relations).toEqual(
        expect.arrayContaining([
          { type: 'dependencyOf', targetRef: `resource:default/${groupName}` },
        ]),
      );
      // The subscription draws its groups, and each group its resources.
      const group = await readUntil(
        () =>
          request(server)
            .get(`/api/catalog/entities/by-name/resource/default/${groupName}`)
            .set('Authorization', mockCredentials.user.header()),
        response =>
          response.body.relations?.some(
            (r: { type: string }) => r.type === 'dependencyOf',
          ),
      );
      expect(group.body.metadata.description).toBe(
        'Azure resource group rg-web. 3 resources: 3 virtual machines.',
      );
      expect(group.body.relations).toEqual(
        expect.arrayContaining([
          {
            type: 'dependencyOf',
            targetRef: `resource:default/${azureSubscriptionEntityName(
              subscription().subscriptionId,
            )}`,
          },
          {
            type: 'dependsOn',
            targetRef: `resource:default/${azureResourceEntityName(
              vm1.resourceId,
            )}`,
          },
        ]),
      );

      const vm4 = resource('vm-4');
      feed.remove(vm2.resourceId);
      feed.upsert(vm4);
      await events!.publish({
        topic: AZURE_TENANT_EVENTS_TOPIC,
        eventPayload: {
          type: 'resources-changed',
          subscriptionId: vm4.subscriptionId,
          revision: 5,
        },
      });

      await waitFor(
        [
          azureSubscriptionEntityName(subscription().subscriptionId),
          groupName,
          ...[vm1, vm3, vm4].map(r => azureResourceEntityName(r.resourceId)),
        ].sort(),
      );
    });

    it('without a default owner, owns unowned entities by a group it adds, also under create-app catalog rules', async () => {
      const knex = await databases.init(databaseId);
      const feed = new FakeAzureTenantCatalogClient(2);
      feed.subscriptions = [subscription()];
      const vm1 = resource('vm-1');
      feed.upsert(vm1);
      const logger = mockServices.logger.mock();

      const { server } = await startTestBackend({
        features: [
          catalogPlugin,
          catalogModuleAzureTenant,
          fakeAzureTenantPlugin(feed, () => {}),
          eventsServiceFactory,
          mockServices.database.factory({ knex }),
          logger.factory,
          mockServices.rootConfig.factory({
            data: {
              catalog: {
                processingInterval: { seconds: 1 },
                // The rules of a portal made with @backstage/create-app; they govern what locations emit.
                rules: [
                  {
                    allow: [
                      'Component',
                      'System',
                      'API',
                      'Resource',
                      'Location',
                    ],
                  },
                ],
              },
            },
          }),
        ],
      });
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringMatching(
          /catalog.providers.azureTenant.defaultOwner is not set.*group:default\/azure-tenant-unowned/,
        ),
      );

      const get = (path: string) =>
        request(server)
          .get(path)
          .set('Authorization', mockCredentials.user.header());
      const vmPath = `/api/catalog/entities/by-name/resource/default/${azureResourceEntityName(
        vm1.resourceId,
      )}`;
      const { group, vm } = await readUntil(
        async () => ({
          group: await get(
            '/api/catalog/entities/by-name/group/default/azure-tenant-unowned',
          ),
          vm: await get(vmPath),
        }),
        current =>
          current.group.status === 200 &&
          current.vm.status === 200 &&
          current.vm.body.relations?.length > 0,
      );
      expect(group.status).toBe(200);
      expect(vm.body.spec.owner).toBe('group:default/azure-tenant-unowned');
      expect(vm.body.relations).toEqual(
        expect.arrayContaining([
          {
            type: 'ownedBy',
            targetRef: 'group:default/azure-tenant-unowned',
          },
        ]),
      );
    });
  },
);
