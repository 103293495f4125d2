import { ArmError } from '../errors/ArmError';
import { ConsentDecision, EmulatorContext } from '../EmulatorContext';
import { deterministicGuid } from '../model/seededRandom';
import {
  RoleAssignmentState,
  SUBSCRIPTION_STATES,
  ServicePrincipalState,
  SubscriptionLifecycleState,
  SubscriptionState,
} from '../model/EmulatorState';
import {
  ResourceRecord,
  buildResourceId,
  parseResourceId,
} from '../model/ResourceRecord';
import { findBuiltInRole } from '../rbac/builtInRoles';
import {
  DEFAULT_THROTTLING,
  ThrottlingOptions,
  TokenBucketThrottle,
} from '../throttling/TokenBucketThrottle';
import { parseScope } from '../arm/armScopes';
import { setTag, validateTags } from '../arm/tagRules';
import { BudgetState, budgetStateOf } from '../consumption/budgets';
import {
  ActiveCostScenario,
  CostScenario,
  parseCostScenario,
} from '../cost/costScenarios';
import { FixtureBudget } from '../model/fixture';
import { portalActor } from '../model/ChangeLog';
import {
  recordResourceGroupChange,
  recordSubscriptionChange,
  subscriptionSnapshot,
} from '../model/containerChanges';
import {
  NewPolicyAssignment,
  PolicyAssignmentState,
  buildPolicyAssignment,
  policyAssignmentKey,
} from '../policy/policyAssignments';
import { Fault, FaultInjector, FaultSpec } from './faults';
import { RequestLog, RequestLogEntry } from './requestLog';

/**
 * A resource to add, as someone would create it in the Azure portal.
 *
 * @public
 */
export interface NewResource {
  subscriptionId: string;
  resourceGroup: string;
  /** The full type, e.g. `Microsoft.Compute/virtualMachines`. */
  type: string;
  name: string;
  /** Defaults to the resource group's location. */
  location?: string;
  tags?: Record<string, string>;
  kind?: string;
  /**
   * Test-only: write it without a change record in Resource Graph's `resourcechanges` (nor a `Create` of a new
   * resource group in `resourcecontainerchanges`), as if the change feed had missed it; a full listing still shows it.
   */
  omitFromChangeFeed?: boolean;
}

/**
 * Options of {@link EmulatorControl.deleteResource}.
 *
 * @public
 */
export interface DeleteResourceOptions {
  /** Test-only: delete it without a `Delete` record in Resource Graph's `resourcechanges`. */
  omitFromChangeFeed?: boolean;
}

/**
 * A tag change, as someone would make it in the Azure portal.
 *
 * @public
 */
export interface TagEdit {
  /**
   * The resource's id; or a subscription's (`/subscriptions/{id}`) or a resource group's id, to edit their own tags
   * (the ones resources inherit under a tag policy), as `Tags - Update At Scope` does there.
   */
  resourceId: string;
  /** Tags to set (a name that differs only in case replaces the existing tag). */
  set?: Record<string, string>;
  /** Tag names to remove (case-insensitive). */
  remove?: string[];
}

/**
 * A role assignment to create directly, without RBAC checks.
 *
 * @public
 */
export interface NewRoleAssignment {
  /** An absolute scope, e.g. `/subscriptions/{id}`. */
  scope: string;
  principalId: string;
  /** A built-in role name or GUID. */
  role: string;
  /** Defaults to a GUID derived from scope, principal and role. */
  name?: string;
  principalType?: string;
}

/**
 * Which role assignments to list or remove. Every field is optional when listing.
 *
 * @public
 */
export interface RoleAssignmentFilter {
  /** The principal's object id. */
  principalId?: string;
  /** Assignments at this scope or below it (case-insensitive prefix). */
  scope?: string;
  /** Only assignments of this role: a built-in role name (e.g. `Tag Contributor`) or a role definition GUID. */
  role?: string;
}

/**
 * A subscription, as the control API reports it.
 *
 * @public
 */
