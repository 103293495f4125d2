/**
 * The fixture format: the Azure-side state the emulator starts from.
 * `schema/fixture.schema.json` describes the same shape as a JSON Schema.
 */

/**
 * A user in a tenant's directory.
 *
 * @public
 */
export interface FixtureUser {
  /** The user's object id (the `oid` claim). */
  oid: string;
  /** The sign-in name, e.g. `demo@contoso.example`. */
  userPrincipalName: string;
  /** Shown on the sign-in page and put in the `name` claim. Defaults to the user principal name. */
  displayName?: string;
}

/**
 * A Microsoft Entra tenant.
 *
 * @public
 */
export interface FixtureTenant {
  id: string;
  displayName: string;
  users: FixtureUser[];
}

/**
 * A (multi-tenant) app registration.
 *
 * @public
 */
export interface FixtureApp {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** Shown on the consent page. Defaults to the client id. */
  displayName?: string;
}

/**
 * An app that is already consented (has a service principal) in a tenant.
 *
 * @public
 */
export interface FixtureConsent {
  tenantId: string;
  clientId: string;
}

/**
 * A role assignment in a subscription.
 *
 * @public
 */
export interface FixtureRoleAssignment {
  /** The object id of a user or service principal. */
  principalId: string;
  /** A built-in role name (e.g. `Owner`, `Reader`, `Tag Contributor`) or a role definition GUID. */
  role: string;
  /**
   * The scope, relative to the subscription (e.g. `/resourceGroups/rg-web`) or absolute.
   * Defaults to the subscription itself.
   */
  scope?: string;
  /** The role assignment's name (a GUID). Defaults to a GUID derived from the other fields. */
  name?: string;
  /** `User`, `ServicePrincipal` or `Group`. Defaults to `User` for users and `ServicePrincipal` otherwise. */
  principalType?: string;
}

/**
 * A resource group.
 *
 * @public
 */
export interface FixtureResourceGroup {
  name: string;
  location: string;
  tags?: Record<string, string>;
}

/**
 * A resource. Its id is built from the subscription, group, type and name.
 *
 * @public
 */
export interface FixtureResource {
  /** The full resource type, e.g. `Microsoft.Compute/virtualMachines`. */
  type: string;
  name: string;
  resourceGroup: string;
  location: string;
  tags?: Record<string, string>;
  kind?: string;
  sku?: { name: string; tier?: string };
  /** ISO timestamp. Defaults to a fixed date derived from the resource. */
  createdTime?: string;
}

/**
 * A subscription with its role assignments, resource groups and resources.
 *
 * @public
 */
export interface FixtureSubscription {
  subscriptionId: string;
  tenantId: string;
  displayName: string;
  /** `Enabled` (default), `Warned`, `PastDue`, `Disabled` or `Deleted`. */
  state?: string;
  /** The billing currency used by Cost Management. Defaults to `USD`. */
  currency?: string;
  tags?: Record<string, string>;
  roleAssignments?: FixtureRoleAssignment[];
  resourceGroups?: FixtureResourceGroup[];
  resources?: FixtureResource[];
  /** Cost budgets on the subscription (`Microsoft.Consumption/budgets`). */
  budgets?: FixtureBudget[];
  /** Azure Policy assignments of built-in tag definitions, at the subscription or one of its resource groups. */
  policyAssignments?: FixturePolicyAssignment[];
}

/**
 * An Azure Policy assignment of a built-in tag definition (served read-only; the emulator does not enforce it).
 *
 * @public
 */
export interface FixturePolicyAssignment {
  /** Defaults to 24 hex characters derived from scope and definition. */
  name?: string;
  /** A built-in tag definition's GUID or id, e.g. `871b6d14-10aa-478d-b590-94f262ecfa99` (Require a tag on resources). */
  policyDefinitionId: string;
  /** Relative to the subscription (e.g. `/resourceGroups/rg-web`) or absolute. Defaults to the subscription. */
  scope?: string;
  /** Defaults to the definition's display name. */
  displayName?: string;
  description?: string;
  /** In ARM's shape: `{ "tagName": { "value": "owner" } }`. */
  parameters?: Record<string, { value: unknown }>;
  /** Defaults to `Default`. */
  enforcementMode?: 'Default' | 'DoNotEnforce';
  notScopes?: string[];
  metadata?: Record<string, unknown>;
  /** The managed identity's location for `modify` definitions. Defaults to `westeurope`. */
  location?: string;
}

/**
 * An alert on a budget, as `Microsoft.Consumption/budgets` has it in `properties.notifications`.
 *
 * @public
 */
export interface FixtureBudgetNotification {
  enabled: boolean;
  operator: 'EqualTo' | 'GreaterThan' | 'GreaterThanOrEqualTo';
  /** Percent of the budget's amount, 0 to 1000. */
  threshold: number;
  contactEmails: string[];
  contactRoles?: string[];
  contactGroups?: string[];
  /** Whether the threshold is on actual or forecast spend. Defaults to `Actual`. */
  thresholdType?: 'Actual' | 'Forecasted';
  /** e.g. `en-us`. */
  locale?: string;
}

/**
 * A cost budget on a subscription, in the shape of `Microsoft.Consumption/budgets` `properties` (category `Cost`)
 * plus its name. Its current and forecast spend are computed from the cost model.
 *
 * @public
 */
export interface FixtureBudget {
  name: string;
  /** In the subscription's currency; above 0. */
  amount: number;
  /** Defaults to `Monthly`. */
  timeGrain?:
    | 'Monthly'
    | 'Quarterly'
    | 'Annually'
    | 'BillingMonth'
    | 'BillingQuarter'
    | 'BillingAnnual';
  /**
   * `startDate` must be the first of a month (defaults to the first of the current month); `endDate` defaults to
   * 10 years after the start, as Azure does.
   */
  timePeriod?: { startDate: string; endDate?: string };
  /** A Cost Management filter (`and`, `or`, `not`, `dimensions` / `tags` with `In`). */
  filter?: Record<string, unknown>;
  /** Up to five alerts, by name. */
  notifications?: Record<string, FixtureBudgetNotification>;
}

/**
 * A daily cost profile for one resource.
 *
 * @public
 */
export interface FixtureCostProfile {
  /** The full resource id (case-insensitive). */
  resourceId: string;
  /** The average cost of a weekday, in the subscription's currency. */
  dailyCost: number;
  /** The factor applied on Saturdays and Sundays. Defaults to 0.85. */
  weekendFactor?: number;
  /** Relative day-to-day noise, 0 to 1. Defaults to 0.1. */
  noise?: number;
}

/**
 * An explicit daily cost row. A resource with explicit rows only costs what its rows say.
 *
 * @public
 */
export interface FixtureCostRow {
  /** `YYYY-MM-DD`. */
  date: string;
  resourceId: string;
  cost: number;
}

/**
 * Cost Management data. Resources without a profile or rows get a cost derived from their type.
 *
 * @public
 */
export interface FixtureCosts {
  /** Seeds the day-to-day noise. Defaults to 1. */
  seed?: number;
  /** How many days of history exist before today. Defaults to 120. */
  historyDays?: number;
  profiles?: FixtureCostProfile[];
  rows?: FixtureCostRow[];
}

/**
 * A whole fixture.
 *
 * @public
 */
export interface EmulatorFixture {
  tenants: FixtureTenant[];
  apps?: FixtureApp[];
  /** Apps that already have a service principal in a tenant (admin consent already given). */
  consents?: FixtureConsent[];
  subscriptions?: FixtureSubscription[];
  costs?: FixtureCosts;
}
