/**
 * The built-in Azure Policy definitions for tags that the emulator serves, copied from Azure/azure-policy
 * (`built-in-policies/policyDefinitions/Tags/<file>.json`): the same GUIDs, display names, descriptions, modes,
 * parameters and policy rules (`if` / `then` with the real effect), so a client can tell a definition that
 * requires a tag (effect `deny`) from one that inherits or sets it (effect `modify`) as it would on Azure.
 *
 * @public
 */
export interface BuiltInPolicyDefinition {
  /** The definition's GUID (its `name`). */
  name: string;
  displayName: string;
  description: string;
  /** `Indexed` (resources that support tags and location) or `All` (also resource groups). */
  mode: 'Indexed' | 'All';
  /** The definition's version, as in its `metadata.version` and (api-version 2023-04-01 and later) `version`. */
  version: string;
  parameters: Record<string, unknown>;
  policyRule: { if: unknown; then: { effect: string; details?: unknown } };
}

/** "Require a tag on resources": `deny`. @public */
export const REQUIRE_TAG_POLICY_ID = '871b6d14-10aa-478d-b590-94f262ecfa99';
/** "Require a tag and its value on resources": `deny`. @public */
export const REQUIRE_TAG_AND_VALUE_POLICY_ID =
  '1e30110a-5ceb-460c-a204-c1c3969c6d62';
/** "Require a tag on resource groups": `deny`. @public */
export const REQUIRE_TAG_ON_RESOURCE_GROUPS_POLICY_ID =
  '96670d01-0a4d-4649-9c89-2d3abc0a5025';
/** "Inherit a tag from the resource group": `modify` (add or replace). @public */
export const INHERIT_TAG_FROM_RESOURCE_GROUP_POLICY_ID =
  'cd3aa116-8754-49c9-a813-ad46512ece54';
/** "Inherit a tag from the resource group if missing": `modify` (add). @public */
export const INHERIT_TAG_FROM_RESOURCE_GROUP_IF_MISSING_POLICY_ID =
  'ea3f2387-9b95-492a-a190-fcdc54f7b070';
/** "Inherit a tag from the subscription": `modify` (add or replace). @public */
export const INHERIT_TAG_FROM_SUBSCRIPTION_POLICY_ID =
  'b27a0cbd-a167-4dfa-ae64-4337be671140';
/** "Inherit a tag from the subscription if missing": `modify` (add). @public */
export const INHERIT_TAG_FROM_SUBSCRIPTION_IF_MISSING_POLICY_ID =
  '40df99da-1232-49b1-a39a-6da8d878f469';
/** "Add or replace a tag on resources": `modify` (add or replace). @public */
export const ADD_OR_REPLACE_TAG_POLICY_ID =
  '5ffd78d9-436d-4b41-a421-5baa819e3008';

// The modify effect's role: Contributor, as every modify definition below names it.
const MODIFY_ROLE_DEFINITION_IDS = [
  '/providers/microsoft.authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c',
];

const TAG_NAME_PARAMETER = {
  tagName: {
    type: 'String',
    metadata: {
      displayName: 'Tag Name',
      description: "Name of the tag, such as 'environment'",
    },
  },
};
const TAG_VALUE_PARAMETER = {
  tagValue: {
    type: 'String',
    metadata: {
      displayName: 'Tag Value',
      description: "Value of the tag, such as 'production'",
    },
  },
};
const TAG_FIELD = "[concat('tags[', parameters('tagName'), ']')]";
const RESOURCE_GROUP_TAG = "[resourceGroup().tags[parameters('tagName')]]";
const SUBSCRIPTION_TAG = "[subscription().tags[parameters('tagName')]]";

function modify(operation: 'add' | 'addOrReplace', value: string) {
  return {
    effect: 'modify',
    details: {
      roleDefinitionIds: MODIFY_ROLE_DEFINITION_IDS,
      operations: [{ operation, field: TAG_FIELD, value }],
    },
  };
}

