import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { StatusOK, Table, TableColumn } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  AzureSubscription,
  RoleStatus,
  azureTenantSubscriptionManagePermission,
  azureTenantSubscriptionSyncPermission,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  SubscriptionActionState,
  useSubscriptionActions,
} from '../../hooks/useSubscriptionActions';
import { AccessStatusSummary } from '../AccessStatus';
import { InlineError } from '../InlineError';
import { SyncModeSelect } from '../SyncModeSelect';
import { StartOnboardingButton } from '../TenantAccess';

/** Props of {@link SubscriptionTable}. */
export interface SubscriptionTableProps {
  title: string;
  subtitle?: string;
  /** The tenant of the subscriptions, which Reconnect signs in to. */
  tenantId?: string;
  /** Whether the whole tenant lost access: its panel above says what to do, so the rows do not repeat it. */
  tenantAccessLost?: boolean;
  subscriptions: AzureSubscription[];
  /** Receives what the backend answered after a change, to update the list. */
  onSubscriptionChanged: (
    subscriptionId: string,
    changes: Partial<AzureSubscription>,
  ) => void;
}

// material-table writes bookkeeping into its row objects, so it gets wrappers rather than the subscriptions.
interface SubscriptionRow {
  id: string;
  subscription: AzureSubscription;
  state: SubscriptionActionState;
}

const ROLE_STATUS_TEXT: Record<RoleStatus, string> = {
  granted: 'Granted',
  partial: 'Partly granted',
  missing: 'Missing',
  unknown: 'Unknown',
};

function formatTime(iso: string): string {
  return new Date(iso).toLocaleString();
}

function RoleStatusCell(props: { subscription: AzureSubscription }) {
  const { roleStatus, grantedRoles } = props.subscription;
  return (
    <>
      <Typography
        variant="body2"
        color={
          roleStatus === 'partial' || roleStatus === 'missing'
            ? 'error'
            : 'textPrimary'
        }
      >
        {ROLE_STATUS_TEXT[roleStatus]}
      </Typography>
      <Typography variant="caption" color="textSecondary" component="p">
        {grantedRoles.length > 0
          ? `Roles: ${grantedRoles.join(', ')}`
          : 'No roles granted'}
      </Typography>
      {(roleStatus === 'partial' || roleStatus === 'missing') && (
        <Typography variant="caption" color="textSecondary" component="p">
          An Owner of this subscription can grant the missing roles with the
          &ldquo;Add more subscriptions&rdquo; button above.
        </Typography>
      )}
      {roleStatus === 'unknown' && (
        <Typography variant="caption" color="textSecondary" component="p">
          Declared in the portal's configuration; the portal has not checked its
          roles.
        </Typography>
      )}
    </>
  );
}

function AccessCell(props: {
  subscription: AzureSubscription;
  tenantAccessLost?: boolean;
}) {
  const { subscription, tenantAccessLost } = props;
  if (!subscription.access) {
    return (
      <Typography variant="body2" component="div">
        <StatusOK>Has access</StatusOK>
      </Typography>
    );
  }
  return (
    <AccessStatusSummary
      access={subscription.access}
      withRemedy={
        !(tenantAccessLost && subscription.access.problem === 'consent-revoked')
      }
    />
  );
}

function LastSyncCell(props: { subscription: AzureSubscription }) {
  const { lastSync, syncRequestedAt, access, lastSuccessfulSyncAt } =
    props.subscription;
  // A request newer than the last finished sync has not run yet.
  const requested =
    syncRequestedAt &&
    (!lastSync ||
      Date.parse(syncRequestedAt) > Date.parse(lastSync.finishedAt));
  return (
    <>
      {!lastSync && <Typography variant="body2">Never synced</Typography>}
      {lastSync?.status === 'succeeded' && (
        <Typography variant="body2">
          Succeeded {formatTime(lastSync.finishedAt)}
        </Typography>
      )}
      {lastSync?.status === 'failed' && (
        <Typography variant="body2" color="error">
          Failed {formatTime(lastSync.finishedAt)}
          {lastSync.error ? `: ${lastSync.error}` : ''}
        </Typography>
      )}
      {requested && (
        <Typography variant="caption" color="textSecondary" component="p">
          Sync requested at {formatTime(syncRequestedAt)}
        </Typography>
      )}
      {access && (
        <Typography variant="caption" color="textSecondary" component="p">
          {lastSuccessfulSyncAt
            ? `Last successful sync ${formatTime(
                lastSuccessfulSyncAt,
              )}: the catalog keeps that state until access is back.`
            : 'No sync has succeeded yet.'}
        </Typography>
      )}
    </>
  );
}

