import Typography from '@material-ui/core/Typography';
import {
  Progress,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { SpendAlert } from '@azure-tenant/plugin-azure-tenant-common';
import { useBudgetAlerts } from '../../hooks/useBudgetAlerts';
import { InlineError } from '../InlineError';
import { isPermissionDenied } from '../SpendState';
import { budgetTimeText, thresholdText } from '../BudgetsContent/budgetText';

/** How many alerts the section shows, newest first. */
const ALERT_LIMIT = 100;

interface AlertRow {
  id: string;
  alert: SpendAlert;
  createdAt: string;
  kind: string;
  subject: string;
  delivery: string;
}

const DELIVERY_TEXT: Record<SpendAlert['delivery'], string> = {
  sent: 'Sent',
  muted: 'Muted (not sent)',
  failed: 'Failed (retried)',
  pending: 'Pending',
};

const DELIVERY_STATUS: Record<
  SpendAlert['delivery'],
  (props: { children?: React.ReactNode }) => JSX.Element
> = {
  sent: StatusOK,
  muted: StatusPending,
  failed: StatusError,
  pending: StatusWarning,
};

function kindText(alert: SpendAlert): string {
  if (alert.kind === 'anomaly') {
    return alert.day ? `Anomaly on ${alert.day}` : 'Anomaly';
  }
  return alert.threshold
    ? `Threshold ${thresholdText(alert.threshold)}`
    : 'Threshold';
}

const columns: TableColumn<AlertRow>[] = [
  {
    title: 'When',
    field: 'createdAt',
    defaultSort: 'desc',
    render: ({ createdAt }) => budgetTimeText(createdAt),
  },
  { title: 'Kind', field: 'kind' },
  {
    title: 'Budget / scope',
    field: 'subject',
    render: ({ alert }) => (
      <>
        {alert.budgetName && (
          <Typography variant="body2">{alert.budgetName}</Typography>
        )}
        <EntityRefLink entityRef={alert.scopeRef} hideIcon />
      </>
    ),
  },
  {
    title: 'Alert',
    sorting: false,
    render: ({ alert }) => (
      <>
        <Typography variant="body2">{alert.title}</Typography>
        <Typography variant="caption" color="textSecondary">
          {alert.description}
        </Typography>
      </>
    ),
  },
  {
    title: 'Recipients',
    sorting: false,
    render: ({ alert }) =>
      alert.recipients.length === 0 ? (
        'Nobody'
      ) : (
        <>
          {alert.recipients.map(recipient => (
            <Typography key={recipient} variant="body2" component="div">
              <EntityRefLink entityRef={recipient} hideIcon />
            </Typography>
          ))}
        </>
      ),
  },
  {
    title: 'Delivery',
    field: 'delivery',
    render: ({ alert }) => {
      const Status = DELIVERY_STATUS[alert.delivery];
      return (
        <Typography variant="body2" component="div">
          <Status>{DELIVERY_TEXT[alert.delivery]}</Status>
        </Typography>
      );
    },
  },
];

/**
 * The spend alerts the portal sent: every alert for those allowed to see them all (admins), or one budget's. Renders
 * nothing for a user the backend does not show them to.
 */
export function BudgetAlerts(props: { budgetId?: string }) {
  const { loading, error, items } = useBudgetAlerts({
    budgetId: props.budgetId,
    limit: ALERT_LIMIT,
  });
  if (error) {
    return isPermissionDenied(error) ? null : (
      <InlineError title="Could not read the alerts sent" error={error} />
    );
  }
  if (loading && !items) {
    return <Progress />;
  }
  const rows = (items ?? []).map(
    (alert): AlertRow => ({
      id: alert.id,
      alert,
      createdAt: alert.createdAt,
      kind: kindText(alert),
      subject: alert.budgetName ?? alert.scopeRef,
      delivery: DELIVERY_TEXT[alert.delivery],
    }),
  );
  return (
    <Table<AlertRow>
      title="Alerts sent"
      subtitle={`Notifications about budgets and spend anomalies, newest first (at most ${ALERT_LIMIT})`}
      columns={columns}
      data={rows}
      options={{
        paging: rows.length > 20,
        pageSize: 20,
        search: false,
        padding: 'dense',
      }}
      emptyContent={
        <Typography variant="body2" style={{ padding: 16 }}>
          No alert has been sent yet.
        </Typography>
      }
    />
  );
}
