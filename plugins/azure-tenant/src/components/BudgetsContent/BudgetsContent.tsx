import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import AddIcon from '@material-ui/icons/Add';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useSearchParams } from 'react-router-dom';
import { useBudgets } from '../../hooks/useBudgets';
import { AzureBudgetsTable } from '../AzureBudgetsTable';
import { BudgetAlerts } from '../BudgetAlerts';
import { BudgetDialog } from '../BudgetDialog';
import { BudgetsTable } from './BudgetsTable';

/**
 * The body of the Budgets page, without a page header (the new frontend system's page layout brings its own): the
 * portal's budgets with their use and actions, Azure's own budgets read-only, and the alerts sent for those allowed
 * to see them.
 *
 * `?owner=<entity ref>` filters the budgets by that owner at first, as the Budgets card links to it.
 */
export function BudgetsContent() {
  const [searchParams] = useSearchParams();
  const initialOwner = searchParams.get('owner') ?? undefined;
  const budgets = useBudgets();
  const [creating, setCreating] = useState(false);

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Box display="flex" justifyContent="flex-end">
          <Button
            color="primary"
            variant="contained"
            startIcon={<AddIcon />}
            onClick={() => setCreating(true)}
          >
            Create budget
          </Button>
        </Box>
        {creating && (
          <BudgetDialog
            onSaved={() => {
              setCreating(false);
              budgets.reload();
            }}
            onClose={() => setCreating(false)}
          />
        )}
      </Grid>
      <Grid item xs={12}>
        {budgets.error && <ResponseErrorPanel error={budgets.error} />}
        {!budgets.error && budgets.loading && !budgets.items && <Progress />}
        {budgets.items && (
          <BudgetsTable
            budgets={budgets.items}
            initialOwner={initialOwner}
            onChanged={budgets.reload}
          />
        )}
      </Grid>
      <Grid item xs={12}>
        <AzureBudgetsTable />
      </Grid>
      <Grid item xs={12}>
        <BudgetAlerts />
      </Grid>
    </Grid>
  );
}
