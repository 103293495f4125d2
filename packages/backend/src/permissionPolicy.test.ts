import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { ConfigReader } from '@backstage/config';
import {
  createConditionAuthorizer,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { isBudgetOwner } from '@azure-tenant/plugin-azure-tenant-node';
import {
  Budget,
  azureTenantAlertsReadPermission,
  azureTenantBudgetCreatePermission,
  azureTenantBudgetDeletePermission,
  azureTenantBudgetUpdatePermission,
  azureTenantTagPolicyManagePermission,
  azureTenantTagsUpdatePermission,
} from '@azure-tenant/plugin-azure-tenant-common';
import { DemoPermissionPolicy } from './permissionPolicy';

function userWith(ownershipEntityRefs: string[]): PolicyQueryUser {
  return {
    identity: {
      type: 'user',
      userEntityRef: ownershipEntityRefs[0],
      ownershipEntityRefs,
    },
    credentials: {} as PolicyQueryUser['credentials'],
    info: { userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
    token: 'token',
  } as PolicyQueryUser;
}

const admin = userWith(['user:default/guest', 'group:default/Azure-Admins']);
const owner = userWith(['user:default/alice', 'group:default/payments']);

const connectTenant = createPermission({
  name: 'azure-tenant.tenant.connect',
  attributes: { action: 'create' },
});
const readSpend = createPermission({
  name: 'azure-tenant.spend.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});
const updateTags = createPermission({
  name: 'azure-tenant.tags.update',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});
const deleteEntity = createPermission({
  name: 'catalog.entity.delete',
  attributes: { action: 'delete' },
  resourceType: 'catalog-entity',
});

describe('DemoPermissionPolicy', () => {
  const policy = new DemoPermissionPolicy({
    adminEntityRefs: ['group:default/azure-admins'],
  });

  it('lets members of an admin group do everything, whatever the case of the reference', async () => {
    for (const permission of [connectTenant, updateTags, deleteEntity]) {
      await expect(policy.handle({ permission }, admin)).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it('lets other users read', async () => {
    await expect(
      policy.handle({ permission: readSpend }, owner),
    ).resolves.toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('keeps connecting tenants for admins', async () => {
    await expect(
      policy.handle({ permission: connectTenant }, owner),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it("allows tag edits on an entity only to the entity's owners", async () => {
    const decision = await policy.handle({ permission: updateTags }, owner);
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: { claims: ['user:default/alice', 'group:default/payments'] },
      },
    });
  });

  it("allows creating, changing and deleting a budget only when it is owned by the user or the user's groups", async () => {
    for (const permission of [
      azureTenantBudgetCreatePermission,
      azureTenantBudgetUpdatePermission,
      azureTenantBudgetDeletePermission,
    ]) {
      const decision = await policy.handle({ permission }, owner);
      expect(decision).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'azure-tenant',
        resourceType: 'azure-tenant-budget',
        conditions: {
          rule: 'IS_BUDGET_OWNER',
          resourceType: 'azure-tenant-budget',
          params: { claims: ['user:default/alice', 'group:default/payments'] },
        },
      });
    }
  });

  it("lets a user change the budgets of the user's team and no other team's", async () => {
    // The rule as the backend plugin registers it, applied to the policy's decision.
    const authorize = createConditionAuthorizer<Budget>({
      getRuleByName: () => isBudgetOwner,
    });
    const budgetOf = (budgetOwner: string) =>
      ({ owner: budgetOwner } as Budget);
    const decision = await policy.handle(
      { permission: azureTenantBudgetUpdatePermission },
      owner,
    );
    expect(authorize(decision, budgetOf('group:default/Payments'))).toBe(true);
    expect(authorize(decision, budgetOf('group:default/platform'))).toBe(false);
  });

  it('lets admins do anything with any budget, and see every alert sent', async () => {
    for (const permission of [
      azureTenantBudgetCreatePermission,
      azureTenantBudgetUpdatePermission,
      azureTenantBudgetDeletePermission,
      azureTenantAlertsReadPermission,
    ]) {
      await expect(policy.handle({ permission }, admin)).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it("keeps every team's alerts for admins, though it is a read", async () => {
    await expect(
      policy.handle({ permission: azureTenantAlertsReadPermission }, owner),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('keeps tag policies for admins: managing them is no catalog-entity permission, so no owner gets it', async () => {
    await expect(
      policy.handle(
        { permission: azureTenantTagPolicyManagePermission },
        owner,
      ),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
    await expect(
      policy.handle(
        { permission: azureTenantTagPolicyManagePermission },
        admin,
      ),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it("lets a suggested tag fix be applied to a resource by the resource entity's owners", async () => {
    // A bulk fix asks azure-tenant.tags.update on each resource's entity, as a single tag edit does.
    await expect(
      policy.handle({ permission: azureTenantTagsUpdatePermission }, owner),
    ).resolves.toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: { claims: ['user:default/alice', 'group:default/payments'] },
      },
    });
  });

  it('keeps changes to the catalog itself for admins', async () => {
    await expect(
      policy.handle({ permission: deleteEntity }, owner),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('reads its admins from config', async () => {
    const fromConfig = DemoPermissionPolicy.fromConfig(
      new ConfigReader({
        permission: { demoPolicy: { adminEntityRefs: ['user:default/alice'] } },
      }),
    );
    await expect(
      fromConfig.handle({ permission: connectTenant }, owner),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });
});
