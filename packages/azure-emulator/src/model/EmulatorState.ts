import { BudgetState, budgetStateOf } from '../consumption/budgets';
import {
  PolicyAssignmentState,
  buildPolicyAssignment,
  policyAssignmentKey,
} from '../policy/policyAssignments';
import { findBuiltInRole } from '../rbac/builtInRoles';
import { deterministicGuid } from './seededRandom';
import { ChangeLog } from './ChangeLog';
import {
  EmulatorFixture,
  FixtureApp,
  FixtureResource,
  FixtureUser,
} from './fixture';
import {
  ResourceCollection,
  ResourceSource,
  createArrayResourceSource,
} from './ResourceCollection';
import { ResourceRecord, buildResourceId } from './ResourceRecord';

/** A tenant and its directory. */
export interface TenantState {
  id: string;
  displayName: string;
  users: FixtureUser[];
}

/**
 * An app's service principal in a tenant, created by admin consent.
 *
 * @public
 */
export interface ServicePrincipalState {
  objectId: string;
  appId: string;
  tenantId: string;
  displayName: string;
  createdTime: string;
  /**
   * Whether users and the app itself may sign in (the enterprise app's "Enabled for users to sign in?"). A disabled
   * service principal gets no tokens: AADSTS7000112.
   */
  accountEnabled: boolean;
}

/**
 * The states an Azure subscription can be in, as `Microsoft.Resources` reports them.
 *
 * @public
 */
export type SubscriptionLifecycleState =
  | 'Enabled'
  | 'Warned'
  | 'PastDue'
  | 'Disabled'
  | 'Deleted';

/** Every {@link SubscriptionLifecycleState}. */
export const SUBSCRIPTION_STATES: readonly SubscriptionLifecycleState[] = [
  'Enabled',
  'Warned',
  'PastDue',
  'Disabled',
  'Deleted',
];

/** A resource group. */
export interface ResourceGroupState {
  name: string;
  location: string;
  tags: Record<string, string>;
}

/** A subscription and what is in it. */
export interface SubscriptionState {
  subscriptionId: string;
  tenantId: string;
  displayName: string;
  state: SubscriptionLifecycleState;
  currency: string;
  tags: Record<string, string>;
  resourceGroups: Map<string, ResourceGroupState>;
  resources: ResourceCollection;
  /** `Microsoft.Consumption/budgets`, by lower-case name. */
  budgets: Map<string, BudgetState>;
  /** What Resource Graph's change tables hold for this subscription: only actual writes, for 14 days. */
  changes: SubscriptionChanges;
}

/** A subscription's change logs, one per Resource Graph table. */
export interface SubscriptionChanges {
  /** `resourcechanges`: its resources' creates, updates (tags included) and deletes. */
  resources: ChangeLog;
  /** `resourcecontainerchanges`: the subscription's own changes and its resource groups'. */
  containers: ChangeLog;
}

/**
 * A role assignment.
 *
 * @public
 */
export interface RoleAssignmentState {
  /** The assignment's GUID name. */
  name: string;
  /** The scope, e.g. `/subscriptions/{s}` or `/subscriptions/{s}/resourceGroups/{rg}`. */
  scope: string;
  roleDefinitionGuid: string;
  principalId: string;
  principalType: string;
  createdOn: string;
  updatedOn: string;
  createdBy: string | null;
  updatedBy: string | null;
  description: string | null;
}

/** A Partner Admin Link: a partner id associated with one principal in one tenant. */
export interface PartnerLinkState {
  partnerId: string;
  tenantId: string;
  objectId: string;
  createdTime: string;
  updatedTime: string;
  version: number;
}

/** A principal the directory knows. */
export interface DirectoryPrincipal {
  objectId: string;
  tenantId: string;
  type: 'User' | 'ServicePrincipal';
  displayName: string;
}

/** A subscription whose resources come from a lazy source rather than the fixture. */
export interface LazySubscriptionResources {
  source: ResourceSource;
}

/** Options for {@link EmulatorState.fromFixture}. */
export interface EmulatorStateOptions {
  /** Resource sources that replace the fixture's `resources` for some subscriptions (lower-case ids). */
  lazyResources?: Map<string, ResourceSource>;
  /** Used for timestamps. */
  now?: () => number;
}