export interface SubscriptionSummary {
  subscriptionId: string;
  tenantId: string;
  displayName: string;
  state: SubscriptionLifecycleState;
  currency: string;
  resourceGroups: number;
}

/**
 * The result of {@link EmulatorControl.moveSubscription}.
 *
 * @public
 */
export interface SubscriptionMove {
  subscription: SubscriptionSummary;
  /** The tenant it was in. */
  fromTenantId: string;
  /** The role assignments at or below the subscription that the move deleted. */
  removedRoleAssignments: RoleAssignmentState[];
}

/**
 * Dependencies of {@link EmulatorControl}.
 *
 * @public
 */
export interface EmulatorControlDependencies {
  context: EmulatorContext;
  faults: FaultInjector;
  requestLog: RequestLog;
  throttle: TokenBucketThrottle;
  /** Restores the initial Azure-side state. */
  rebuildState: () => void;
  initialConsentDecision: ConsentDecision;
  initialThrottling: ThrottlingOptions;
}

/**
 * Controls a running emulator in-process: faults, the request log, Azure-side changes (tags,
 * resources, consents, role assignments), throttling, the clock, and reset. The HTTP control API
 * under `/_emulator/` calls the same methods.
 *
 * @public
 */
export class EmulatorControl {
  constructor(private readonly deps: EmulatorControlDependencies) {}

  /** Injects a fault; see {@link FaultSpec}. */
  injectFault(spec: FaultSpec): Fault {
    return this.deps.faults.inject(spec);
  }

  /** The faults still active. */
  listFaults(): Fault[] {
    return this.deps.faults.list();
  }

  /** Removes one fault, or all of them when no id is given. */
  clearFaults(id?: string): void {
    if (id) this.deps.faults.remove(id);
    else this.deps.faults.clear();
  }

  /** Requests served so far (after the given sequence number). */
  requests(since?: number): RequestLogEntry[] {
    return this.deps.requestLog.list(since);
  }

  clearRequests(): void {
    this.deps.requestLog.clear();
  }

  /**
   * Edits the tags of a resource, a resource group or a subscription, as someone would in the Azure portal. Returns
   * the new tags.
   */
  editTags(edit: TagEdit): Record<string, string> {
    const target = this.findTagTarget(edit.resourceId);
    const tags = { ...target.tags };
    for (const name of edit.remove ?? []) {
      for (const existing of Object.keys(tags)) {
        if (existing.toLowerCase() === name.toLowerCase())
          delete tags[existing];
      }
    }
    for (const [name, value] of Object.entries(edit.set ?? {})) {
      setTag(tags, name, value);
    }
    validateTags(tags);
    target.write(tags);
    return tags;
  }

  /**
   * The current tags of a resource, a resource group or a subscription, read without going through ARM (so not
   * faulted, throttled or logged).
   */
  getTags(resourceId: string): Record<string, string> {
    return { ...this.findTagTarget(resourceId).tags };
  }

  /** The role assignments, optionally only those of one principal, at or below one scope, or of one role; not logged. */
  listRoleAssignments(
    filter: RoleAssignmentFilter = {},
  ): RoleAssignmentState[] {
    const principal = filter.principalId?.toLowerCase();
    const scope = filter.scope?.toLowerCase();
    const roleId = filter.role ? this.requireRole(filter.role).id : undefined;
    return [...this.deps.context.state.roleAssignments.values()]
      .filter(
        a =>
          (!principal || a.principalId.toLowerCase() === principal) &&
          (!scope || a.scope.toLowerCase().startsWith(scope)) &&
          (!roleId || a.roleDefinitionGuid.toLowerCase() === roleId),
      )
      .map(a => ({ ...a }));
  }

  /**
   * Deletes the role assignments of a principal (at or below a scope, of one role when `role` is given), as an admin
   * would in the Azure portal's Access control (IAM). Returns how many were deleted.
   */
  removeRoleAssignments(
    filter: RoleAssignmentFilter & { principalId: string },
  ): number {
    const removed = this.listRoleAssignments(filter);
    for (const assignment of removed) {
      this.deps.context.state.roleAssignments.delete(
        assignment.name.toLowerCase(),
      );
    }
    return removed.length;
  }

