import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  azureEntityFilter,
  azureResourceEntityFilter,
  azureSubscriptionEntityFilter,
  groupOrUserEntityFilter,
} from './entityFilters';

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
    filter: { $any: [azureSubscriptionEntityFilter, azureEntityFilter] },
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
    filter: azureResourceEntityFilter,
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
    filter: groupOrUserEntityFilter,
    loader: () => import('../components/SpendCard').then(m => <m.SpendCard />),
  },
});
