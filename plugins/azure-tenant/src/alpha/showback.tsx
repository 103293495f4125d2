import PieChartIcon from '@material-ui/icons/PieChart';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { PageBlueprint } from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { showbackRouteRef } from '../routes';

/**
 * The Showback page at `/azure-showback`: each team's spend per month and the spend no team owns. Its title and icon
 * also make its item in the app's navigation.
 *
 * @alpha
 */
export const azureShowbackPage = PageBlueprint.make({
  name: 'showback',
  params: {
    path: '/azure-showback',
    title: 'Showback',
    icon: <PieChartIcon fontSize="inherit" />,
    routeRef: convertLegacyRouteRef(showbackRouteRef),
    loader: () =>
      Promise.all([
        import('../components/ShowbackContent'),
        import('@backstage/core-components'),
      ]).then(([m, { Content }]) => (
        <Content>
          <m.ShowbackContent />
        </Content>
      )),
  },
});

/**
 * The Showback tab of groups: the group's spend per month, what it owns through the catalog.
 *
 * @alpha
 */
export const entityGroupShowbackContent = EntityContentBlueprint.make({
  name: 'showback',
  params: {
    path: '/showback',
    title: 'Showback',
    filter: { kind: 'group' },
    loader: () =>
      import('../components/ShowbackContent').then(m => (
        <m.EntityShowbackContent />
      )),
  },
});
