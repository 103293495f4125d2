import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { WarningPanel } from '@backstage/core-components';
import { AzureTenant } from '@azure-tenant/plugin-azure-tenant-common';
import { AccessStatusPanel } from '../AccessStatus';
import { StartOnboardingButton } from './StartOnboardingButton';

/** The name of a tenant as the page shows it. */
export function tenantName(tenant: AzureTenant): string {
  return tenant.displayName ?? tenant.tenantId;
}

/** The tenant's lost-access state with what to do, and Reconnect when that is the way back. */
export function TenantAccessPanel(props: { tenant: AzureTenant }) {
  const { tenant } = props;
  if (!tenant.access) {
    return null;
  }
  return (
    <AccessStatusPanel
      subject={`Tenant ${tenantName(tenant)}`}
      access={tenant.access}
      action={
        tenant.access.action === 'reconnect' && (
          <StartOnboardingButton
            kind="connect"
            tenantId={tenant.tenantId}
            label="Reconnect"
            ariaLabel={`Reconnect tenant ${tenantName(tenant)}`}
            primary
          />
        )
      }
    />
  );
}

/** Subscriptions of the tenant that the portal could add, listed, with Add subscriptions. */
export function UnregisteredSubscriptionsPanel(props: { tenant: AzureTenant }) {
  const { tenant } = props;
  const unregistered = tenant.unregisteredSubscriptions ?? [];
  if (unregistered.length === 0) {
    return null;
  }
  const count =
    unregistered.length === 1
      ? '1 subscription'
      : `${unregistered.length} subscriptions`;
  return (
    <WarningPanel
      severity="info"
      title={`${count} of tenant ${tenantName(tenant)} not in the portal yet`}
      defaultExpanded
    >
      <Typography variant="body2" paragraph>
        The portal can see these subscriptions, or you now own them, but they
        are not onboarded, so nothing is synchronized from them. Add
        subscriptions sends you to Microsoft to sign in as an Owner of them; the
        portal then assigns itself the Reader and Tag Contributor roles there.
      </Typography>
      <List
        dense
        disablePadding
        aria-label={`Subscriptions of tenant ${tenantName(
          tenant,
        )} not in the portal`}
      >
        {unregistered.map(subscription => (
          <ListItem key={subscription.subscriptionId} disableGutters>
            <ListItemText
              primary={subscription.displayName || subscription.subscriptionId}
              secondary={subscription.subscriptionId}
            />
          </ListItem>
        ))}
      </List>
      <StartOnboardingButton
        kind="add-subscriptions"
        tenantId={tenant.tenantId}
        label="Add subscriptions"
        ariaLabel={`Add subscriptions of tenant ${tenantName(tenant)}`}
      />
    </WarningPanel>
  );
}
