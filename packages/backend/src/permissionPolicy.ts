import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  AuthorizeResult,
  isPermission,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AZURE_TENANT_BUDGET_RESOURCE_TYPE,
  azureTenantAlertsReadPermission,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  budgetConditions,
  createBudgetConditionalDecision,
} from '@azure-tenant/plugin-azure-tenant-node';

/** Options for {@link DemoPermissionPolicy}. */
export interface DemoPermissionPolicyOptions {
  /**
   * Users and groups whose members are portal admins: they may do everything, including connecting Azure tenants
   * and changing sync modes.
   */
  adminEntityRefs: string[];
}

const AZURE_TENANT_PERMISSION_PREFIX = 'azure-tenant.';

/**
 * The demo portal's permission policy.
 *
 * - Admins (members of a configured group) may do everything.
 * - Everyone signed in may read, except every spend alert sent (`azure-tenant.alerts.read`), which is for admins
 *   (owners see their own budgets' alerts with the budgets).
 * - Azure tenant actions on a catalog entity (editing its tags, for example) are allowed to the entity's owners.
 * - Creating, changing, muting and deleting a budget is allowed when the budget is owned by the user or one of the
 *   user's groups (checked on the budget before and after a change, so nobody moves a budget to another team).
 * - Applying suggested tag fixes needs `azure-tenant.tags.update` on each resource's entity: its owners, as above.
 * - Other Azure tenant actions (connecting tenants, changing sync modes, triggering syncs, managing tag policies with
 *   `azure-tenant.tag-policy.manage`) are for admins only.
 * - Changing the catalog itself (registering or deleting locations and entities) is for admins only.
 */
export class DemoPermissionPolicy implements PermissionPolicy {
  private readonly adminEntityRefs: Set<string>;

  constructor(options: DemoPermissionPolicyOptions) {
    this.adminEntityRefs = new Set(
      options.adminEntityRefs.map(ref => ref.toLocaleLowerCase('en-US')),
    );
  }

  static fromConfig(config: Config): DemoPermissionPolicy {
    return new DemoPermissionPolicy({
      adminEntityRefs:
        config.getOptionalStringArray(
          'permission.demoPolicy.adminEntityRefs',
        ) ?? [],
    });
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      // Service-to-service calls are authorized by the plugins themselves; a user-less query here is a service.
      return { result: AuthorizeResult.ALLOW };
    }
    if (this.isAdmin(user)) {
      return { result: AuthorizeResult.ALLOW };
    }

    const { permission } = request;
    // Checked before the rule for reads: it is a read, but of every team's alerts.
    if (isPermission(permission, azureTenantAlertsReadPermission)) {
      return { result: AuthorizeResult.DENY };
    }
    if (permission.attributes.action === 'read') {
      return { result: AuthorizeResult.ALLOW };
    }
    if (permission.name.startsWith(AZURE_TENANT_PERMISSION_PREFIX)) {
      if (isResourcePermission(permission, 'catalog-entity')) {
        return createCatalogConditionalDecision(
          permission,
          catalogConditions.isEntityOwner({
            claims: user.info.ownershipEntityRefs,
          }),
        );
      }
      if (isResourcePermission(permission, AZURE_TENANT_BUDGET_RESOURCE_TYPE)) {
        return createBudgetConditionalDecision(
          permission,
          budgetConditions.isBudgetOwner({
            claims: user.info.ownershipEntityRefs,
          }),
        );
      }
      return { result: AuthorizeResult.DENY };
    }
    if (permission.name.startsWith('catalog.')) {
      return { result: AuthorizeResult.DENY };
    }
    return { result: AuthorizeResult.ALLOW };
  }

  private isAdmin(user: PolicyQueryUser): boolean {
    return user.info.ownershipEntityRefs.some(ref =>
      this.adminEntityRefs.has(ref.toLocaleLowerCase('en-US')),
    );
  }
}

/** Installs {@link DemoPermissionPolicy} in the permission backend. */
export const demoPermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'demo-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        policy: policyExtensionPoint,
      },
      async init({ config, policy }) {
        policy.setPolicy(DemoPermissionPolicy.fromConfig(config));
      },
    });
  },
});
