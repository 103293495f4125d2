import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  ANNOTATION_AZURE_RESOURCE_ID,
  AZURE_SUBSCRIPTION_ENTITY_TYPE,
} from '@azure-tenant/plugin-azure-tenant-common';

// A predicate rather than a function, as in entitySpend, so that an app can replace it in config.
const resourceIdAnnotationPath = `metadata.annotations.${ANNOTATION_AZURE_RESOURCE_ID}`;

/**
 * The Tags tab of Azure subscription entities: their resources with tags, an editor and a bulk edit.
 *
 * @alpha
 */
export const entityAzureTagsContent = EntityContentBlueprint.make({
  name: 'tags',
  params: {
    path: '/tags',
    title: 'Tags',
    filter: { 'spec.type': AZURE_SUBSCRIPTION_ENTITY_TYPE },
    loader: () =>
      import('../components/TagsContent').then(m => <m.TagsContent />),
  },
});

/**
 * The Tags card of Azure resource entities (not subscriptions: they have the Tags tab).
 *
 * @alpha
 */
export const entityAzureResourceTagsCard = EntityCardBlueprint.make({
  name: 'resource-tags',
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
    loader: () => import('../components/TagsCard').then(m => <m.TagsCard />),
  },
});