  /** Adds a resource (and its resource group, when new). */
  addResource(input: NewResource): ResourceRecord {
    const subscription = this.deps.context.state.subscription(
      input.subscriptionId,
    );
    if (!subscription)
      throw new ArmError(
        404,
        'SubscriptionNotFound',
        `The subscription '${input.subscriptionId}' could not be found.`,
      );
    if (!/^[^/]+\/[^/]+$/.test(input.type))
      throw new ArmError(
        400,
        'InvalidResourceType',
        `The resource type '${input.type}' must look like 'Namespace/type'.`,
      );
    const omitFromChangeFeed = input.omitFromChangeFeed === true;
    const actor = portalActor();
    let group = subscription.resourceGroups.get(
      input.resourceGroup.toLowerCase(),
    );
    if (!group) {
      group = {
        name: input.resourceGroup,
        location: input.location ?? 'westeurope',
        tags: {},
      };
      subscription.resourceGroups.set(group.name.toLowerCase(), group);
      recordResourceGroupChange(subscription, 'Create', group, {
        actor,
        omitFromChangeFeed,
        operation: 'Microsoft.Resources/subscriptions/resourceGroups/write',
      });
    }
    const now = this.nowIso();
    const tags = validateTags({ ...(input.tags ?? {}) });
    return subscription.resources.put(
      {
        id: buildResourceId(
          subscription.subscriptionId,
          group.name,
          input.type,
          input.name,
        ),
        subscriptionId: subscription.subscriptionId,
        resourceGroup: group.name,
        type: input.type,
        name: input.name,
        location: input.location ?? group.location,
        tags,
        kind: input.kind,
        createdTime: now,
        changedTime: now,
      },
      { actor, omitFromChangeFeed },
    );
  }

  /**
   * Deletes a resource (a `Delete` in Resource Graph's `resourcechanges`, unless `omitFromChangeFeed`). Returns
   * whether it existed.
   */
  deleteResource(
    resourceId: string,
    options: DeleteResourceOptions = {},
  ): boolean {
    const parsed = parseResourceId(resourceId);
    const subscription =
      parsed && this.deps.context.state.subscription(parsed.subscriptionId);
    return (
      !!subscription &&
      subscription.resources.delete(resourceId, {
        omitFromChangeFeed: options.omitFromChangeFeed === true,
      })
    );
  }

  /**
   * Deletes a resource group and every resource in it, as someone would in the Azure portal: a `Delete` of each
   * resource in Resource Graph's `resourcechanges` and of the group in `resourcecontainerchanges` (none with
   * `omitFromChangeFeed`). Returns how many resources were deleted, or undefined when the group does not exist.
   */
  deleteResourceGroup(
    subscriptionId: string,
    name: string,
    options: DeleteResourceOptions = {},
  ): { deletedResources: number } | undefined {
    const subscription = this.requireSubscription(subscriptionId);
    const group =
      typeof name === 'string'
        ? subscription.resourceGroups.get(name.toLowerCase())
        : undefined;
    if (!group) return undefined;
    const omitFromChangeFeed = options.omitFromChangeFeed === true;
    const actor = portalActor();
    const members = [...subscription.resources.entries()]
      .filter(r => r.resourceGroup.toLowerCase() === name.toLowerCase())
      .map(r => r.id);
    for (const id of members) {
      subscription.resources.delete(id, { actor, omitFromChangeFeed });
    }
    subscription.resourceGroups.delete(name.toLowerCase());
    recordResourceGroupChange(subscription, 'Delete', group, {
      actor,
      omitFromChangeFeed,
      operation: 'Microsoft.Resources/subscriptions/resourceGroups/delete',
    });
    return { deletedResources: members.length };
  }

