import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import {
  ESTATE,
  storeResources,
  SUBSCRIPTION_A,
  SUBSCRIPTION_B,
} from '../resources/__testUtils__/storedResources';
import { DatabaseResourceStore } from './DatabaseResourceStore';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'DatabaseResourceStore.listResourceGroupSummaries (%s)',
  databaseId => {
    let knex: Knex;
    let store: DatabaseResourceStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      store = await storeResources(knex, ESTATE);
      const at = new Date('2026-12-01T11:00:00Z');
      const groups = {
        [SUBSCRIPTION_A]: [
          { name: 'rg-web', location: 'westeurope', tags: { owner: 'web' } },
          { name: 'rg-data' },
          { name: 'rg-empty' },
        ],
        [SUBSCRIPTION_B]: [{ name: 'rg-web' }, { name: 'rg-ops' }],
      };
      for (const [subscriptionId, resourceGroups] of Object.entries(groups)) {
        await store.applySync({
          subscriptionId,
          upserts: [],
          removedKeys: [],
          resourceGroups,
          purgePortalTags: false,
          resourceCount: 0,
          startedAt: at,
          finishedAt: at,
        });
      }
    });
    afterAll(() => releaseTestDatabase(knex));

    it('counts the resources of each group per type, whatever the casing of the group and the type', async () => {
      const page = await store.listResourceGroupSummaries({
        subscriptionId: SUBSCRIPTION_A,
        limit: 100,
      });
      expect(page.nextCursor).toBeUndefined();
      expect(page.items).toEqual([
        {
          subscriptionId: SUBSCRIPTION_A,
          name: 'rg-data',
          resourceCount: 2,
          resourceTypes: [
            { type: 'Microsoft.Storage/storageAccounts', count: 2 },
          ],
        },
        {
          subscriptionId: SUBSCRIPTION_A,
          name: 'rg-empty',
          resourceCount: 0,
          resourceTypes: [],
        },
        {
          subscriptionId: SUBSCRIPTION_A,
          name: 'rg-web',
          location: 'westeurope',
          tags: { owner: 'web' },
          // web-1 in rg-web and web-2 in RG-Web, typed in two casings: one group, one type.
          resourceCount: 2,
          resourceTypes: [
            {
              type: expect.stringMatching(
                /^microsoft\.compute\/virtualmachines$/i,
              ),
              count: 2,
            },
          ],
        },
      ]);
    });

    it('finds resources by a part of their name, whatever its casing, with wildcards taken as written', async () => {
      const names = async (nameContains: string) =>
        (await store.findResources({ nameContains, limit: 100 })).items
          .map(r => r.name)
          .sort();
      expect(await names('WEB-')).toEqual(['web-1', 'web-2', 'web-3']);
      expect(await names('ata')).toEqual(['data1', 'data2']);
      expect(await names('%')).toEqual([]);
      expect(await names('_')).toEqual([]);
    });

    it('pages through every subscription, visiting each group once', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.listResourceGroupSummaries({
          cursor,
          limit: 2,
        });
        seen.push(...page.items.map(g => `${g.subscriptionId}/${g.name}`));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen).toEqual([
        `${SUBSCRIPTION_A}/rg-data`,
        `${SUBSCRIPTION_A}/rg-empty`,
        `${SUBSCRIPTION_A}/rg-web`,
        `${SUBSCRIPTION_B}/rg-ops`,
        `${SUBSCRIPTION_B}/rg-web`,
      ]);
      expect(pages).toBe(3);
    });
  },
);
