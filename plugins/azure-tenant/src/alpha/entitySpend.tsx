import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  ANNOTATION_AZURE_RESOURCE_ID,
  AZURE_SUBSCRIPTION_ENTITY_TYPE,
} from '@azure-tenant/plugin-azure-tenant-common';

// Predicates rather than functions, so that an app can replace them in config (`filter:` of the extension).
// Keys are paths into the entity; an annotation key's own dots still resolve to the annotation.
const resourceIdAnnotationPath = `metadata.annotations.${ANNOTATION_AZURE_RESOURCE_ID}`;

/**
 * The Spend tab of Azure subscription entities and of Azure resource entities (`spec.type` `azure-*` with a
 * resource id annotation).
 *
 * @alpha
 */
export const entityAzureSpendContent = EntityContentBlueprint.make({
  name: 'spend',
  params: {
    path: '/spend',
    title: 'Spend',
    filter: {
      $any: [
        { 'spec.type': AZURE_SUBSCRIPTION_ENTITY_TYPE },
        {
          'spec.type': { $hasPrefix: 'azure-' },
          [resourceIdAnnotationPath]: { $exists: true },
        },
      ],
    },
    loader: () =>
      import('../components/SpendContent').then(m => <m.SpendContent />),
  },
});

/**
 * The Spend card of Azure resource entities (not subscriptions: they have the Spend tab).
 *
 * @alpha
 */
export const entityAzureResourceSpendCard = EntityCardBlueprint.make({
  name: 'resource-spend',
  params: {
    filter: {
      $all: [
        {
          'spec.type': { $hasPrefix: 'azure-' },
          [resourceIdAnnotationPath]: { $exists: true },
        },
        { $not: { 'spec.type': AZURE_SUBSCRIPTION_ENTITY_TYPE } },
      ],
    },
    loader: () => import('../components/SpendCard').then(m => <m.SpendCard />),
  },
});

/**
 * The Spend card of groups and users: the spend of the Azure resources they own.
 *
 * @alpha
 */
export const entityGroupSpendCard = EntityCardBlueprint.make({
  name: 'group-spend',
  params: {
    filter: { kind: { $in: ['group', 'user'] } },
    loader: () => import('../components/SpendCard').then(m => <m.SpendCard />),
  },
});
