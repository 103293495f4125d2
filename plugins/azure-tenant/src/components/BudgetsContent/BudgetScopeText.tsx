import Typography from '@material-ui/core/Typography';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  BudgetScope,
  azureSubscriptionEntityRef,
} from '@azure-tenant/plugin-azure-tenant-common';
import { customGroupMembersText } from './budgetText';

/** A budget's scope, with links to the catalog entities it names. */
export function BudgetScopeText(props: { scope: BudgetScope }) {
  const { scope } = props;
  switch (scope.kind) {
    case 'subscription':
      return (
        <>
          <Typography variant="caption" color="textSecondary" component="p">
            Subscription
          </Typography>
          <EntityRefLink
            entityRef={azureSubscriptionEntityRef(scope.subscriptionId)}
            hideIcon
          />
        </>
      );
    case 'resourceGroup':
      return (
        <>
          <Typography variant="caption" color="textSecondary" component="p">
            Resource group
          </Typography>
          <Typography variant="body2">{scope.resourceGroup}</Typography>
          <Typography variant="caption" color="textSecondary" component="p">
            in{' '}
            <EntityRefLink
              entityRef={azureSubscriptionEntityRef(scope.subscriptionId)}
              hideIcon
            />
          </Typography>
        </>
      );
    case 'entity':
      return <EntityRefLink entityRef={scope.entityRef} hideIcon />;
    default:
      return (
        <>
          <Typography variant="caption" color="textSecondary" component="p">
            Custom group
          </Typography>
          <Typography variant="body2">{scope.name}</Typography>
          <Typography variant="caption" color="textSecondary" component="p">
            {customGroupMembersText(scope)}
          </Typography>
        </>
      );
  }
}