/** The built-in tag definitions, each from its file in Azure/azure-policy `built-in-policies/policyDefinitions/Tags/`. */
export const BUILT_IN_TAG_POLICY_DEFINITIONS: readonly BuiltInPolicyDefinition[] =
  [
    // RequireTag_Deny.json
    {
      name: REQUIRE_TAG_POLICY_ID,
      displayName: 'Require a tag on resources',
      description:
        'Enforces existence of a tag. Does not apply to resource groups.',
      mode: 'Indexed',
      version: '1.0.1',
      parameters: TAG_NAME_PARAMETER,
      policyRule: {
        if: { field: TAG_FIELD, exists: 'false' },
        then: { effect: 'deny' },
      },
    },
    // RequireTagAndValue_Deny.json
    {
      name: REQUIRE_TAG_AND_VALUE_POLICY_ID,
      displayName: 'Require a tag and its value on resources',
      description:
        'Enforces a required tag and its value. Does not apply to resource groups.',
      mode: 'Indexed',
      version: '1.0.1',
      parameters: { ...TAG_NAME_PARAMETER, ...TAG_VALUE_PARAMETER },
      policyRule: {
        if: {
          not: { field: TAG_FIELD, equals: "[parameters('tagValue')]" },
        },
        then: { effect: 'deny' },
      },
    },
    // ResourceGroupRequireTag_Deny.json
    {
      name: REQUIRE_TAG_ON_RESOURCE_GROUPS_POLICY_ID,
      displayName: 'Require a tag on resource groups',
      description: 'Enforces existence of a tag on resource groups.',
      mode: 'All',
      version: '1.0.0',
      parameters: TAG_NAME_PARAMETER,
      policyRule: {
        if: {
          allOf: [
            {
              field: 'type',
              equals: 'Microsoft.Resources/subscriptions/resourceGroups',
            },
            { field: TAG_FIELD, exists: 'false' },
          ],
        },
        then: { effect: 'deny' },
      },
    },
    // InheritTag_AddOrReplace_Modify.json
    {
      name: INHERIT_TAG_FROM_RESOURCE_GROUP_POLICY_ID,
      displayName: 'Inherit a tag from the resource group',
      description:
        'Adds or replaces the specified tag and value from the parent resource group when any resource is created or updated. Existing resources can be remediated by triggering a remediation task.',
      mode: 'Indexed',
      version: '1.0.0',
      parameters: TAG_NAME_PARAMETER,
      policyRule: {
        if: {
          allOf: [
            { field: TAG_FIELD, notEquals: RESOURCE_GROUP_TAG },
            { value: RESOURCE_GROUP_TAG, notEquals: '' },
          ],
        },
        then: modify('addOrReplace', RESOURCE_GROUP_TAG),
      },
    },
    // InheritTag_Add_Modify.json
    {
      name: INHERIT_TAG_FROM_RESOURCE_GROUP_IF_MISSING_POLICY_ID,
      displayName: 'Inherit a tag from the resource group if missing',
      description:
        'Adds the specified tag with its value from the parent resource group when any resource missing this tag is created or updated. Existing resources can be remediated by triggering a remediation task. If the tag exists with a different value it will not be changed.',
      mode: 'Indexed',
      version: '1.0.0',
      parameters: TAG_NAME_PARAMETER,
      policyRule: {
        if: {
          allOf: [
            { field: TAG_FIELD, exists: 'false' },
            { value: RESOURCE_GROUP_TAG, notEquals: '' },
          ],
        },
        then: modify('add', RESOURCE_GROUP_TAG),
      },
    },
    // InheritTag_AddOrReplace_FromSubscription.json
    {
      name: INHERIT_TAG_FROM_SUBSCRIPTION_POLICY_ID,
      displayName: 'Inherit a tag from the subscription',
      description:
        'Adds or replaces the specified tag and value from the containing subscription when any resource is created or updated. Existing resources can be remediated by triggering a remediation task.',
      mode: 'Indexed',
      version: '1.0.0',
      parameters: TAG_NAME_PARAMETER,
      policyRule: {
        if: {
          allOf: [
            { field: TAG_FIELD, notEquals: SUBSCRIPTION_TAG },
            { value: SUBSCRIPTION_TAG, notEquals: '' },
          ],
        },
        then: modify('addOrReplace', SUBSCRIPTION_TAG),
      },
    },
    // InheritTag_Add_FromSubscription.json
    {
      name: INHERIT_TAG_FROM_SUBSCRIPTION_IF_MISSING_POLICY_ID,
      displayName: 'Inherit a tag from the subscription if missing',
      description:
        'Adds the specified tag with its value from the containing subscription when any resource missing this tag is created or updated. Existing resources can be remediated by triggering a remediation task. If the tag exists with a different value it will not be changed.',
      mode: 'Indexed',
      version: '1.0.0',
      parameters: TAG_NAME_PARAMETER,
      policyRule: {
        if: {
          allOf: [
            { field: TAG_FIELD, exists: 'false' },
            { value: SUBSCRIPTION_TAG, notEquals: '' },
          ],
        },
        then: modify('add', SUBSCRIPTION_TAG),
      },
    },
    // AddOrReplaceTag_Modify.json
    {
      name: ADD_OR_REPLACE_TAG_POLICY_ID,
      displayName: 'Add or replace a tag on resources',
      description:
        'Adds or replaces the specified tag and value when any resource is created or updated. Existing resources can be remediated by triggering a remediation task. Does not modify tags on resource groups.',
      mode: 'Indexed',
      version: '1.0.0',
      parameters: { ...TAG_NAME_PARAMETER, ...TAG_VALUE_PARAMETER },
      policyRule: {
        if: { field: TAG_FIELD, notEquals: "[parameters('tagValue')]" },
        then: modify('addOrReplace', "[parameters('tagValue')]"),
      },
    },
  ];

const BY_NAME = new Map(BUILT_IN_TAG_POLICY_DEFINITIONS.map(d => [d.name, d]));

/** The id ARM gives a built-in policy definition. */
export function builtInPolicyDefinitionId(name: string): string {
  return `/providers/Microsoft.Authorization/policyDefinitions/${name}`;
}

/**
 * Finds a built-in definition by its GUID or its full id (`/providers/Microsoft.Authorization/policyDefinitions/{guid}`,
 * any case). Only tenant-level ids name built-ins: a subscription-scoped id is a custom definition.
 */
export function findBuiltInPolicyDefinition(
  nameOrId: string,
): BuiltInPolicyDefinition | undefined {
  const trimmed = nameOrId.trim();
  const match =
    /^\/providers\/Microsoft\.Authorization\/policyDefinitions\/([^/]+)$/i.exec(
      trimmed,
    );
  if (!match && trimmed.includes('/')) return undefined;
  return BY_NAME.get((match ? match[1] : trimmed).toLowerCase());
}