  /**
   * Grants admin consent: creates the app's service principal in the tenant. After the service principal was
   * deleted, this creates a new one with a new object id (the old one's role assignments stay orphaned), as consent
   * does in Entra ID.
   */
  consent(tenantId: string, clientId: string): ServicePrincipalState {
    if (!this.deps.context.state.tenants.has(tenantId.toLowerCase())) {
      throw new ArmError(
        404,
        'TenantNotFound',
        `Tenant '${tenantId}' not found.`,
      );
    }
    return this.deps.context.state.consent(tenantId, clientId);
  }

  /** The app's service principal in the tenant, if consented. */
  servicePrincipal(
    tenantId: string,
    clientId: string,
  ): ServicePrincipalState | undefined {
    return this.deps.context.state.servicePrincipal(tenantId, clientId);
  }

  /**
   * Deletes the app's enterprise application (service principal) from the tenant, as an admin would in the Entra
   * admin center; this also takes away the tenant's consent. Client-credential token requests then fail with
   * AADSTS7000229. Its role assignments stay, orphaned. Undo with {@link EmulatorControl.restoreServicePrincipal}
   * (same object id) or {@link EmulatorControl.consent} (a new service principal with a new object id).
   */
  deleteServicePrincipal(
    tenantId: string,
    clientId: string,
  ): ServicePrincipalState {
    this.requireTenant(tenantId);
    const deleted = this.deps.context.state.deleteServicePrincipal(
      tenantId,
      clientId,
    );
    if (!deleted) {
      throw new ArmError(
        404,
        'ServicePrincipalNotFound',
        `The app '${clientId}' has no service principal in tenant '${tenantId}'.`,
      );
    }
    return { ...deleted };
  }

  /** Restores a deleted service principal from the tenant's deleted items, with its object id and role assignments. */
  restoreServicePrincipal(
    tenantId: string,
    clientId: string,
  ): ServicePrincipalState {
    this.requireTenant(tenantId);
    const restored = this.deps.context.state.restoreServicePrincipal(
      tenantId,
      clientId,
    );
    if (!restored) {
      throw new ArmError(
        404,
        'ServicePrincipalNotFound',
        `The app '${clientId}' has no deleted service principal to restore in tenant '${tenantId}' (consent again creates a new one).`,
      );
    }
    return { ...restored };
  }

  /**
   * Turns sign-in on or off for the app's enterprise application in the tenant ("Enabled for users to sign in?").
   * While it is off, client-credential token requests fail with AADSTS7000112.
   */
  setServicePrincipalEnabled(
    tenantId: string,
    clientId: string,
    accountEnabled: boolean,
  ): ServicePrincipalState {
    this.requireTenant(tenantId);
    if (typeof accountEnabled !== 'boolean') {
      throw new ArmError(
        400,
        'InvalidServicePrincipalChange',
        "Pass 'accountEnabled' as true or false.",
      );
    }
    const sp = this.deps.context.state.servicePrincipal(tenantId, clientId);
    if (!sp) {
      throw new ArmError(
        404,
        'ServicePrincipalNotFound',
        `The app '${clientId}' has no service principal in tenant '${tenantId}'.`,
      );
    }
    sp.accountEnabled = accountEnabled;
    return { ...sp };
  }

  /**
   * Sets a subscription's state, as billing would (`Warned`, `PastDue`, `Disabled` after a missed payment or a
   * cancellation, `Deleted` at the end, `Enabled` when reactivated). What ARM then allows follows Learn "Azure
   * subscription states": see `checkSubscriptionLifecycle`.
   */
  setSubscriptionState(
    subscriptionId: string,
    state: SubscriptionLifecycleState,
  ): SubscriptionSummary {
    if (!SUBSCRIPTION_STATES.includes(state)) {
      throw new ArmError(
        400,
        'InvalidSubscriptionState',
        `The state must be one of ${SUBSCRIPTION_STATES.map(s => `'${s}'`).join(
          ', ',
        )}.`,
      );
    }
    const subscription = this.requireSubscription(subscriptionId);
    const before = subscriptionSnapshot(subscription);
    subscription.state = state;
    recordSubscriptionChange(subscription, before, {
      operation: 'Microsoft.Resources/subscriptions/write',
    });
    return subscriptionSummary(subscription);
  }

