import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import Menu from '@material-ui/core/Menu';
import MenuItem from '@material-ui/core/MenuItem';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  BudgetStatus,
  azureTenantBudgetDeletePermission,
  azureTenantBudgetUpdatePermission,
} from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../../api';
import { BudgetDialog } from '../BudgetDialog';
import { InlineError } from '../InlineError';

const DAY_MS = 24 * 3600_000;

/** Why a budget declared in app-config cannot be edited or deleted here. */
export const DECLARED_BUDGET_REASON =
  'Declared in app-config (azureTenant.budgets.declared); change it there';

/** Whether a budget's alerts are muted now. */
export function isMuted(status: BudgetStatus, now = Date.now()): boolean {
  const until = status.budget.mutedUntil;
  return !!until && Date.parse(until) > now;
}

/** The start of the day after the budget's current period (its end is inclusive), ISO 8601. */
function endOfPeriod(status: BudgetStatus): string {
  return new Date(
    Date.parse(`${status.periodEnd}T00:00:00Z`) + DAY_MS,
  ).toISOString();
}

function MuteMenu(props: {
  status: BudgetStatus;
  disabled: boolean;
  onMute: (until: string | null) => void;
}) {
  const { status, disabled, onMute } = props;
  const [anchor, setAnchor] = useState<HTMLElement>();
  const choose = (until: string | null) => {
    setAnchor(undefined);
    onMute(until);
  };
  const menuId = `budget-mute-${status.budget.id}`;
  return (
    <>
      <Button
        size="small"
        variant="outlined"
        disabled={disabled}
        aria-haspopup="true"
        aria-controls={menuId}
        aria-label={`Mute ${status.budget.name} for…`}
        onClick={e => setAnchor(e.currentTarget)}
      >
        Mute for…
      </Button>
      <Menu
        id={menuId}
        anchorEl={anchor}
        open={!!anchor}
        onClose={() => setAnchor(undefined)}
      >
        <MenuItem
          onClick={() => choose(new Date(Date.now() + DAY_MS).toISOString())}
        >
          1 day
        </MenuItem>
        <MenuItem
          onClick={() =>
            choose(new Date(Date.now() + 7 * DAY_MS).toISOString())
          }
        >
          1 week
        </MenuItem>
        <MenuItem onClick={() => choose(endOfPeriod(status))}>
          Until the end of the period ({status.periodEnd})
        </MenuItem>
        {isMuted(status) && (
          <MenuItem onClick={() => choose(null)}>Unmute</MenuItem>
        )}
      </Menu>
    </>
  );
}

function DeleteBudgetDialog(props: {
  status: BudgetStatus;
  onDeleted: () => void;
  onClose: () => void;
}) {
  const { status, onDeleted, onClose } = props;
  const api = useApi(azureTenantApiRef);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<Error>();
  const remove = async () => {
    setDeleting(true);
    setError(undefined);
    try {
      await api.deleteBudget(status.budget.id);
      onDeleted();
    } catch (e) {
      setError(e as Error);
      setDeleting(false);
    }
  };
  return (
    <Dialog open onClose={onClose} aria-labelledby="delete-budget-title">
      <DialogTitle id="delete-budget-title">Delete budget</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Delete the budget &ldquo;{status.budget.name}&rdquo;? Its owners get
          no more alerts about it. The alerts already sent stay listed.
        </DialogContentText>
        {error && (
          <InlineError title="Could not delete the budget" error={error} />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="secondary"
          variant="contained"
          disabled={deleting}
          onClick={remove}
        >
          Delete
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * Edit, Mute for… and Delete for one budget. What the user may not do is disabled with the reason: a budget declared
 * in app-config is changed there, and the permission policy may refuse. The backend decides in the end; its refusal
 * is shown as it says it.
 */
export function BudgetActions(props: {
  status: BudgetStatus;
  /** Called after a change, with the budget as the backend now has it (`undefined` once deleted). */
  onChanged: (status?: BudgetStatus) => void;
}) {
  const { status, onChanged } = props;
  const { budget } = status;
  const api = useApi(azureTenantApiRef);
  const update = usePermission({
    permission: azureTenantBudgetUpdatePermission,
    resourceRef: budget.id,
  });
  const remove = usePermission({
    permission: azureTenantBudgetDeletePermission,
    resourceRef: budget.id,
  });
  const [dialog, setDialog] = useState<'edit' | 'delete'>();
  const [muting, setMuting] = useState(false);
  const [muteError, setMuteError] = useState<Error>();

  const declared = budget.source === 'config';
  const mute = async (until: string | null) => {
    setMuting(true);
    setMuteError(undefined);
    try {
      onChanged(await api.muteBudget(budget.id, until));
    } catch (e) {
      setMuteError(e as Error);
    } finally {
      setMuting(false);
    }
  };

  const reasons = [
    declared && DECLARED_BUDGET_REASON,
    !update.loading && !update.allowed && 'You may not change this budget',
    !remove.loading &&
      !remove.allowed &&
      !declared &&
      'You may not delete this budget',
  ].filter(Boolean);

  return (
    <>
      <Box display="flex" flexWrap="wrap" gridGap={8}>
        <Button
          size="small"
          variant="outlined"
          disabled={declared || !update.allowed}
          aria-label={`Edit ${budget.name}`}
          onClick={() => setDialog('edit')}
        >
          Edit
        </Button>
        <MuteMenu
          status={status}
          disabled={!update.allowed || muting}
          onMute={mute}
        />
        <Button
          size="small"
          variant="outlined"
          disabled={declared || !remove.allowed}
          aria-label={`Delete ${budget.name}`}
          onClick={() => setDialog('delete')}
        >
          Delete
        </Button>
      </Box>
      {reasons.map(reason => (
        <Typography
          key={reason as string}
          variant="caption"
          color="textSecondary"
          component="p"
        >
          {reason}
        </Typography>
      ))}
      {muteError && (
        <InlineError title="Could not mute the budget" error={muteError} />
      )}
      {dialog === 'edit' && (
        <BudgetDialog
          budget={budget}
          onSaved={saved => {
            setDialog(undefined);
            onChanged(saved);
          }}
          onClose={() => setDialog(undefined)}
        />
      )}
      {dialog === 'delete' && (
        <DeleteBudgetDialog
          status={status}
          onDeleted={() => {
            setDialog(undefined);
            onChanged(undefined);
          }}
          onClose={() => setDialog(undefined)}
        />
      )}
    </>
  );
}
