import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import {
  createSearchFixture,
  entityRefOf,
} from '../resources/__testUtils__/searchFixture';
import {
  resourceIdOf,
  SUBSCRIPTION_A,
} from '../resources/__testUtils__/storedResources';
import { registerResourceActions } from './resourceActions';

jest.setTimeout(120_000);

// On the actions registry's own mock, which validates input and output as the registry does; the HTTP path
// through /.backstage/actions in a whole backend is in src/resources/resourcesPlugin.test.ts.
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'the find-resources action (%s)',
  databaseId => {
    let knex: Knex;
    let fixture: Awaited<ReturnType<typeof createSearchFixture>>;
    let registry: ReturnType<typeof actionsRegistryServiceMock>;
    const credentials = mockCredentials.user('user:default/alice');

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      fixture = await createSearchFixture(knex);
      registry = actionsRegistryServiceMock();
      registerResourceActions(registry, {
        resourceSearch: fixture.resourceSearch,
      });
    });
    afterEach(() => releaseTestDatabase(knex));

    const invoke = (input: Record<string, unknown>) =>
      registry.invoke({
        id: 'test:find-resources',
        input: input as any,
        credentials,
      });

    it('is listed as a read-only, idempotent action that tells how to page', async () => {
      const { actions } = await registry.list();
      const action = actions.find(a => a.name === 'find-resources');
      expect(action?.attributes).toEqual({
        readOnly: true,
        idempotent: true,
        destructive: false,
      });
      expect(action?.description).toMatch(/nextCursor/);
    });

    it("finds what the REST API finds, as the caller, with the caller's permissions", async () => {
      fixture.hidden.add(entityRefOf(fixture.byName('web-2')));
      const { output } = await invoke({
        subscriptionId: SUBSCRIPTION_A,
        type: 'Microsoft.Compute/virtualMachines',
        tagKey: 'env',
      });
      const web1 = fixture.byName('web-1');
      expect(output).toEqual({
        resources: [
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
      const [, options] = fixture.authorize.mock.calls[0] as any[];
      expect(options.credentials).toBe(credentials);
    });

    it("pages through an owner's resources with nextCursor", async () => {
      const names: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const { output } = (await invoke({
          owner: 'group:default/team-web',
          limit: 2,
          ...(cursor ? { cursor } : {}),
        })) as { output: any };
        pages++;
        names.push(...output.resources.map((r: any) => r.name));
        cursor = output.nextCursor;
      } while (cursor && pages < 10);
      expect(names.sort()).toEqual(['web-1', 'web-2', 'web-3']);
      expect(pages).toBe(2);
      const [, options] = fixture.queryEntities.mock.calls[0] as any[];
      expect(options.credentials).toBe(credentials);
    });

    it('refuses bad input with the sentence the REST API gives', async () => {
      await expect(invoke({ subscriptionId: 'not-a-guid' })).rejects.toThrow(
        "subscriptionId must be a subscription id (a GUID), got 'not-a-guid'",
      );
      await expect(invoke({ owner: 'component:default/web' })).rejects.toThrow(
        /owner must be a group or a user/,
      );
      await expect(invoke({ tagValue: 'prod' })).rejects.toMatchObject({
        name: 'InputError',
      });
      await expect(invoke({ limit: 501 })).rejects.toMatchObject({
        name: 'InputError',
      });
    });
  },
);