  /**
   * Renames a subscription, as its owner would in the Azure portal (Microsoft.Subscription's rename); an `Update` in
   * Resource Graph's `resourcecontainerchanges`.
   */
  renameSubscription(
    subscriptionId: string,
    displayName: string,
  ): SubscriptionSummary {
    if (typeof displayName !== 'string' || !displayName.trim()) {
      throw new ArmError(
        400,
        'InvalidSubscriptionName',
        "Pass the new name as a non-empty 'displayName'.",
      );
    }
    const subscription = this.requireSubscription(subscriptionId);
    const before = subscriptionSnapshot(subscription);
    subscription.displayName = displayName;
    recordSubscriptionChange(subscription, before, {
      operation: 'Microsoft.Subscription/rename/action',
    });
    return subscriptionSummary(subscription);
  }

  /**
   * Moves a subscription to another tenant's directory, as "Change directory" in the Azure portal does: every role
   * assignment at or below it is deleted, so the old tenant's principals lose access and a token of the old tenant
   * gets 401 `InvalidAuthenticationTokenTenant`. Moving it back does not bring the role assignments back.
   */
  moveSubscription(subscriptionId: string, tenantId: string): SubscriptionMove {
    const subscription = this.requireSubscription(subscriptionId);
    const tenant = this.requireTenant(tenantId);
    const fromTenantId = subscription.tenantId;
    const removed = this.deps.context.state.moveSubscription(
      subscription,
      tenant.id,
    );
    return {
      subscription: subscriptionSummary(subscription),
      fromTenantId,
      removedRoleAssignments: removed.map(a => ({ ...a })),
    };
  }

  /** Sets what the consent page does: show (`prompt`), or answer `accept` / `deny` without a click. */
  setConsentDecision(decision: ConsentDecision): void {
    if (!['prompt', 'accept', 'deny'].includes(decision)) {
      throw new ArmError(
        400,
        'InvalidConsentDecision',
        "The decision must be 'prompt', 'accept' or 'deny'.",
      );
    }
    this.deps.context.settings.consentDecision = decision;
  }

  /** Creates a role assignment directly (no RBAC check). */
  assignRole(input: NewRoleAssignment): RoleAssignmentState {
    const role = findBuiltInRole(input.role);
    if (!role)
      throw new ArmError(
        400,
        'RoleDefinitionDoesNotExist',
        `The specified role definition '${input.role}' does not exist.`,
      );
    const name =
      input.name ??
      deterministicGuid(
        'role-assignment',
        input.scope,
        input.principalId,
        role.id,
      );
    const now = this.nowIso();
    const assignment: RoleAssignmentState = {
      name,
      scope: input.scope,
      roleDefinitionGuid: role.id,
      principalId: input.principalId,
      principalType:
        input.principalType ??
        (this.deps.context.state.usersByOid.has(input.principalId.toLowerCase())
          ? 'User'
          : 'ServicePrincipal'),
      createdOn: now,
      updatedOn: now,
      createdBy: null,
      updatedBy: null,
      description: null,
    };
    this.deps.context.state.roleAssignments.set(name.toLowerCase(), assignment);
    return assignment;
  }

  /**
   * Creates (or replaces) a budget on a subscription, as someone would in the Azure portal; ARM only reads budgets.
   * The input has the fixture's shape ({@link FixtureBudget}); a malformed one is a 400 `InvalidBudget`.
   */
  addBudget(subscriptionId: string, budget: FixtureBudget): BudgetState {
    const subscription = this.requireSubscription(subscriptionId);
    const state = budgetStateOf(
      budget,
      Math.floor(this.deps.context.clock.now() / 86_400_000),
    );
    subscription.budgets.set(state.name.toLowerCase(), state);
    return structuredClone(state);
  }

  /** Deletes a budget. Returns whether it existed. */
  deleteBudget(subscriptionId: string, budgetName: string): boolean {
    return this.requireSubscription(subscriptionId).budgets.delete(
      String(budgetName).toLowerCase(),
    );
  }

