import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { AuthorizePermissionRequest } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import { TagComplianceOperations } from '../governance/complianceApi/TagComplianceOperations';
import {
  complianceFixture,
  DATA_TEAM,
  deniesPermission,
  deniesResources,
  fakePermissions,
  PLATFORM_TEAM,
  SUBSCRIPTION_A,
} from '../governance/complianceApi/__testUtils__/complianceFixture';
import { seedComplianceStore } from '../governance/complianceApi/__testUtils__/seedComplianceStore';
import { registerTagComplianceActions } from './tagComplianceActions';

jest.setTimeout(60_000);

// On the actions registry's own mock, which validates input and output as the registry does, over the compliance
// evaluator's real store.
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const EVALUATED_AT = new Date('2026-12-05T10:00:00Z');

describe.each(databases.eachSupportedId())(
  'the tag compliance actions (%s)',
  databaseId => {
    let knex: Knex;
    let registry: ReturnType<typeof actionsRegistryServiceMock>;
    let operations: TagComplianceOperations;
    const credentials = mockCredentials.user('user:default/alice');

    async function setUp(
      denies?: (request: AuthorizePermissionRequest) => boolean,
    ) {
      const compliance = await seedComplianceStore(
        knex,
        complianceFixture(),
        EVALUATED_AT,
      );
      operations = new TagComplianceOperations({
        compliance,
        permissions: fakePermissions(denies),
      });
      registry = actionsRegistryServiceMock();
      registerTagComplianceActions(registry, { tagCompliance: operations });
    }

    beforeEach(async () => {
      knex = await databases.init(databaseId);
    });
    afterEach(() => releaseTestDatabase(knex));

    const invoke = (
      name: string,
      input: Record<string, unknown>,
      as: BackstageCredentials = credentials,
    ) =>
      registry.invoke({
        id: `test:${name}`,
        input: input as any,
        credentials: as,
      });

    it('lists both as read-only, idempotent actions', async () => {
      await setUp();
      const { actions } = await registry.list();
      for (const name of ['get-tag-compliance', 'list-tag-compliance']) {
        expect(actions.find(a => a.name === name)?.attributes).toEqual({
          readOnly: true,
          idempotent: true,
          destructive: false,
        });
      }
    });

    it("answers a subscription's summary as GET /tag-compliance/summary does, with its day of history", async () => {
      await setUp();
      const { output } = await invoke('get-tag-compliance', {
        subscriptionId: SUBSCRIPTION_A,
        days: 7,
      });
      expect(output).toEqual({
        summary: JSON.parse(
          JSON.stringify(
            await operations.summary(
              { credentials },
              { subscriptionId: SUBSCRIPTION_A, days: 7 },
            ),
          ),
        ),
      });
      const { summary } = output as any;
      expect(summary.current).toMatchObject({
        resources: 4,
        compliant: 1,
        nonCompliant: 3,
        percent: 25,
      });
      expect(summary.history).toEqual([
        expect.objectContaining({ day: '2026-12-05', resources: 4 }),
      ]);
    });

    it("answers every team's figure and the unowned resources' with view teams", async () => {
      await setUp();
      const { output } = await invoke('get-tag-compliance', { view: 'teams' });
      const { teams } = output as any;
      expect(teams.teams.map((t: any) => t.ownerRef)).toEqual([
        DATA_TEAM,
        PLATFORM_TEAM,
      ]);
      expect(teams.unowned).toMatchObject({ resources: 2, nonCompliant: 2 });
    });

    it('refuses what the REST API refuses, with its messages', async () => {
      await setUp(deniesPermission('azure-tenant.tenant.read'));
      await expect(invoke('get-tag-compliance', {})).rejects.toThrow(
        /azure-tenant\.tenant\.read/,
      );
      await expect(
        invoke('get-tag-compliance', { view: 'teams' }),
      ).rejects.toThrow(/azure-tenant\.tenant\.read/);
      await expect(
        invoke('get-tag-compliance', {
          view: 'teams',
          subscriptionId: SUBSCRIPTION_A,
        }),
      ).rejects.toThrow(/give neither subscriptionId nor ownerRef/);
      await expect(
        invoke('get-tag-compliance', { subscriptionId: 'not-a-guid' }),
      ).rejects.toThrow(/subscriptionId must be a subscription id/);
      await expect(
        invoke('list-tag-compliance', {
          ownerRef: 'group:default/pay\ud800ments',
        }),
      ).rejects.toThrow(/ownerRef must be well-formed Unicode/);
      await expect(
        invoke('list-tag-compliance', { policyId: 'policy-\ud800' }),
      ).rejects.toThrow(/policyId must be well-formed Unicode/);
      await expect(invoke('get-tag-compliance', { days: 0 })).rejects.toThrow(
        /Invalid input/,
      );
      await expect(
        invoke('list-tag-compliance', { cursor: 'bm9wZQ' }),
      ).rejects.toThrow(/cursor is not a nextCursor/);
      await expect(
        invoke('list-tag-compliance', { colour: 'red' }),
      ).rejects.toThrow(/Invalid input/);
    });

    it('lists the resources that break a policy, page after page, leaving out those the caller may not read', async () => {
      const [, web2, , web4] = complianceFixture();
      await setUp(deniesResources(web2.resourceId));
      const names: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const { output } = await invoke('list-tag-compliance', {
          policyId: 'env-policy',
          limit: 1,
          ...(cursor ? { cursor } : {}),
        });
        const page = output as any;
        names.push(...page.items.map((i: any) => i.name));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 5);
      expect(names).toEqual([web4.name]);
      expect(pages).toBe(2);

      const { output } = await invoke('list-tag-compliance', {
        subscriptionId: SUBSCRIPTION_A,
        status: 'non-compliant',
      });
      expect((output as any).items.map((i: any) => i.name)).toEqual([
        'web-3',
        'web-4',
      ]);
      expect((output as any).items[1].violations).toEqual(web4.violations);
    });

    it('answers a service as it answers a user', async () => {
      await setUp();
      const { output } = await invoke(
        'list-tag-compliance',
        { ownerRef: 'platform' },
        mockCredentials.service(),
      );
      expect((output as any).items.map((i: any) => i.name)).toEqual([
        'web-1',
        'web-2',
      ]);
    });
  },
);
