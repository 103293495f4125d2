import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { isAzureTenantConfigError } from '@azure-tenant/plugin-azure-tenant-common';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import { migrateDatabase } from '../../database/migrations';
import { releaseTestDatabase } from '../../__testUtils__/releaseTestDatabase';
import { DatabaseTagPolicyStore } from './DatabaseTagPolicyStore';
import {
  readDeclaredTagPolicies,
  syncDeclaredTagPolicies,
} from './declaredTagPolicies';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const configOf = (policies: JsonObject[]) =>
  new ConfigReader({ azureTenant: { tagGovernance: { policies } } });

describe.each(databases.eachSupportedId())(
  'DatabaseTagPolicyStore (%s)',
  databaseId => {
    let knex: Knex;
    let store: DatabaseTagPolicyStore;
    let now: Date;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await migrateDatabase(knex);
      now = new Date('2026-12-05T10:00:00Z');
      store = new DatabaseTagPolicyStore(knex, { now: () => now });
    });
    afterEach(() => releaseTestDatabase(knex));

    it('creates, reads, updates and deletes a portal policy, keeping what it was given', async () => {
      const created = await store.createPolicy(
        {
          name: 'Cost center',
          key: 'costCenter',
          aliases: ['cost-center'],
          required: true,
          values: { kind: 'pattern', pattern: '^CC-\\d{4}$' },
          scope: { resourceTypes: ['Microsoft.Web/sites'] },
        },
        'user:default/alice',
      );
      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        source: 'portal',
        name: 'Cost center',
        key: 'costCenter',
        aliases: ['cost-center'],
        required: true,
        values: { kind: 'pattern', pattern: '^CC-\\d{4}$' },
        scope: { resourceTypes: ['Microsoft.Web/sites'] },
        createdBy: 'user:default/alice',
        createdAt: '2026-12-05T10:00:00.000Z',
        updatedAt: '2026-12-05T10:00:00.000Z',
      });
      expect(await store.getPolicy(created.id)).toEqual(created);

      now = new Date('2026-12-06T10:00:00Z');
      const updated = await store.updatePolicy(created.id, {
        name: 'Cost center',
        key: 'costCenter',
      });
      expect(updated).toEqual({
        id: created.id,
        source: 'portal',
        name: 'Cost center',
        key: 'costCenter',
        createdBy: 'user:default/alice',
        createdAt: '2026-12-05T10:00:00.000Z',
        updatedAt: '2026-12-06T10:00:00.000Z',
      });
      expect(
        await store.updatePolicy('00000000-0000-0000-0000-000000000000', {
          name: 'x',
          key: 'x',
        }),
      ).toBeUndefined();
      expect(await store.deletePolicy(created.id)).toBe(true);
      expect(await store.deletePolicy(created.id)).toBe(false);
      expect(await store.listPolicies()).toEqual([]);
    });

    it('replaces the declared policies: keeps an unchanged one as it is, updates a changed one, removes a gone one, never touches the portal’s', async () => {
      const portal = await store.createPolicy(
        { name: 'Owner', key: 'owner' },
        'user:default/alice',
      );
      await store.replaceDeclaredPolicies([
        { id: 'env', name: 'Environment', key: 'env' },
        { id: 'app', name: 'Application', key: 'app' },
      ]);
      now = new Date('2026-12-06T10:00:00Z');
      await store.replaceDeclaredPolicies([
        { id: 'env', name: 'Environment', key: 'env' },
        { id: 'cost', name: 'Cost', key: 'cost', required: true },
      ]);
      now = new Date('2026-12-07T10:00:00Z');
      await store.replaceDeclaredPolicies([
        { id: 'env', name: 'Environment', key: 'env' },
        { id: 'cost', name: 'Cost', key: 'cost', required: false },
      ]);
      const policies = await store.listPolicies();
      expect(policies.map(p => p.id).sort()).toEqual(
        ['config:cost', 'config:env', portal.id].sort(),
      );
      expect(await store.getPolicy('config:env')).toEqual({
        id: 'config:env',
        source: 'config',
        name: 'Environment',
        key: 'env',
        createdAt: '2026-12-05T10:00:00.000Z',
        updatedAt: '2026-12-05T10:00:00.000Z',
      });
      expect(await store.getPolicy('config:cost')).toMatchObject({
        required: false,
        createdAt: '2026-12-06T10:00:00.000Z',
        updatedAt: '2026-12-07T10:00:00.000Z',
      });
      expect(await store.getPolicy(portal.id)).toEqual(portal);
    });

    it('stores the policies of app-config at startup', async () => {
      await syncDeclaredTagPolicies({
        config: configOf([
          {
            id: 'owner',
            name: 'Owner',
            key: 'owner',
            values: { kind: 'catalog-entity' },
          },
        ]),
        store,
        logger: mockServices.logger.mock(),
      });
      expect(await store.listPolicies()).toEqual([
        expect.objectContaining({
          id: 'config:owner',
          source: 'config',
          values: { kind: 'catalog-entity' },
        }),
      ]);
    });
  },
);

describe('readDeclaredTagPolicies', () => {
  const readError = (policies: JsonObject[]) => {
    try {
      readDeclaredTagPolicies(configOf(policies));
    } catch (error) {
      expect(isAzureTenantConfigError(error)).toBe(true);
      return (error as Error).message;
    }
    throw new Error('no error');
  };

  it('reads nothing when there is no key', () => {
    expect(readDeclaredTagPolicies(new ConfigReader({}))).toEqual([]);
  });

  it('names the entry and the field of a wrong policy', () => {
    expect(
      readError([
        { id: 'env', name: 'Env', key: 'env' },
        { id: 'owner', name: 'Owner', key: 'owner', aliases: ['Owner'] },
      ]),
    ).toBe(
      "Invalid config: azureTenant.tagGovernance.policies[1] (owner) is not a valid tag policy: aliases.0 must not be the key itself ('owner'): spellings of the key in another case are found anyway",
    );
    expect(readError([{ name: 'Env', key: 'env' }])).toMatch(
      /policies\[0\] is not a valid tag policy: id is required/,
    );
    expect(readError([{ id: 'Env', name: 'Env', key: 'env' }])).toMatch(
      /policies\[0\] \(Env\) is not a valid tag policy: id must be lowercase letters/,
    );
    expect(
      readError([
        { id: 'env', name: 'Env', key: 'env' },
        { id: 'env', name: 'Env 2', key: 'env2' },
      ]),
    ).toMatch(/policies\[1\] \(env\) has the id of an earlier entry/);
    expect(
      readError([
        {
          id: 'env',
          name: 'Env',
          key: 'env',
          values: { kind: 'pattern', pattern: '[' },
        },
      ]),
    ).toMatch(
      /policies\[0\] \(env\) is not a valid tag policy: values\.pattern/,
    );
  });
});
