/**
 * Built-in Azure role definitions the emulator knows, with their real GUIDs and permissions
 * (from the Azure built-in roles reference).
 *
 * @public
 */
export interface RoleDefinition {
  /** The role definition GUID (its `name`). */
  id: string;
  roleName: string;
  description: string;
  actions: string[];
  notActions: string[];
}

/** @public */
export const OWNER_ROLE_ID = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
/** @public */
export const CONTRIBUTOR_ROLE_ID = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
/** @public */
export const READER_ROLE_ID = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
/** @public */
export const TAG_CONTRIBUTOR_ROLE_ID = '4a9ae827-6dc8-4573-8ac7-8239d42aa03f';
/** @public */
export const COST_MANAGEMENT_READER_ROLE_ID =
  '72fafb9e-0641-4937-9268-a91bfd8191a3';
/** @public */
export const USER_ACCESS_ADMINISTRATOR_ROLE_ID =
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9';

/** @public */
export const BUILT_IN_ROLES: readonly RoleDefinition[] = [
  {
    id: OWNER_ROLE_ID,
    roleName: 'Owner',
    description:
      'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.',
    actions: ['*'],
    notActions: [],
  },
  {
    id: CONTRIBUTOR_ROLE_ID,
    roleName: 'Contributor',
    description:
      'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.',
    actions: ['*'],
    notActions: [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
      'Microsoft.Blueprint/blueprintAssignments/write',
      'Microsoft.Blueprint/blueprintAssignments/delete',
      'Microsoft.Compute/galleries/share/action',
    ],
  },
  {
    id: READER_ROLE_ID,
    roleName: 'Reader',
    description:
      'View all resources, but does not allow you to make any changes.',
    actions: ['*/read'],
    notActions: [],
  },
  {
    id: TAG_CONTRIBUTOR_ROLE_ID,
    roleName: 'Tag Contributor',
    description:
      'Lets you manage tags on entities, without providing access to the entities themselves.',
    actions: [
      'Microsoft.Authorization/*/read',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Resources/subscriptions/resourceGroups/resources/read',
      'Microsoft.Resources/subscriptions/resources/read',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Support/*',
      'Microsoft.Resources/tags/*',
    ],
    notActions: [],
  },
  {
    id: COST_MANAGEMENT_READER_ROLE_ID,
    roleName: 'Cost Management Reader',
    description: 'Can view cost data and configuration (e.g. budgets, exports)',
    actions: [
      'Microsoft.Consumption/*/read',
      'Microsoft.CostManagement/*/read',
      'Microsoft.Billing/billingPeriods/read',
      'Microsoft.Resources/subscriptions/read',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Support/*',
      'Microsoft.Advisor/configurations/read',
      'Microsoft.Advisor/recommendations/read',
      'Microsoft.Management/managementGroups/read',
      'Microsoft.Billing/billingProperty/read',
    ],
    notActions: [],
  },
  {
    id: USER_ACCESS_ADMINISTRATOR_ROLE_ID,
    roleName: 'User Access Administrator',
    description: 'Lets you manage user access to Azure resources.',
    actions: ['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*'],
    notActions: [],
  },
];

const BY_ID = new Map(BUILT_IN_ROLES.map(r => [r.id, r]));
const BY_NAME = new Map(BUILT_IN_ROLES.map(r => [r.roleName.toLowerCase(), r]));

/** Finds a built-in role by GUID, by role definition id (any scope prefix) or by name. */
export function findBuiltInRole(idOrName: string): RoleDefinition | undefined {
  const trimmed = idOrName.trim();
  const guid = trimmed.split('/').pop()!.toLowerCase();
  return BY_ID.get(guid) ?? BY_NAME.get(trimmed.toLowerCase());
}

const patternCache = new Map<string, RegExp>();

function actionPattern(pattern: string): RegExp {
  let regex = patternCache.get(pattern);
  if (!regex) {
    const source = pattern
      .split('*')
      .map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    regex = new RegExp(`^${source}$`, 'i');
    patternCache.set(pattern, regex);
  }
  return regex;
}

/** Whether the role allows the action (`actions` minus `notActions`, wildcards, case-insensitive). */
export function roleAllows(role: RoleDefinition, action: string): boolean {
  return (
    role.actions.some(p => actionPattern(p).test(action)) &&
    !role.notActions.some(p => actionPattern(p).test(action))
  );
}
