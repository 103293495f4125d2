import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { azureAccessLostEntityFilter } from './entityFilters';

/**
 * A warning card on the entity page of an Azure subscription while the portal has lost access to it: what happened
 * and since when. Shown only on entities with the `azure-tenant.io/access-problem` annotation.
 *
 * @alpha
 */
export const entityAzureAccessWarningCard = EntityCardBlueprint.make({
  name: 'access-warning',
  params: {
    filter: azureAccessLostEntityFilter,
    loader: () =>
      import('../components/AzureAccessWarning').then(m => (
        <m.AzureAccessWarning />
      )),
  },
});