/** The subscriptions of one tenant: their roles, sync modes and syncs, with the actions the user may take. */
export function SubscriptionTable(props: SubscriptionTableProps) {
  const {
    title,
    subtitle,
    tenantId,
    tenantAccessLost,
    subscriptions,
    onSubscriptionChanged,
  } = props;
  const manage = usePermission({
    permission: azureTenantSubscriptionManagePermission,
  });
  const sync = usePermission({
    permission: azureTenantSubscriptionSyncPermission,
  });
  const { states, changeSyncMode, requestSync } = useSubscriptionActions(
    onSubscriptionChanged,
  );

  const columns: TableColumn<SubscriptionRow>[] = [
    {
      title: 'Subscription',
      field: 'subscription.displayName',
      highlight: true,
      render: ({ subscription }) => (
        <>
          <Typography variant="body2">{subscription.displayName}</Typography>
          <Typography variant="caption" color="textSecondary">
            {subscription.subscriptionId}
            {subscription.state && subscription.state !== 'Enabled'
              ? ` (${subscription.state})`
              : ''}
          </Typography>
        </>
      ),
    },
    {
      title: 'Access',
      field: 'subscription.access.problem',
      render: ({ subscription }) => (
        <AccessCell
          subscription={subscription}
          tenantAccessLost={tenantAccessLost}
        />
      ),
    },
    {
      title: 'Roles',
      field: 'subscription.roleStatus',
      render: ({ subscription }) => (
        <RoleStatusCell subscription={subscription} />
      ),
    },
    {
      title: 'Sync mode',
      field: 'subscription.syncMode',
      width: '30%',
      render: ({ subscription, state }) => (
        <>
          <SyncModeSelect
            label={`Sync mode of ${subscription.displayName}`}
            value={state.pendingSyncMode ?? subscription.syncMode}
            editable={manage.allowed}
            saving={!!state.pendingSyncMode}
            onChange={mode => changeSyncMode(subscription.subscriptionId, mode)}
          />
          {state.syncModeError && (
            <InlineError
              title="Could not change the sync mode"
              error={state.syncModeError}
            />
          )}
        </>
      ),
    },
    {
      title: 'Last sync',
      field: 'subscription.lastSync.finishedAt',
      render: ({ subscription }) => (
        <LastSyncCell subscription={subscription} />
      ),
    },
    {
      title: 'Actions',
      sorting: false,
      render: ({ subscription, state }) => (
        <>
          <Button
            variant="outlined"
            size="small"
            disabled={!sync.allowed || state.syncRequesting}
            title={
              sync.allowed ? undefined : 'You are not allowed to trigger syncs'
            }
            onClick={() => requestSync(subscription.subscriptionId)}
          >
            Sync now
          </Button>
          {state.syncError && (
            <InlineError
              title="Could not request a sync"
              error={state.syncError}
            />
          )}
          {subscription.access?.action === 'reconnect' &&
            !tenantAccessLost &&
            tenantId && (
              <Box mt={1}>
                <StartOnboardingButton
                  kind="connect"
                  tenantId={tenantId}
                  label="Reconnect"
                  ariaLabel={`Reconnect ${subscription.displayName}`}
                />
              </Box>
            )}
        </>
      ),
    },
  ];

  const rows: SubscriptionRow[] = subscriptions.map(subscription => ({
    id: subscription.subscriptionId,
    subscription,
    state: states[subscription.subscriptionId] ?? {},
  }));

  return (
    <Table<SubscriptionRow>
      title={title}
      subtitle={subtitle}
      columns={columns}
      data={rows}
      options={{ paging: false, search: false, padding: 'dense' }}
      emptyContent={
        <Typography variant="body2" style={{ padding: 16 }}>
          No subscription of this tenant is onboarded yet.
        </Typography>
      }
    />
  );
}
