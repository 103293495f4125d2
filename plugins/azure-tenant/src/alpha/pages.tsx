import CloudIcon from '@material-ui/icons/Cloud';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { PageBlueprint } from '@backstage/frontend-plugin-api';
import { rootRouteRef } from '../routes';

/**
 * The Azure tenants admin page at `/azure-tenants`. Its title and icon also make its item in the app's navigation.
 *
 * @alpha
 */
export const azureTenantsPage = PageBlueprint.make({
  params: {
    path: '/azure-tenants',
    title: 'Azure tenants',
    icon: <CloudIcon fontSize="inherit" />,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () =>
      Promise.all([
        import('../components/AzureTenantsContent'),
        import('@backstage/core-components'),
      ]).then(([m, { Content }]) => (
        <Content>
          <m.AzureTenantsContent />
        </Content>
      )),
  },
});
