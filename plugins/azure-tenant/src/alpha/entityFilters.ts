import {
  ANNOTATION_AZURE_ACCESS_PROBLEM,
  ANNOTATION_AZURE_RESOURCE_ID,
  AZURE_SUBSCRIPTION_ENTITY_TYPE,
} from '@azure-tenant/plugin-azure-tenant-common';

// Predicates rather than functions, so that an app can replace an extension's `filter:` in config. Keys are paths
// into the entity; an annotation key's own dots still resolve to the annotation.
const resourceIdAnnotationPath = `metadata.annotations.${ANNOTATION_AZURE_RESOURCE_ID}`;

/** Azure subscription entities. */
export const azureSubscriptionEntityFilter = {
  'spec.type': AZURE_SUBSCRIPTION_ENTITY_TYPE,
};

/** Entities of any Azure type with a resource id: subscriptions and resources. */
export const azureEntityFilter = {
  'spec.type': { $hasPrefix: 'azure-' },
  [resourceIdAnnotationPath]: { $exists: true },
};

/** Azure resource entities, not subscriptions. */
export const azureResourceEntityFilter = {
  $all: [azureEntityFilter, { $not: azureSubscriptionEntityFilter }],
};

/** Entities whose Azure subscription the portal has lost access to. */
export const azureAccessLostEntityFilter = {
  [`metadata.annotations.${ANNOTATION_AZURE_ACCESS_PROBLEM}`]: {
    $exists: true,
  },
};

/** Groups and users: what they own is their spend, savings and showback. */
export const groupOrUserEntityFilter = { kind: { $in: ['group', 'user'] } };
