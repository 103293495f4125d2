import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { Knex } from 'knex';
import { releaseTestDatabase } from '../__testUtils__/releaseTestDatabase';
import {
  ALICE,
  createTagPoliciesFixture,
  ownerPolicy,
  PLATFORM,
} from '../governance/policies/__testUtils__/tagPoliciesFixture';
import { registerTagPolicyActions } from './tagPolicyActions';

jest.setTimeout(60_000);

// On the actions registry's own mock, which validates input and output as the registry does; each action runs the
// tag policies API's operation, with its rules, as the caller.
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'the tag policy actions (%s)',
  databaseId => {
    let knex: Knex;
    afterEach(() => releaseTestDatabase(knex));

    const setUp = async (manage: 'allow' | 'deny' = 'allow') => {
      knex = await databases.init(databaseId);
      const fixture = await createTagPoliciesFixture(knex, { manage });
      const registry = actionsRegistryServiceMock();
      registerTagPolicyActions(registry, { tagPolicies: fixture.operations });
      const invoke = (
        name: string,
        input: Record<string, unknown>,
        credentials: BackstageCredentials = mockCredentials.user(ALICE),
      ) =>
        registry.invoke({
          id: `test:${name}`,
          input: input as any,
          credentials,
        });
      return { fixture, registry, invoke };
    };

    it('creates, lists, replaces and deletes as the REST API does, with its audit events', async () => {
      const { fixture, registry, invoke } = await setUp();
      const { actions } = await registry.list();
      const byName = new Map(actions.map(a => [a.name, a]));
      expect(byName.get('list-tag-policies')?.attributes.readOnly).toBe(true);
      expect(byName.get('list-azure-tag-policies')?.attributes.readOnly).toBe(
        true,
      );
      expect(byName.get('create-tag-policy')?.attributes.readOnly).toBe(false);

      const created = (await invoke('create-tag-policy', ownerPolicy()))
        .output as any;
      expect(created).toMatchObject({ key: 'owner', source: 'portal' });
      const listed = (await invoke('list-tag-policies', {})).output as any;
      expect(listed.items.map((p: any) => p.id).sort()).toEqual(
        [created.id, 'config:env'].sort(),
      );
      const replaced = (
        await invoke('update-tag-policy', {
          policyId: created.id,
          name: 'Owner',
          key: 'owner',
        })
      ).output as any;
      expect(replaced).toMatchObject({ name: 'Owner', createdBy: ALICE });
      expect(replaced.aliases).toBeUndefined();
      expect(
        (await invoke('delete-tag-policy', { policyId: created.id })).output,
      ).toEqual({ policyId: created.id, deleted: true });
      expect(fixture.auditor.events.map(e => [e.eventId, e.outcome])).toEqual([
        ['tag-policy-create', 'success'],
        ['tag-policy-update', 'success'],
        ['tag-policy-delete', 'success'],
      ]);
      expect(fixture.changes).toHaveLength(3);
    });

    it('refuses what the REST API refuses: bad input, declared policies, services', async () => {
      const { invoke } = await setUp();
      // The shared field rules, in the action's schema.
      await expect(
        invoke('create-tag-policy', ownerPolicy({ key: 'a/b' })),
      ).rejects.toThrow(/Invalid input/);
      // The rule across fields, in the operation.
      await expect(
        invoke('create-tag-policy', ownerPolicy({ aliases: ['OWNER'] })),
      ).rejects.toThrow(/aliases\.0 must not be the key itself/);
      await expect(
        invoke('delete-tag-policy', { policyId: 'config:env' }),
      ).rejects.toThrow(/declared in app-config/);
      await expect(
        invoke('create-tag-policy', ownerPolicy(), mockCredentials.service()),
      ).rejects.toThrow(/does not allow 'service' credentials/);
      // Services may read.
      expect(
        (
          (await invoke('list-tag-policies', {}, mockCredentials.service()))
            .output as any
        ).items,
      ).toHaveLength(1);
    });

    it('refuses the writes without azure-tenant.tag-policy.manage', async () => {
      const { invoke } = await setUp('deny');
      await expect(invoke('create-tag-policy', ownerPolicy())).rejects.toThrow(
        /azure-tenant\.tag-policy\.manage is denied/,
      );
    });

    it('list-azure-tag-policies lists the stored assignments of a subscription', async () => {
      const { fixture, invoke } = await setUp();
      await fixture.azurePolicies.replaceSubscription({
        subscriptionId: PLATFORM,
        assignments: [
          {
            id: `/subscriptions/${PLATFORM}/providers/Microsoft.Authorization/policyAssignments/inherit-env`,
            subscriptionId: PLATFORM,
            scope: `/subscriptions/${PLATFORM}`,
            displayName: 'Inherit env',
            definitionName: 'Inherit a tag from the subscription if missing',
            effect: 'inherit-from-subscription',
            tagName: 'env',
            enforcementMode: 'DoNotEnforce',
          },
        ],
        at: new Date('2026-11-25T06:00:00Z'),
      });
      const { output } = await invoke('list-azure-tag-policies', {
        subscriptionId: PLATFORM,
      });
      expect(output).toEqual({
        items: [
          expect.objectContaining({
            effect: 'inherit-from-subscription',
            tagName: 'env',
            enforcementMode: 'DoNotEnforce',
            readAt: '2026-11-25T06:00:00.000Z',
          }),
        ],
      });
    });
  },
);
