import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { InfoCard } from '@backstage/core-components';
import {
  AzureSubscription,
  AzureTenant,
} from '@azure-tenant/plugin-azure-tenant-common';
import { SubscriptionTable } from '../SubscriptionTable';
import {
  TenantAccessPanel,
  UnregisteredSubscriptionsPanel,
  tenantName,
} from '../TenantAccess';

/** Props of {@link TenantList}. */
export interface TenantListProps {
  tenants: AzureTenant[];
  subscriptions: AzureSubscription[];
  onSubscriptionChanged: (
    subscriptionId: string,
    changes: Partial<AzureSubscription>,
  ) => void;
}

function describeTenant(tenant: AzureTenant): string {
  const connected =
    tenant.source === 'config'
      ? 'declared in configuration'
      : `connected ${new Date(tenant.connectedAt).toLocaleString()}${
          tenant.connectedBy ? ` by ${tenant.connectedBy}` : ''
        }`;
  return `Tenant ${tenant.tenantId}, ${connected}`;
}

/**
 * Each connected tenant with its subscriptions: first what the portal cannot do in the tenant and what to do about
 * it, and the subscriptions it could add.
 */
export function TenantList(props: TenantListProps) {
  const { tenants, subscriptions, onSubscriptionChanged } = props;

  if (tenants.length === 0 && subscriptions.length === 0) {
    return (
      <InfoCard title="Connected tenants">
        <Typography variant="body2">
          No Azure tenant is connected yet. Connect one to see its subscriptions
          here.
        </Typography>
      </InfoCard>
    );
  }

  // Subscriptions of a tenant the list does not know still deserve a place rather than being hidden.
  const known = new Set(tenants.map(t => t.tenantId));
  const orphanTenantIds = [
    ...new Set(subscriptions.map(s => s.tenantId).filter(id => !known.has(id))),
  ];

  return (
    <Grid container spacing={3}>
      {tenants.map(tenant => (
        <Grid item xs={12} key={tenant.tenantId}>
          <Box
            component="section"
            aria-label={`Tenant ${tenantName(tenant)}`}
            display="flex"
            flexDirection="column"
            style={{ gap: 16 }}
          >
            <TenantAccessPanel tenant={tenant} />
            <UnregisteredSubscriptionsPanel tenant={tenant} />
            <SubscriptionTable
              title={tenantName(tenant)}
              subtitle={describeTenant(tenant)}
              tenantId={tenant.tenantId}
              tenantAccessLost={!!tenant.access}
              subscriptions={subscriptions.filter(
                s => s.tenantId === tenant.tenantId,
              )}
              onSubscriptionChanged={onSubscriptionChanged}
            />
          </Box>
        </Grid>
      ))}
      {orphanTenantIds.map(tenantId => (
        <Grid item xs={12} key={tenantId}>
          <SubscriptionTable
            title={`Tenant ${tenantId}`}
            tenantId={tenantId}
            subscriptions={subscriptions.filter(s => s.tenantId === tenantId)}
            onSubscriptionChanged={onSubscriptionChanged}
          />
        </Grid>
      ))}
    </Grid>
  );
}
