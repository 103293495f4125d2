import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  azureResourceEntityFilter,
  azureSubscriptionEntityFilter,
} from './entityFilters';

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
    filter: azureSubscriptionEntityFilter,
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
    filter: azureResourceEntityFilter,
    loader: () => import('../components/TagsCard').then(m => <m.TagsCard />),
  },
});