const DEFAULT_CREATED = Date.UTC(2024, 0, 15);

/**
 * All Azure-side state of the emulator: directory, apps and consents, subscriptions, resource
 * groups, resources, tags, role assignments and partner links.
 */
export class EmulatorState {
  readonly tenants = new Map<string, TenantState>();
  readonly usersByOid = new Map<
    string,
    { user: FixtureUser; tenantId: string }
  >();
  readonly usersByUpn = new Map<
    string,
    { user: FixtureUser; tenantId: string }
  >();
  readonly apps = new Map<string, FixtureApp>();
  readonly servicePrincipals = new Map<string, ServicePrincipalState>();
  /** Soft-deleted service principals, restorable (with their object id) until consent creates a new one. */
  readonly deletedServicePrincipals = new Map<string, ServicePrincipalState>();
  /** How many service principals each tenant and app has had: a new one after a deletion gets a new object id. */
  private readonly servicePrincipalGenerations = new Map<string, number>();
  readonly subscriptions = new Map<string, SubscriptionState>();
  readonly roleAssignments = new Map<string, RoleAssignmentState>();
  readonly partnerLinks = new Map<string, PartnerLinkState>();
  /** Azure Policy assignments, by lower-case id; read-only to ARM callers (see `policy/`). */
  readonly policyAssignments = new Map<string, PolicyAssignmentState>();
  private readonly now: () => number;

  private constructor(now: () => number) {
    this.now = now;
  }

  /** Builds the state a fixture describes. */
  static fromFixture(
    fixture: EmulatorFixture,
    options: EmulatorStateOptions = {},
  ): EmulatorState {
    const state = new EmulatorState(options.now ?? Date.now);
    for (const tenant of fixture.tenants) {
      state.tenants.set(tenant.id.toLowerCase(), {
        id: tenant.id,
        displayName: tenant.displayName,
        users: tenant.users,
      });
      for (const user of tenant.users) {
        const entry = { user, tenantId: tenant.id };
        state.usersByOid.set(user.oid.toLowerCase(), entry);
        state.usersByUpn.set(user.userPrincipalName.toLowerCase(), entry);
      }
    }
    for (const app of fixture.apps ?? []) {
      state.apps.set(app.clientId.toLowerCase(), app);
    }
    for (const consent of fixture.consents ?? []) {
      state.consent(consent.tenantId, consent.clientId);
    }
    for (const sub of fixture.subscriptions ?? []) {
      const subscriptionId = sub.subscriptionId;
      const lazy = options.lazyResources?.get(subscriptionId.toLowerCase());
      const source =
        lazy ??
        createArrayResourceSource(
          (sub.resources ?? []).map((r, index) =>
            fixtureResourceRecord(subscriptionId, r, index),
          ),
        );
      const resourceGroups = new Map<string, ResourceGroupState>();
      for (const rg of sub.resourceGroups ?? []) {
        resourceGroups.set(rg.name.toLowerCase(), {
          name: rg.name,
          location: rg.location,
          tags: { ...(rg.tags ?? {}) },
        });
      }
      // A resource's group exists even when the fixture forgot to list it.
      if (!lazy) {
        for (const r of sub.resources ?? []) {
          if (!resourceGroups.has(r.resourceGroup.toLowerCase())) {
            resourceGroups.set(r.resourceGroup.toLowerCase(), {
              name: r.resourceGroup,
              location: r.location,
              tags: {},
            });
          }
        }
      }
      const changes: SubscriptionChanges = {
        resources: new ChangeLog(state.now),
        containers: new ChangeLog(state.now),
      };
      state.subscriptions.set(subscriptionId.toLowerCase(), {
        subscriptionId,
        tenantId: sub.tenantId,
        displayName: sub.displayName,
        // The fixture's JSON Schema allows only the five states.
        state: (sub.state ?? 'Enabled') as SubscriptionLifecycleState,
        currency: sub.currency ?? 'USD',
        tags: { ...(sub.tags ?? {}) },
        resourceGroups,
        resources: new ResourceCollection(source, changes.resources),
        budgets: new Map(
          (sub.budgets ?? []).map(budget => [
            budget.name.toLowerCase(),
            budgetStateOf(budget, Math.floor(state.now() / 86_400_000)),
          ]),
        ),
        changes,
      });
      for (const assignment of sub.roleAssignments ?? []) {
        const role = findBuiltInRole(assignment.role);
        if (!role) {
          throw new Error(
            `Fixture subscription ${subscriptionId}: unknown role '${assignment.role}'`,
          );
        }
        const scope = absoluteScope(subscriptionId, assignment.scope);
        const name =
          assignment.name ??
          deterministicGuid(
            'role-assignment',
            scope,
            assignment.principalId,
            role.id,
          );
        const isUser = state.usersByOid.has(
          assignment.principalId.toLowerCase(),
        );
        const created = new Date(DEFAULT_CREATED).toISOString();
        state.roleAssignments.set(name.toLowerCase(), {
          name,
          scope,
          roleDefinitionGuid: role.id,
          principalId: assignment.principalId,
          principalType:
            assignment.principalType ?? (isUser ? 'User' : 'ServicePrincipal'),
          createdOn: created,
          updatedOn: created,
          createdBy: null,
          updatedBy: null,
          description: null,
        });
      }
      for (const assignment of sub.policyAssignments ?? []) {
        state.addPolicyAssignment(
          buildPolicyAssignment(state, {
            ...assignment,
            scope: absoluteScope(subscriptionId, assignment.scope),
          }),
        );
      }
    }
    return state;
  }

