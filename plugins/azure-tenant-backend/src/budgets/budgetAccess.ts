import { PermissionsService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';
import {
  azureSubscriptionEntityRef,
  azureTenantSpendReadPermission,
  AZURE_TENANT_BUDGET_RESOURCE_TYPE,
  Budget,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Caller } from '../service/caller';
import { authorizeSpendRead } from '../spend/SpendTargetResolver';

/**
 * The catalog entity whose `azure-tenant.spend.read` a caller needs to see a budget: reading a budget follows
 * reading its spend. A subscription's or resource group's budget: the subscription's entity; an entity's budget:
 * that entity; a custom group's budget, which spans things no one entity stands for: its owner.
 */
export function budgetReadEntityRef(budget: Budget): string {
  const { scope } = budget;
  switch (scope.kind) {
    case 'subscription':
    case 'resourceGroup':
      return azureSubscriptionEntityRef(scope.subscriptionId);
    case 'entity':
      return scope.entityRef;
    default:
      return budget.owner;
  }
}

/** Options for {@link BudgetAccess}. */
export interface BudgetAccessOptions {
  permissions: PermissionsService;
  /** The rules a conditional decision on a budget is applied with (the registry's, in the plugin). */
  ruleset: PermissionRuleset<Budget, unknown, string>;
}

/** Who may see and change which budget: the permission checks of the budget operations. */
export class BudgetAccess {
  private readonly applyConditions: ReturnType<
    typeof createConditionAuthorizer<Budget>
  >;

  constructor(private readonly options: BudgetAccessOptions) {
    this.applyConditions = createConditionAuthorizer<Budget>(options.ruleset);
  }

  /** The budgets among `budgets` whose spend the caller may read, in their order; one batch of decisions. */
  async readable(caller: Caller, budgets: Budget[]): Promise<Budget[]> {
    const refs = [...new Set(budgets.map(budgetReadEntityRef))];
    if (refs.length === 0) return [];
    const decisions = await this.options.permissions.authorize(
      refs.map(resourceRef => ({
        permission: azureTenantSpendReadPermission,
        resourceRef,
      })),
      { credentials: caller.credentials },
    );
    const allowed = new Set(
      refs.filter((_, i) => decisions[i].result === AuthorizeResult.ALLOW),
    );
    return budgets.filter(budget => allowed.has(budgetReadEntityRef(budget)));
  }

  /** Throws a NotAllowedError unless the caller may read the budget's spend, as `GET /spend` would refuse it. */
  async assertReadable(caller: Caller, budget: Budget): Promise<void> {
    await authorizeSpendRead(this.options.permissions, caller.credentials, {
      entityRef: budgetReadEntityRef(budget),
    });
  }

  /**
   * The caller's decision for a budget permission: an ALLOW or a DENY of the policy is final (a DENY throws a
   * NotAllowedError that says `denial`, before anything else is looked up); a conditional one is applied to each
   * budget concerned with {@link BudgetAccess.assertConditions}.
   */
  async decide(
    caller: Caller,
    permission: ResourcePermission<typeof AZURE_TENANT_BUDGET_RESOURCE_TYPE>,
    denial: string,
  ): Promise<PolicyDecision> {
    const [decision] = await this.options.permissions.authorizeConditional(
      [{ permission }],
      { credentials: caller.credentials },
    );
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError(`${denial}: ${permission.name} is denied`);
    }
    return decision;
  }

  /**
   * Throws a NotAllowedError unless `decision` allows every budget checked: the proposed budget of a create, the
   * existing and the new one of a replace, the existing one of a delete or a mute. A conditional decision is applied
   * here, with the plugin's rules; the first budget it refuses says its `refusal`.
   */
  assertConditions(
    decision: PolicyDecision,
    permission: ResourcePermission<typeof AZURE_TENANT_BUDGET_RESOURCE_TYPE>,
    checks: Array<{ budget: Budget; refusal: string }>,
  ): void {
    if (decision.result === AuthorizeResult.ALLOW) return;
    const refused = checks.find(
      check => !this.applyConditions(decision, check.budget),
    );
    if (refused) {
      throw new NotAllowedError(
        `${refused.refusal}: the policy's conditions on ${permission.name} do not allow it`,
      );
    }
  }
}
