import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import {
  ESTATE,
  resourceIdOf,
  storeResources,
  SUBSCRIPTION_A,
  SUBSCRIPTION_B,
} from '../resources/__testUtils__/storedResources';
import { DatabaseResourceStore } from './DatabaseResourceStore';
import { ResourceQuery } from './ResourceStore';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'DatabaseResourceStore.findResources (%s)',
  databaseId => {
    let knex: Knex;
    let store: DatabaseResourceStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      store = await storeResources(knex, ESTATE);
    });
    afterAll(() => releaseTestDatabase(knex));

    /** The names of the resources found, in the order the store gave them. */
    const names = async (query: Omit<ResourceQuery, 'limit'>) =>
      (await store.findResources({ limit: 100, ...query })).items.map(
        r => r.name,
      );

    it('finds every resource in the order of their ids when nothing filters', async () => {
      const { items, hasMore } = await store.findResources({ limit: 100 });
      expect(items.map(r => r.resourceId.toLowerCase())).toEqual(
        ESTATE.map(resourceIdOf)
          .map(id => id.toLowerCase())
          .sort(),
      );
      expect(hasMore).toBe(false);
      expect(items.find(r => r.name === 'web-1')).toMatchObject({
        subscriptionId: SUBSCRIPTION_A,
        resourceGroup: 'rg-web',
        type: 'Microsoft.Compute/virtualMachines',
        location: 'westeurope',
        tags: { Env: 'Prod', owner: 'team-web' },
      });
    });

    it('filters by subscription', async () => {
      expect(await names({ subscriptionId: SUBSCRIPTION_B })).toEqual([
        'ops-1',
        'web-3',
      ]);
    });

    it('filters by resource group whatever its casing', async () => {
      expect(
        await names({
          subscriptionId: SUBSCRIPTION_A,
          resourceGroup: 'RG-WEB',
        }),
      ).toEqual(['web-1', 'web-2']);
    });

    it('filters by type whatever its casing', async () => {
      expect(
        await names({ type: 'MICROSOFT.COMPUTE/VIRTUALMACHINES' }),
      ).toEqual(['web-1', 'web-2', 'ops-1', 'web-3']);
      expect(
        await names({ type: 'Microsoft.Storage/storageAccounts' }),
      ).toEqual(['data1', 'data2']);
    });

    it('finds a tag by its name in any casing, and its value exactly', async () => {
      expect(await names({ tagKey: 'env' })).toEqual([
        'data1',
        'web-1',
        'web-2',
        'web-3',
      ]);
      expect(await names({ tagKey: 'ENV', tagValue: 'Prod' })).toEqual([
        'data1',
        'web-1',
      ]);
      expect(await names({ tagKey: 'Env', tagValue: 'prod' })).toEqual([
        'web-2',
      ]);
      // An empty value is a value: the tag is there.
      expect(await names({ tagKey: 'Cost-Center', tagValue: '' })).toEqual([
        'data1',
      ]);
    });

    it('finds a tag whose name is not ASCII in its own casing', async () => {
      expect(await names({ tagKey: 'Ärger' })).toEqual(['ops-1']);
      expect(await names({ tagKey: 'umgebung', tagValue: 'Prüfung' })).toEqual([
        'ops-1',
      ]);
    });

    it('finds the resources that miss a tag, untagged ones included', async () => {
      // web-3 has a tag whose name ends in "env": it still has Env itself, and the longer name is no match.
      expect(await names({ missingTag: 'ENV' })).toEqual(['data2', 'ops-1']);
      expect(await names({ missingTag: 'env"' })).toHaveLength(ESTATE.length);
    });

    it('leaves out the subscriptions whose tags are not kept from any tag filter', async () => {
      const tagsUnknownIn = [SUBSCRIPTION_B];
      expect(await names({ tagKey: 'env', tagsUnknownIn })).toEqual([
        'data1',
        'web-1',
        'web-2',
      ]);
      expect(await names({ missingTag: 'env', tagsUnknownIn })).toEqual([
        'data2',
      ]);
      // Without a tag filter they are found.
      expect(
        await names({
          type: 'Microsoft.Compute/virtualMachines',
          tagsUnknownIn,
        }),
      ).toHaveLength(4);
    });

    it('keeps to the resources it is given', async () => {
      const keys = [ESTATE[1], ESTATE[4]].map(r =>
        resourceIdOf(r).toLowerCase(),
      );
      expect(await names({ resourceKeys: keys })).toEqual(['web-2', 'web-3']);
      expect(await names({ resourceKeys: [] })).toEqual([]);
    });

    it('combines the filters', async () => {
      expect(
        await names({
          subscriptionId: SUBSCRIPTION_A,
          type: 'microsoft.compute/virtualMachines',
          tagKey: 'env',
          tagValue: 'Prod',
          missingTag: 'OWNER',
        }),
      ).toEqual([]);
      expect(
        await names({
          subscriptionId: SUBSCRIPTION_A,
          type: 'microsoft.compute/virtualMachines',
          tagKey: 'env',
          missingTag: 'OWNER',
        }),
      ).toEqual(['web-2']);
      expect(
        await names({
          resourceGroup: 'rg-web',
          missingTag: 'owner',
          tagKey: 'env',
        }),
      ).toEqual(['web-2', 'web-3']);
    });

    it('pages through the matches, visiting each once', async () => {
      for (const query of [
        {},
        { type: 'Microsoft.Compute/virtualMachines' },
        { tagKey: 'env' },
      ]) {
        const all = await names(query);
        const visited: string[] = [];
        let afterKey: string | undefined;
        let pages = 0;
        for (;;) {
          const page = await store.findResources({
            ...query,
            afterKey,
            limit: 2,
          });
          pages++;
          expect(page.items.length).toBeLessThanOrEqual(2);
          visited.push(...page.items.map(r => r.name));
          if (!page.hasMore) break;
          afterKey = page.items[page.items.length - 1].resourceId.toLowerCase();
        }
        expect(visited).toEqual(all);
        expect(pages).toBe(Math.max(1, Math.ceil(all.length / 2)));
      }
    });
  },
);