  /**
   * Creates the app's service principal in the tenant (admin consent). Idempotent while it exists. After a deletion,
   * consent creates a new service principal with a new object id, as Entra ID does; the soft-deleted one can then no
   * longer be restored.
   */
  consent(tenantId: string, clientId: string): ServicePrincipalState {
    const key = `${tenantId}|${clientId}`.toLowerCase();
    const existing = this.servicePrincipals.get(key);
    if (existing) return existing;
    const app = this.apps.get(clientId.toLowerCase());
    const generation = this.servicePrincipalGenerations.get(key) ?? 0;
    this.servicePrincipalGenerations.set(key, generation + 1);
    this.deletedServicePrincipals.delete(key);
    const parts = [tenantId.toLowerCase(), clientId.toLowerCase()];
    const sp: ServicePrincipalState = {
      // The first one keeps the id it always had, so fixtures and recorded ids stay stable.
      objectId: deterministicGuid(
        'service-principal',
        ...(generation === 0 ? parts : [...parts, String(generation)]),
      ),
      appId: app?.clientId ?? clientId,
      tenantId,
      displayName: app?.displayName ?? app?.clientId ?? clientId,
      createdTime: new Date(this.now()).toISOString(),
      accountEnabled: true,
    };
    this.servicePrincipals.set(key, sp);
    return sp;
  }

  /**
   * Deletes the app's service principal (the enterprise app) from the tenant: a soft delete. Its role assignments
   * stay, orphaned, as in Azure RBAC. Returns the deleted service principal, or undefined when there was none.
   */
  deleteServicePrincipal(
    tenantId: string,
    clientId: string,
  ): ServicePrincipalState | undefined {
    const key = `${tenantId}|${clientId}`.toLowerCase();
    const sp = this.servicePrincipals.get(key);
    if (!sp) return undefined;
    this.servicePrincipals.delete(key);
    this.deletedServicePrincipals.set(key, sp);
    return sp;
  }

  /** Restores a soft-deleted service principal, with its object id. Returns it, or undefined when none is restorable. */
  restoreServicePrincipal(
    tenantId: string,
    clientId: string,
  ): ServicePrincipalState | undefined {
    const key = `${tenantId}|${clientId}`.toLowerCase();
    const sp = this.deletedServicePrincipals.get(key);
    if (!sp || this.servicePrincipals.has(key)) return undefined;
    this.deletedServicePrincipals.delete(key);
    this.servicePrincipals.set(key, sp);
    return sp;
  }