  /**
   * Switches a cost scenario on (a `spike` on one service or `steady-growth` of a subscription); Cost Management's
   * query and forecast, and budgets' spend, follow it. A reset switches every scenario off.
   */
  addCostScenario(scenario: CostScenario): ActiveCostScenario {
    const model = this.deps.context.costModel;
    const today = new Date(model.today * 86_400_000).toISOString().slice(0, 10);
    const parsed = parseCostScenario(scenario, today);
    this.requireSubscription(parsed.subscriptionId);
    return model.addScenario(parsed);
  }

  /** The cost scenarios switched on, oldest first. */
  listCostScenarios(): ActiveCostScenario[] {
    return this.deps.context.costModel.listScenarios();
  }

  /** Switches one cost scenario off (404 when there is none with that id), or all of them when no id is given. */
  removeCostScenarios(id?: string): void {
    const removed = this.deps.context.costModel.removeScenarios(id);
    if (id !== undefined && !removed) {
      throw new ArmError(
        404,
        'CostScenarioNotFound',
        `There is no cost scenario '${id}'.`,
      );
    }
  }

  /**
   * Assigns a built-in tag policy at a subscription or resource group, as an admin would in the Azure portal
   * (replacing an assignment of the same name at the same scope). Checked as Azure checks the PUT: unknown
   * definition, missing or undefined parameters. Not enforced: the emulator only serves it to readers.
   */
  assignPolicy(input: NewPolicyAssignment): PolicyAssignmentState {
    const assignment = buildPolicyAssignment(this.deps.context.state, input);
    this.deps.context.state.addPolicyAssignment(assignment);
    return structuredClone(assignment);
  }

  /** The policy assignments, optionally only those at or below a scope (case-insensitive prefix); not logged. */
  listPolicyAssignments(
    filter: { scope?: string } = {},
  ): PolicyAssignmentState[] {
    const scope = filter.scope?.toLowerCase().replace(/\/+$/, '');
    return [...this.deps.context.state.policyAssignments.values()]
      .filter(
        a =>
          !scope ||
          a.scope.toLowerCase() === scope ||
          a.scope.toLowerCase().startsWith(`${scope}/`),
      )
      .map(a => structuredClone(a));
  }

  /** Deletes a policy assignment by its id. Returns whether it existed. */
  removePolicyAssignment(id: string): boolean {
    const match =
      /^(.*)\/providers\/Microsoft\.Authorization\/policyAssignments\/([^/]+)$/i.exec(
        typeof id === 'string' ? id : '',
      );
    if (!match) return false;
    return this.deps.context.state.policyAssignments.delete(
      policyAssignmentKey(match[1], match[2]),
    );
  }

  /** Changes throttling (e.g. `{ enabled: false }` for benchmarks, or small buckets for tests). */
  configureThrottling(options: ThrottlingOptions): void {
    this.deps.throttle.configure(options);
  }

  /** Moves the emulator's clock forward (codes and tokens expire; cost history moves on). */
  advanceClock(ms: number): void {
    this.deps.context.clock.advance(ms);
  }

  /** Restores the initial state: fixture data, no faults, empty log, default settings and clock. */
  reset(): void {
    this.deps.rebuildState();
    this.deps.faults.clear();
    this.deps.requestLog.clear();
    // Every limit back to the start's, including those a test changed (configure merges).
    this.deps.throttle.configure({
      ...DEFAULT_THROTTLING,
      ...this.deps.initialThrottling,
    });
    this.deps.context.clock.reset();
    this.deps.context.authorizationCodes.clear();
    this.deps.context.settings.consentDecision =
      this.deps.initialConsentDecision;
  }

  /** A summary of the current state. */
  summary(): Record<string, unknown> {
    const { state } = this.deps.context;
    return {
      tenants: [...state.tenants.values()].map(t => ({
        id: t.id,
        displayName: t.displayName,
        users: t.users.length,
      })),
      subscriptions: [...state.subscriptions.values()].map(subscriptionSummary),
      servicePrincipals: [...state.servicePrincipals.values()],
      deletedServicePrincipals: [...state.deletedServicePrincipals.values()],
      roleAssignments: state.roleAssignments.size,
      consentDecision: this.deps.context.settings.consentDecision,
      throttling: this.deps.throttle.configuration,
    };
  }

