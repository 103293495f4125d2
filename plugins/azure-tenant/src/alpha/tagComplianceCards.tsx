import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { azureEntityFilter, groupOrUserEntityFilter } from './entityFilters';

/**
 * The Tag compliance card of Azure subscription and resource entities: the share of a subscription's resources that
 * follow the tag policies with its trend, or whether a resource follows them and why not.
 *
 * @alpha
 */
export const entityAzureTagComplianceCard = EntityCardBlueprint.make({
  name: 'tag-compliance',
  params: {
    filter: azureEntityFilter,
    loader: () =>
      import('../components/TagComplianceCard').then(m => (
        <m.TagComplianceCard />
      )),
  },
});

/**
 * The Tag compliance card of groups and users: the share of the Azure resources they own that follow the tag
 * policies, its 30-day trend, the policies most broken, and links to the Tag compliance page and its fixes.
 *
 * @alpha
 */
export const entityGroupTagComplianceCard = EntityCardBlueprint.make({
  name: 'group-tag-compliance',
  params: {
    filter: groupOrUserEntityFilter,
    loader: () =>
      import('../components/TagComplianceCard').then(m => (
        <m.TagComplianceCard />
      )),
  },
});