  /**
   * Moves a subscription to another tenant's directory. As Azure does, every role assignment at or below the
   * subscription is deleted (they are not transferred). Returns the deleted assignments.
   */
  moveSubscription(
    subscription: SubscriptionState,
    tenantId: string,
  ): RoleAssignmentState[] {
    const tenant = this.tenants.get(tenantId.toLowerCase());
    subscription.tenantId = tenant?.id ?? tenantId;
    const scope = `/subscriptions/${subscription.subscriptionId}`;
    const removed = [...this.roleAssignments.values()].filter(a =>
      isSameOrAncestorScope(scope, a.scope),
    );
    for (const assignment of removed) {
      this.roleAssignments.delete(assignment.name.toLowerCase());
    }
    return removed;
  }

  /** Adds a policy assignment, replacing one of the same name at the same scope (as a PUT does). */
  addPolicyAssignment(assignment: PolicyAssignmentState): void {
    this.policyAssignments.set(
      policyAssignmentKey(assignment.scope, assignment.name),
      assignment,
    );
  }

  /** The app's service principal in the tenant, if it has been consented. */
  servicePrincipal(
    tenantId: string,
    clientId: string,
  ): ServicePrincipalState | undefined {
    return this.servicePrincipals.get(`${tenantId}|${clientId}`.toLowerCase());
  }

  /** Finds a user or service principal by object id within a tenant. */
  findPrincipal(
    tenantId: string,
    objectId: string,
  ): DirectoryPrincipal | undefined {
    const user = this.usersByOid.get(objectId.toLowerCase());
    if (user && user.tenantId.toLowerCase() === tenantId.toLowerCase()) {
      return {
        objectId: user.user.oid,
        tenantId: user.tenantId,
        type: 'User',
        displayName: user.user.displayName ?? user.user.userPrincipalName,
      };
    }
    for (const sp of this.servicePrincipals.values()) {
      if (
        sp.objectId.toLowerCase() === objectId.toLowerCase() &&
        sp.tenantId.toLowerCase() === tenantId.toLowerCase()
      ) {
        return {
          objectId: sp.objectId,
          tenantId: sp.tenantId,
          type: 'ServicePrincipal',
          displayName: sp.displayName,
        };
      }
    }
    return undefined;
  }

  subscription(subscriptionId: string): SubscriptionState | undefined {
    return this.subscriptions.get(subscriptionId.toLowerCase());
  }

  /** Role assignments that apply at the scope: those at the scope or at any scope above it. */
  assignmentsApplyingAt(
    scope: string,
    principalId?: string,
  ): RoleAssignmentState[] {
    const target = scope.toLowerCase().replace(/\/+$/, '');
    const result: RoleAssignmentState[] = [];
    for (const assignment of this.roleAssignments.values()) {
      if (
        principalId &&
        assignment.principalId.toLowerCase() !== principalId.toLowerCase()
      )
        continue;
      if (isSameOrAncestorScope(assignment.scope, target))
        result.push(assignment);
    }
    return result;
  }
}

/** Whether `ancestor` is `scope` itself or a scope above it (case-insensitive). */
export function isSameOrAncestorScope(
  ancestor: string,
  scope: string,
): boolean {
  const a = ancestor.toLowerCase().replace(/\/+$/, '');
  const s = scope.toLowerCase().replace(/\/+$/, '');
  return a === '' || s === a || s.startsWith(`${a}/`);
}

function absoluteScope(
  subscriptionId: string,
  scope: string | undefined,
): string {
  if (!scope) return `/subscriptions/${subscriptionId}`;
  if (scope.toLowerCase().startsWith('/subscriptions/')) return scope;
  return `/subscriptions/${subscriptionId}${
    scope.startsWith('/') ? '' : '/'
  }${scope}`;
}

function fixtureResourceRecord(
  subscriptionId: string,
  resource: FixtureResource,
  index: number,
): ResourceRecord {
  const created =
    resource.createdTime ??
    new Date(DEFAULT_CREATED + (index % 300) * 86_400_000).toISOString();
  return {
    id: buildResourceId(
      subscriptionId,
      resource.resourceGroup,
      resource.type,
      resource.name,
    ),
    subscriptionId,
    resourceGroup: resource.resourceGroup,
    type: resource.type,
    name: resource.name,
    location: resource.location,
    tags: { ...(resource.tags ?? {}) },
    kind: resource.kind,
    sku: resource.sku,
    createdTime: created,
    changedTime: created,
    index,
  };
}
