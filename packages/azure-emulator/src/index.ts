/**
 * A local Azure for development, demos and tests: Microsoft Entra ID, ARM (subscriptions,
 * resource groups, resources, tags, RBAC), Resource Graph, Cost Management and Partner Admin
 * Link, over HTTPS, for the real Azure SDKs.
 *
 * @packageDocumentation
 */

export { startAzureEmulator, DEFAULT_STATE_DIR } from './startAzureEmulator';
export type { AzureEmulator, AzureEmulatorOptions } from './startAzureEmulator';
export { EmulatorControl } from './control/EmulatorControl';
export type {
  DeleteResourceOptions,
  NewResource,
  NewRoleAssignment,
  RoleAssignmentFilter,
  SubscriptionMove,
  SubscriptionSummary,
  TagEdit,
} from './control/EmulatorControl';
export type {
  RoleAssignmentState,
  ServicePrincipalState,
  SubscriptionLifecycleState,
} from './model/EmulatorState';
export type {
  AsyncOperationFault,
  Fault,
  FaultMatch,
  FaultSpec,
} from './control/faults';
export type { RequestLogEntry } from './control/requestLog';
export type { ConsentDecision } from './EmulatorContext';
export type {
  ThrottlingOptions,
  TokenBucketLimit,
} from './throttling/TokenBucketThrottle';
export type { CostManagementQpuQuotas } from './throttling/CostManagementQpuThrottle';
export type { ResourceGraphQuota } from './throttling/ResourceGraphUserQuota';
export type { GenerateOptions } from './model/generatedTenant';
export type { BudgetState } from './consumption/budgets';
export type {
  ActiveCostScenario,
  CostGrowthScenario,
  CostScenario,
  CostSpikeScenario,
} from './cost/costScenarios';
export type {
  EmulatorFixture,
  FixtureApp,
  FixtureBudget,
  FixtureBudgetNotification,
  FixtureConsent,
  FixtureCostProfile,
  FixtureCostRow,
  FixtureCosts,
  FixturePolicyAssignment,
  FixtureResource,
  FixtureResourceGroup,
  FixtureRoleAssignment,
  FixtureSubscription,
  FixtureTenant,
  FixtureUser,
} from './model/fixture';
export {
  DEMO_APP,
  DEMO_SUBSCRIPTIONS,
  DEMO_TENANT,
  DEMO_USER,
} from './model/demoIdentities';
export { DEMO_FIXTURE_PATH, FixtureError } from './model/fixtureLoader';
export {
  BUILT_IN_ROLES,
  OWNER_ROLE_ID,
  CONTRIBUTOR_ROLE_ID,
  READER_ROLE_ID,
  TAG_CONTRIBUTOR_ROLE_ID,
  COST_MANAGEMENT_READER_ROLE_ID,
  USER_ACCESS_ADMINISTRATOR_ROLE_ID,
} from './rbac/builtInRoles';
export type { RoleDefinition } from './rbac/builtInRoles';
export {
  BUILT_IN_TAG_POLICY_DEFINITIONS,
  REQUIRE_TAG_POLICY_ID,
  REQUIRE_TAG_AND_VALUE_POLICY_ID,
  REQUIRE_TAG_ON_RESOURCE_GROUPS_POLICY_ID,
  INHERIT_TAG_FROM_RESOURCE_GROUP_POLICY_ID,
  INHERIT_TAG_FROM_RESOURCE_GROUP_IF_MISSING_POLICY_ID,
  INHERIT_TAG_FROM_SUBSCRIPTION_POLICY_ID,
  INHERIT_TAG_FROM_SUBSCRIPTION_IF_MISSING_POLICY_ID,
  ADD_OR_REPLACE_TAG_POLICY_ID,
} from './policy/builtInPolicyDefinitions';
export type { BuiltInPolicyDefinition } from './policy/builtInPolicyDefinitions';
export type {
  NewPolicyAssignment,
  PolicyAssignmentState,
} from './policy/policyAssignments';
export { readFormPostPage } from './entra/signInPages';
export { ArmError, isArmError } from './errors/ArmError';
export { EntraError, isEntraError } from './errors/EntraError';
export {
  emulatorClientOptions,
  emulatorCredentialOptions,
} from './clientOptions';
