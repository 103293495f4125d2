import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  OnboardingKind,
  azureTenantConnectPermission,
} from '@azure-tenant/plugin-azure-tenant-common';
import { useStartOnboarding } from '../../hooks/useStartOnboarding';
import { InlineError } from '../InlineError';

const NOT_ALLOWED =
  'You are not allowed to connect Azure tenants. Ask a portal admin for access.';

/**
 * A button that starts an onboarding of one connected tenant and sends the browser to Microsoft, as the Connect card
 * does: disabled with the reason without the permission, and the error next to it when the start fails.
 */
export function StartOnboardingButton(props: {
  kind: OnboardingKind;
  tenantId: string;
  label: string;
  /** The accessible name, when the label alone is ambiguous on a page with several tenants. */
  ariaLabel?: string;
  primary?: boolean;
}) {
  const { kind, tenantId, label, ariaLabel, primary } = props;
  const permission = usePermission({
    permission: azureTenantConnectPermission,
  });
  const { start, starting, error } = useStartOnboarding({ tenantId });
  const disabled = permission.loading || !permission.allowed || !!starting;
  return (
    <>
      {/* A disabled button fires no events, so the tooltip needs a wrapper to explain why it is disabled. */}
      <Tooltip title={permission.allowed ? '' : NOT_ALLOWED}>
        <span>
          <Button
            variant={primary ? 'contained' : 'outlined'}
            color="primary"
            size="small"
            disabled={disabled}
            aria-label={starting ? undefined : ariaLabel}
            onClick={() => start(kind)}
          >
            {starting ? 'Redirecting to Microsoft…' : label}
          </Button>
        </span>
      </Tooltip>
      {error && (
        <Box mt={1}>
          <InlineError title="Could not start signing in" error={error} />
        </Box>
      )}
    </>
  );
}
