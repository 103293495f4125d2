import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { InfoCard } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  OnboardingKind,
  azureTenantConnectPermission,
} from '@azure-tenant/plugin-azure-tenant-common';
import { useStartOnboarding } from '../../hooks/useStartOnboarding';
import { InlineError } from '../InlineError';

/** Props of {@link ConnectTenantCard}. */
export interface ConnectTenantCardProps {
  /** Whether a tenant is connected already, which offers adding more of its subscriptions. */
  hasTenants: boolean;
}

const NOT_ALLOWED =
  'You are not allowed to connect Azure tenants. Ask a portal admin for access.';

/**
 * Explains what connecting a tenant does, and starts it: the browser is sent to Microsoft to sign in and consent.
 */
export function ConnectTenantCard(props: ConnectTenantCardProps) {
  const { hasTenants } = props;
  const permission = usePermission({
    permission: azureTenantConnectPermission,
  });
  const { start, starting, error } = useStartOnboarding();
  const disabled = permission.loading || !permission.allowed || !!starting;

  const button = (kind: OnboardingKind, label: string, primary: boolean) => (
    // A disabled button fires no events, so the tooltip needs a wrapper to explain why it is disabled.
    <Tooltip title={permission.allowed ? '' : NOT_ALLOWED}>
      <span>
        <Button
          variant={primary ? 'contained' : 'outlined'}
          color="primary"
          disabled={disabled}
          onClick={() => start(kind)}
        >
          {starting === kind ? 'Redirecting to Microsoft…' : label}
        </Button>
      </span>
    </Tooltip>
  );

  return (
    <InfoCard title="Connect an Azure tenant">
      <Typography variant="body2" paragraph>
        When you connect a tenant, you are redirected to Microsoft to accept the
        permissions the portal needs. This creates a service principal for the
        portal in your tenant: an identity dedicated to the portal, similar to a
        user, for accessing your tenant and subscriptions.
      </Typography>
      <Typography variant="body2" paragraph>
        The portal can then impersonate you for a short period (at most 1 hour;
        your token is never stored). It uses this only to assign the Reader and
        Tag Contributor roles to its service principal on the subscriptions you
        own (as Owner or User Access Administrator). Subscriptions you do not
        own are listed with what to do next. Use Add more subscriptions later to
        run the same steps again, for example as the Owner of other
        subscriptions.
      </Typography>
      <Box display="flex" style={{ gap: 16 }} flexWrap="wrap">
        {button('connect', 'Connect Azure tenant', true)}
        {hasTenants &&
          button('add-subscriptions', 'Add more subscriptions', false)}
      </Box>
      {!permission.loading && !permission.allowed && (
        <Box mt={1}>
          <Typography variant="caption" color="textSecondary">
            {NOT_ALLOWED}
          </Typography>
        </Box>
      )}
      {error && (
        <Box mt={1}>
          <InlineError title="Could not start connecting" error={error} />
        </Box>
      )}
    </InfoCard>
  );
}
