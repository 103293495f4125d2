import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import {
  PLATFORM_TEAM,
  prepareShowbackDatabase,
  showbackOptions,
} from '../showback/__testUtils__/showbackFixture';
import { ShowbackOperations } from '../showback/ShowbackOperations';
import { registerShowbackActions } from './showbackActions';

jest.setTimeout(60_000);

// On the actions registry's own mock, which validates input and output as the registry does.
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'the get-showback action (%s)',
  databaseId => {
    let knex: Knex;
    let registry: ReturnType<typeof actionsRegistryServiceMock>;
    let operations: ShowbackOperations;
    let authorize: jest.Mock;
    const credentials = mockCredentials.user('user:default/alice');

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      const store = await prepareShowbackDatabase(knex);
      const options = showbackOptions(store);
      authorize = options.permissions.authorize;
      operations = new ShowbackOperations(options.operations);
      registry = actionsRegistryServiceMock();
      registerShowbackActions(registry, {
        showback: operations,
        now: () => new Date('2026-12-15T10:00:00Z'),
      });
    });
    afterEach(() => releaseTestDatabase(knex));

    const invoke = (input: Record<string, unknown>) =>
      registry.invoke({
        id: 'test:get-showback',
        input: input as any,
        credentials,
      });

    it('is listed as a read-only, idempotent action', async () => {
      const { actions } = await registry.list();
      const action = actions.find(a => a.name === 'get-showback');
      expect(action?.attributes).toEqual({
        readOnly: true,
        idempotent: true,
        destructive: false,
      });
      expect(action?.description).toMatch(/unallocated/);
    });

    it("answers what GET /showback answers, for the caller's own permissions", async () => {
      const { output } = await invoke({ from: '2026-10', to: '2026-11' });
      expect(output).toEqual(
        await operations.report(
          { credentials },
          { from: '2026-10', to: '2026-11' },
        ),
      );
      expect((output as any).rows).toContainEqual({
        month: '2026-11',
        owner: PLATFORM_TEAM,
        currency: 'USD',
        amount: 9.12,
        resourceCount: 2,
      });
      const [, options] = authorize.mock.calls[0];
      expect(options.credentials).toBe(credentials);
    });

    it('covers this month and the two before when no months are given', async () => {
      const { output } = await invoke({});
      expect(output).toMatchObject({ from: '2026-10', to: '2026-12' });
      const { output: before } = await invoke({ to: '2026-11' });
      expect(before).toMatchObject({ from: '2026-09', to: '2026-11' });
    });

    it('refuses input the REST API refuses', async () => {
      await expect(invoke({ from: '2026-11-01' })).rejects.toThrow(
        /Invalid input/,
      );
      await expect(
        invoke({ from: '2026-11', currency: 'USD' }),
      ).rejects.toThrow(/Invalid input/);
      await expect(
        invoke({ from: '2026-12', to: '2026-11' }),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: 'from (2026-12) must not be after to (2026-11)',
      });
      await expect(
        invoke({ owner: 'component:default/checkout' }),
      ).rejects.toMatchObject({ name: 'InputError' });
    });
  },
);
