import AccountBalanceWalletIcon from '@material-ui/icons/AccountBalanceWallet';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { PageBlueprint } from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { budgetsRouteRef } from '../routes';

/**
 * The Budgets page at `/azure-budgets`: every budget the user may see with its use, forecast and state, Azure's own
 * budgets, and the alerts sent. Its title and icon also make its item in the app's navigation.
 *
 * @alpha
 */
export const azureBudgetsPage = PageBlueprint.make({
  name: 'budgets',
  params: {
    path: '/azure-budgets',
    title: 'Budgets',
    icon: <AccountBalanceWalletIcon fontSize="inherit" />,
    routeRef: convertLegacyRouteRef(budgetsRouteRef),
    loader: () =>
      Promise.all([
        import('../components/BudgetsContent'),
        import('@backstage/core-components'),
      ]).then(([m, { Content }]) => (
        <Content>
          <m.BudgetsContent />
        </Content>
      )),
  },
});

/**
 * The Budgets card of groups: the budgets the group owns and those on it, and "Create budget" for the group.
 *
 * @alpha
 */
export const entityGroupBudgetsCard = EntityCardBlueprint.make({
  name: 'group-budgets',
  params: {
    filter: { kind: 'group' },
    loader: () =>
      import('../components/BudgetsCard').then(m => <m.BudgetsCard />),
  },
});
