import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { azureEntityFilter, groupOrUserEntityFilter } from './entityFilters';

/**
 * The Savings card of Azure subscription and resource entities: Azure Advisor cost recommendations on the resource,
 * or summed over the subscription.
 *
 * @alpha
 */
export const entityAzureSavingsCard = EntityCardBlueprint.make({
  name: 'savings',
  params: {
    filter: azureEntityFilter,
    loader: () =>
      import('../components/SavingsCard').then(m => <m.SavingsCard />),
  },
});

/**
 * The Savings card of groups and users: the Advisor cost recommendations on the Azure resources they own, summed per
 * currency.
 *
 * @alpha
 */
export const entityGroupSavingsCard = EntityCardBlueprint.make({
  name: 'group-savings',
  params: {
    filter: groupOrUserEntityFilter,
    loader: () =>
      import('../components/SavingsCard').then(m => <m.SavingsCard />),
  },
});
