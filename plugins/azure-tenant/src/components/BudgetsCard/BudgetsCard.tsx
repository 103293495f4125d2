import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import Typography from '@material-ui/core/Typography';
import AddIcon from '@material-ui/icons/Add';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_AZURE_SUBSCRIPTION_ID,
  BudgetInput,
  BudgetStatus,
} from '@azure-tenant/plugin-azure-tenant-common';
import { BudgetListFilter } from '../../api';
import { useBudgets } from '../../hooks/useBudgets';
import { budgetsRouteRef } from '../../routes';
import { isAzureSubscriptionEntity } from '../../spendTarget';
import { BudgetDialog } from '../BudgetDialog';
import {
  BudgetStateLabel,
  BudgetUseBar,
  budgetAmountText,
} from '../BudgetsContent';
import { formatCurrency } from '../SpendContent/spendFormat';

function isOwnerEntity(entity: Entity): boolean {
  const kind = entity.kind.toLocaleLowerCase('en-US');
  return kind === 'group' || kind === 'user';
}

/**
 * Which budgets concern an entity: those it owns (a group or user), those whose scope is the entity, and for a
 * subscription entity those on the subscription.
 */
function entityBudgets(entity: Entity): {
  filters: BudgetListFilter[];
  concerns: (status: BudgetStatus) => boolean;
} {
  const entityRef = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
  const owner = isOwnerEntity(entity);
  const subscriptionId = isAzureSubscriptionEntity(entity)
    ? entity.metadata.annotations?.[ANNOTATION_AZURE_SUBSCRIPTION_ID]
    : undefined;
  // The budgets it owns first.
  const filters: BudgetListFilter[] = owner
    ? [{ owner: stringifyEntityRef(entity) }]
    : [];
  filters.push({ scopeKind: 'entity' });
  if (subscriptionId) {
    filters.push({ scopeKind: 'subscription' });
  }
  return {
    filters,
    concerns: ({ budget }) =>
      (owner && budget.owner.toLocaleLowerCase('en-US') === entityRef) ||
      (budget.scope.kind === 'entity' &&
        budget.scope.entityRef.toLocaleLowerCase('en-US') === entityRef) ||
      (!!subscriptionId &&
        budget.scope.kind === 'subscription' &&
        budget.scope.subscriptionId.toLocaleLowerCase('en-US') ===
          subscriptionId.toLocaleLowerCase('en-US')),
  };
}

/** The Budgets page's path; none in a legacy app that has not mounted the page, where `useRouteRef` throws. */
function useBudgetsPageLink(): (() => string) | undefined {
  try {
    return useRouteRef(budgetsRouteRef);
  } catch {
    return undefined;
  }
}

function BudgetSummary(props: { status: BudgetStatus }) {
  const { status } = props;
  const { budget } = status;
  const evaluated =
    status.state !== 'no-data' && status.state !== 'currency-mismatch';
  return (
    <ListItem disableGutters aria-label={budget.name} divider>
      <Box width="100%">
        <Box display="flex" justifyContent="space-between" gridGap={8}>
          <Typography variant="subtitle2">{budget.name}</Typography>
          <BudgetStateLabel status={status} compact />
        </Box>
        <BudgetUseBar status={status} />
        <Typography variant="body2" color="textSecondary">
          {evaluated
            ? `${formatCurrency(
                status.actual,
                budget.currency,
              )} of ${formatCurrency(
                budget.amount,
                budget.currency,
              )} (${Math.round(
                status.actualPercent,
              )}%) · forecast ${budgetAmountText(
                status.forecast,
                status.forecastPercent,
                status,
              )}`
            : `${formatCurrency(budget.amount, budget.currency)} for ${
                status.periodStart
              } to ${status.periodEnd}`}
        </Typography>
      </Box>
    </ListItem>
  );
}

/**
 * The budgets of an entity page: on a group or user, the budgets it owns and those on it; on any other entity, the
 * budgets on it. Each with its use, forecast and state; "Create budget" opens the budget dialog with the entity as
 * the scope (and, on a group or user, as the owner).
 */
export function BudgetsCard() {
  const { entity } = useEntity();
  const { filters, concerns } = entityBudgets(entity);
  const budgets = useBudgets(...filters);
  const [creating, setCreating] = useState(false);
  const budgetsPage = useBudgetsPageLink();
  const entityRef = stringifyEntityRef(entity);
  const owner = isOwnerEntity(entity);

  const initial: Partial<BudgetInput> = {
    scope: { kind: 'entity', entityRef },
    ...(owner && { owner: entityRef }),
  };
  const shown = budgets.items?.filter(concerns);
  const pageLink =
    budgetsPage &&
    (owner
      ? `${budgetsPage()}?${new URLSearchParams({ owner: entityRef })}`
      : budgetsPage());

  return (
    <InfoCard
      title="Budgets"
      deepLink={
        pageLink ? { title: 'View all budgets', link: pageLink } : undefined
      }
    >
      {budgets.error && <ResponseErrorPanel error={budgets.error} />}
      {!budgets.error && budgets.loading && !shown && <Progress />}
      {shown && shown.length === 0 && (
        <Typography variant="body2" color="textSecondary">
          No budget yet. A budget notifies the owners when spend reaches its
          thresholds.
        </Typography>
      )}
      {shown && shown.length > 0 && (
        <List dense disablePadding aria-label="Budgets">
          {shown.map(status => (
            <BudgetSummary key={status.budget.id} status={status} />
          ))}
        </List>
      )}
      <Box mt={2}>
        <Button
          variant="outlined"
          color="primary"
          size="small"
          startIcon={<AddIcon />}
          onClick={() => setCreating(true)}
        >
          Create budget
        </Button>
      </Box>
      {creating && (
        <BudgetDialog
          initial={initial}
          onSaved={() => {
            setCreating(false);
            budgets.reload();
          }}
          onClose={() => setCreating(false)}
        />
      )}
    </InfoCard>
  );
}
