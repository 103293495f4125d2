import { useMemo } from 'react';
import Typography from '@material-ui/core/Typography';
import { Table, TableColumn, TableState } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { BudgetStatus } from '@azure-tenant/plugin-azure-tenant-common';
import { formatCurrency } from '../SpendContent/spendFormat';
import { BudgetActions, isMuted } from './BudgetActions';
import { BudgetScopeText } from './BudgetScopeText';
import { BudgetStateLabel, budgetAmountText } from './BudgetUse';
import {
  BUDGET_STATE_TEXT,
  budgetPeriodText,
  budgetScopeText,
  budgetTimeText,
  ownerText,
} from './budgetText';

// material-table writes bookkeeping into its row objects, so it gets wrappers; the flat fields are what the columns
// sort and filter by.
interface BudgetRow {
  id: string;
  status: BudgetStatus;
  name: string;
  scope: string;
  owner: string;
  period: string;
  amount: number;
  actualPercent: number;
  forecastPercent: number;
  state: string;
  mutedUntil: string;
}

const OWNER_COLUMN = 'Owner';
const STATE_COLUMN = 'State';

/**
 * Every budget the user may see, with its use this period and state; sortable by each column and filterable by owner
 * and state.
 */
export function BudgetsTable(props: {
  budgets: BudgetStatus[];
  /** An owner's entity ref to filter by at first, e.g. from the Budgets card's link. */
  initialOwner?: string;
  onChanged: () => void;
}) {
  const { budgets, initialOwner, onChanged } = props;
  const rows = useMemo(() => {
    const now = Date.now();
    return budgets.map(
      (status): BudgetRow => ({
        id: status.budget.id,
        status,
        name: status.budget.name,
        scope: budgetScopeText(status.budget.scope),
        owner: ownerText(status.budget.owner),
        period: budgetPeriodText(status.budget.period),
        amount: status.budget.amount,
        actualPercent: status.actualPercent,
        forecastPercent: status.forecastPercent,
        state: BUDGET_STATE_TEXT[status.state],
        mutedUntil: isMuted(status, now) ? status.budget.mutedUntil ?? '' : '',
      }),
    );
  }, [budgets]);

  const columns: TableColumn<BudgetRow>[] = [
    {
      title: 'Name',
      field: 'name',
      highlight: true,
      render: ({ status }) => (
        <>
          <Typography variant="body2">{status.budget.name}</Typography>
          {status.budget.source === 'config' && (
            <Typography variant="caption" color="textSecondary">
              Declared in app-config
            </Typography>
          )}
        </>
      ),
    },
    {
      title: 'Scope',
      field: 'scope',
      render: ({ status }) => <BudgetScopeText scope={status.budget.scope} />,
    },
    {
      title: OWNER_COLUMN,
      field: 'owner',
      render: ({ status }) => (
        <EntityRefLink
          entityRef={status.budget.owner}
          defaultKind="group"
          hideIcon
        />
      ),
    },
    {
      title: 'Period',
      field: 'period',
      render: ({ status }) => (
        <>
          <Typography variant="body2">
            {budgetPeriodText(status.budget.period)}
          </Typography>
          <Typography variant="caption" color="textSecondary">
            Now {status.periodStart} to {status.periodEnd}
          </Typography>
        </>
      ),
    },
    {
      title: 'Amount',
      field: 'amount',
      type: 'numeric',
      render: ({ status }) =>
        formatCurrency(status.budget.amount, status.budget.currency),
    },
    {
      title: 'Actual',
      field: 'actualPercent',
      type: 'numeric',
      render: ({ status }) => (
        <>
          {budgetAmountText(status.actual, status.actualPercent, status)}
          {status.spendThrough && (
            <Typography variant="caption" color="textSecondary" component="p">
              through {status.spendThrough}
            </Typography>
          )}
        </>
      ),
    },
    {
      title: 'Forecast',
      field: 'forecastPercent',
      type: 'numeric',
      render: ({ status }) =>
        budgetAmountText(status.forecast, status.forecastPercent, status),
    },
    {
      title: STATE_COLUMN,
      field: 'state',
      render: ({ status }) => <BudgetStateLabel status={status} />,
    },
    {
      title: 'Muted until',
      field: 'mutedUntil',
      render: ({ mutedUntil }) =>
        mutedUntil ? budgetTimeText(mutedUntil) : '—',
    },
    {
      title: 'Actions',
      sorting: false,
      render: ({ status }) => (
        <BudgetActions status={status} onChanged={() => onChanged()} />
      ),
    },
  ];

  const initialState: TableState | undefined = initialOwner
    ? {
        filtersOpen: true,
        filters: { [OWNER_COLUMN]: [ownerText(initialOwner)] },
      }
    : undefined;

  return (
    <Table<BudgetRow>
      title="Budgets"
      subtitle="Every budget whose spend you may see, with its use in the current period"
      columns={columns}
      data={rows}
      filters={[
        { column: OWNER_COLUMN, type: 'multiple-select' },
        { column: STATE_COLUMN, type: 'multiple-select' },
      ]}
      initialState={initialState}
      options={{
        paging: rows.length > 20,
        pageSize: 20,
        search: true,
        padding: 'dense',
      }}
      emptyContent={
        <Typography variant="body2" style={{ padding: 16 }}>
          No budget yet. Create one for a subscription, a resource group, a
          catalog entity or a custom group.
        </Typography>
      }
    />
  );
}
