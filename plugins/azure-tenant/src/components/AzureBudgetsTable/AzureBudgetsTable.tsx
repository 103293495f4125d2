import Typography from '@material-ui/core/Typography';
import { Progress, Table, TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  AzureBudget,
  azureSubscriptionEntityRef,
} from '@azure-tenant/plugin-azure-tenant-common';
import { useAzureBudgets } from '../../hooks/useBudgets';
import { InlineError } from '../InlineError';
import { formatCurrency } from '../SpendContent/spendFormat';

interface AzureBudgetRow {
  id: string;
  budget: AzureBudget;
  name: string;
  subscriptionId: string;
  amount: number;
  timeGrain: string;
  current: number;
}

function spendText(spend: AzureBudget['currentSpend']): string {
  return spend ? formatCurrency(spend.amount, spend.unit) : '—';
}

/** Azure's notifications in words, e.g. `Actual 80%, Forecasted 100%`. */
function notificationsText(budget: AzureBudget): string {
  if (budget.notifications.length === 0) {
    return 'None';
  }
  return budget.notifications
    .map(n => `${n.thresholdType} ${n.threshold}%`)
    .join(', ');
}

const columns: TableColumn<AzureBudgetRow>[] = [
  { title: 'Name', field: 'name', highlight: true },
  {
    title: 'Scope',
    field: 'subscriptionId',
    render: ({ budget }) => (
      <>
        {budget.resourceGroup && (
          <Typography variant="body2">
            Resource group {budget.resourceGroup} in
          </Typography>
        )}
        <EntityRefLink
          entityRef={azureSubscriptionEntityRef(budget.subscriptionId)}
          hideIcon
        />
      </>
    ),
  },
  {
    title: 'Amount',
    field: 'amount',
    type: 'numeric',
    // Azure gives a budget's amount without its currency: it is the billing currency its spend is reported in.
    render: ({ budget }) =>
      budget.currentSpend
        ? formatCurrency(budget.amount, budget.currentSpend.unit)
        : String(budget.amount),
  },
  {
    title: 'Time grain',
    field: 'timeGrain',
    render: ({ budget }) => (
      <>
        <Typography variant="body2">{budget.timeGrain}</Typography>
        <Typography variant="caption" color="textSecondary">
          {budget.endDate
            ? `${budget.startDate.slice(0, 10)} to ${budget.endDate.slice(
                0,
                10,
              )}`
            : `From ${budget.startDate.slice(0, 10)}`}
        </Typography>
      </>
    ),
  },
  {
    title: 'Current spend',
    field: 'current',
    type: 'numeric',
    render: ({ budget }) => spendText(budget.currentSpend),
  },
  {
    title: 'Forecast',
    sorting: false,
    render: ({ budget }) => spendText(budget.forecastSpend),
  },
  {
    title: 'Notifications',
    sorting: false,
    render: ({ budget }) => notificationsText(budget),
  },
];

/**
 * The budgets defined in Azure (`Microsoft.Consumption/budgets`) on the connected subscriptions, read with the
 * portal's Reader role and shown read-only beside the portal's own, so that nobody keeps two lists.
 */
export function AzureBudgetsTable() {
  const { loading, error, items } = useAzureBudgets();
  if (error) {
    return <InlineError title="Could not read Azure's budgets" error={error} />;
  }
  if (loading && !items) {
    return <Progress />;
  }
  const rows = (items ?? []).map(
    (budget): AzureBudgetRow => ({
      id: budget.id,
      budget,
      name: budget.name,
      subscriptionId: budget.subscriptionId,
      amount: budget.amount,
      timeGrain: budget.timeGrain,
      current: budget.currentSpend?.amount ?? 0,
    }),
  );
  return (
    <Table<AzureBudgetRow>
      title="Azure budgets"
      subtitle="Defined in Azure on the connected subscriptions and read-only here: change them in the Azure portal. Azure sends their alerts itself."
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
          No budget is defined in Azure on the connected subscriptions.
        </Typography>
      }
    />
  );
}