  private requireTenant(tenantId: string) {
    const tenant =
      typeof tenantId === 'string'
        ? this.deps.context.state.tenants.get(tenantId.toLowerCase())
        : undefined;
    if (!tenant) {
      throw new ArmError(
        404,
        'TenantNotFound',
        `Tenant '${tenantId}' not found.`,
      );
    }
    return tenant;
  }

  private requireSubscription(subscriptionId: string): SubscriptionState {
    const subscription =
      typeof subscriptionId === 'string'
        ? this.deps.context.state.subscription(subscriptionId)
        : undefined;
    if (!subscription) {
      throw new ArmError(
        404,
        'SubscriptionNotFound',
        `The subscription '${subscriptionId}' could not be found.`,
      );
    }
    return subscription;
  }

  private requireRole(role: string) {
    const found = findBuiltInRole(role);
    if (!found) {
      throw new ArmError(
        400,
        'RoleDefinitionDoesNotExist',
        `The specified role definition '${role}' does not exist.`,
      );
    }
    return found;
  }

  /** What carries tags at an id: a resource, or a subscription or resource group (which ARM tags too). */
  private findTagTarget(id: string): {
    tags: Record<string, string>;
    write: (tags: Record<string, string>) => void;
  } {
    if (parseResourceId(id)) {
      const { subscription, resource } = this.findResource(id);
      return {
        tags: resource.tags,
        write: tags =>
          subscription.resources.put(
            { ...resource, tags, changedTime: this.nowIso() },
            { operation: 'Microsoft.Resources/tags/write' },
          ),
      };
    }
    const parsed = parseScope(id);
    if (!parsed) {
      throw new ArmError(
        404,
        'ResourceNotFound',
        `The Resource '${id}' was not found.`,
      );
    }
    const subscription = this.deps.context.state.subscription(
      parsed.subscriptionId,
    );
    if (!subscription) {
      throw new ArmError(
        404,
        'SubscriptionNotFound',
        `The subscription '${parsed.subscriptionId}' could not be found.`,
      );
    }
    if (!parsed.resourceGroup) {
      return {
        tags: subscription.tags,
        write: tags => {
          const before = subscriptionSnapshot(subscription);
          subscription.tags = tags;
          recordSubscriptionChange(subscription, before, {
            operation: 'Microsoft.Resources/tags/write',
          });
        },
      };
    }
    const group = subscription.resourceGroups.get(
      parsed.resourceGroup.toLowerCase(),
    );
    if (!group) {
      throw new ArmError(
        404,
        'ResourceGroupNotFound',
        `Resource group '${parsed.resourceGroup}' could not be found.`,
      );
    }
    return {
      tags: group.tags,
      write: tags => {
        const tagsBefore = group.tags;
        group.tags = tags;
        recordResourceGroupChange(subscription, 'Update', group, {
          tagsBefore,
          operation: 'Microsoft.Resources/tags/write',
        });
      },
    };
  }

  private findResource(resourceId: string) {
    const parsed = parseResourceId(resourceId);
    const subscription =
      parsed && this.deps.context.state.subscription(parsed.subscriptionId);
    const resource = subscription?.resources.get(resourceId);
    if (!subscription || !resource) {
      throw new ArmError(
        404,
        'ResourceNotFound',
        `The Resource '${resourceId}' was not found.`,
      );
    }
    return { subscription, resource };
  }

  private nowIso(): string {
    return new Date(this.deps.context.clock.now()).toISOString();
  }
}

function subscriptionSummary(
  subscription: SubscriptionState,
): SubscriptionSummary {
  return {
    subscriptionId: subscription.subscriptionId,
    tenantId: subscription.tenantId,
    displayName: subscription.displayName,
    state: subscription.state,
    currency: subscription.currency,
    resourceGroups: subscription.resourceGroups.size,
  };
}
