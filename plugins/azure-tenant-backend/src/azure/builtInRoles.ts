import { isGuid } from './guid';

/**
 * Azure's built-in role definitions that the portal refers to by name, with their fixed GUIDs (the same in every
 * tenant). See "Azure built-in roles" in the Azure RBAC documentation.
 */
export const BUILT_IN_ROLE_IDS: Readonly<Record<string, string>> = {
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  'tag contributor': '4a9ae827-6dc8-4573-8ac7-8239d42aa03f',
  'cost management reader': '72fafb9e-0641-4937-9268-a91bfd8191a3',
  'user access administrator': '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
};

/** The roles that let a user assign roles on a subscription. */
export const ROLE_GRANTING_ROLE_IDS = new Set([
  BUILT_IN_ROLE_IDS.owner,
  BUILT_IN_ROLE_IDS['user access administrator'],
]);

/** A role the portal assigns: the name it shows, and the role definition GUID it sends. */
export interface RoleToAssign {
  name: string;
  roleDefinitionGuid: string;
}

/**
 * Resolves the configured role names (or GUIDs) to role definitions. Throws on a name that is not a built-in role,
 * so that a typo fails at startup rather than in a customer's tenant.
 */
export function resolveRoles(roles: string[]): RoleToAssign[] {
  return roles.map(role => {
    if (isGuid(role)) {
      const name = Object.entries(BUILT_IN_ROLE_IDS).find(
        ([, id]) => id === role.toLowerCase(),
      )?.[0];
      return {
        name: name ? titleCase(name) : role,
        roleDefinitionGuid: role.toLowerCase(),
      };
    }
    const id = BUILT_IN_ROLE_IDS[role.toLowerCase()];
    if (!id) {
      throw new Error(
        `Unknown Azure role '${role}' in azureTenant.roles: use a built-in role name (${Object.keys(
          BUILT_IN_ROLE_IDS,
        )
          .map(titleCase)
          .join(', ')}) or a role definition GUID`,
      );
    }
    return { name: titleCase(role), roleDefinitionGuid: id };
  });
}

function titleCase(name: string): string {
  return name.replace(/\b\w/g, c => c.toUpperCase());
}

/** The GUID at the end of a role definition id such as `/subscriptions/…/roleDefinitions/{guid}`. */
export function roleDefinitionGuid(roleDefinitionId: string): string {
  return roleDefinitionId.split('/').pop()!.toLowerCase();
}

/** Scopes at which a role assignment reaches a subscription: the subscription, management groups, and the root. */
export function coversSubscription(
  assignmentScope: string,
  subscriptionScope: string,
) {
  const scope = assignmentScope.toLowerCase();
  return (
    scope === subscriptionScope.toLowerCase() ||
    scope === '/' ||
    scope.startsWith('/providers/microsoft.management/managementgroups/')
  );
}
