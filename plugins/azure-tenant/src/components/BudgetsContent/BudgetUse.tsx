import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import {
  BudgetState,
  BudgetStatus,
} from '@azure-tenant/plugin-azure-tenant-common';
import { formatCurrency } from '../SpendContent/spendFormat';
import { BUDGET_STATE_TEXT, budgetPercentText } from './budgetText';

const STATE_STATUS: Record<
  BudgetState,
  (props: { children?: React.ReactNode }) => JSX.Element
> = {
  'on-track': StatusOK,
  'at-risk': StatusWarning,
  over: StatusError,
  'no-data': StatusPending,
  'currency-mismatch': StatusAborted,
};

/**
 * A budget's state, in colour and in words, with why it cannot be evaluated (a currency without an exchange rate)
 * and how other currencies were converted.
 */
export function BudgetStateLabel(props: {
  status: BudgetStatus;
  /** Leaves out the explanations, for a card. */
  compact?: boolean;
}) {
  const { status, compact } = props;
  const Status = STATE_STATUS[status.state];
  return (
    <>
      <Typography variant="body2" component="div">
        <Status>{BUDGET_STATE_TEXT[status.state]}</Status>
      </Typography>
      {status.problem && (
        <Typography variant="caption" color="error" component="p">
          {status.problem}
        </Typography>
      )}
      {!compact &&
        status.conversions.map(conversion => (
          <Typography
            key={conversion}
            variant="caption"
            color="textSecondary"
            component="p"
          >
            {conversion}
          </Typography>
        ))}
    </>
  );
}

const useBarStyles = makeStyles(theme => ({
  root: { height: 8, borderRadius: 4 },
  'on-track': { backgroundColor: theme.palette.success.main },
  'at-risk': { backgroundColor: theme.palette.warning.main },
  over: { backgroundColor: theme.palette.error.main },
  'no-data': { backgroundColor: theme.palette.grey[500] },
  'currency-mismatch': { backgroundColor: theme.palette.grey[500] },
}));

/** How much of a budget is used, as a bar in the state's colour (full at 100% and beyond). */
export function BudgetUseBar(props: { status: BudgetStatus }) {
  const { status } = props;
  const classes = useBarStyles();
  return (
    <LinearProgress
      variant="determinate"
      value={Math.max(0, Math.min(100, status.actualPercent))}
      aria-label={`${status.budget.name}: ${budgetPercentText(
        status.actualPercent,
      )} used`}
      classes={{ root: classes.root, bar: classes[status.state] }}
    />
  );
}

/** An amount of a budget and its share of the budget, e.g. `$820.00 (82%)`. */
export function budgetAmountText(
  amount: number,
  percent: number,
  status: BudgetStatus,
): string {
  if (status.state === 'no-data' || status.state === 'currency-mismatch') {
    return '—';
  }
  return `${formatCurrency(
    amount,
    status.budget.currency,
  )} (${budgetPercentText(percent)})`;
}
