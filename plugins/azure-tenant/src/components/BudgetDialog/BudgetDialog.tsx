import { FormEvent, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import { useApi } from '@backstage/core-plugin-api';
import {
  Budget,
  BudgetInput,
  BudgetPeriod,
  BudgetScope,
  BudgetStatus,
} from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../../api';
import { useBudgetCurrency } from '../../hooks/useBudgetCurrency';
import { InlineError } from '../InlineError';
import {
  BUDGET_SCOPE_KIND_TEXT,
  MONTH_NAMES,
} from '../BudgetsContent/budgetText';
import {
  BudgetDraft,
  FALLBACK_CURRENCY,
  budgetDraftOf,
  checkBudgetDraft,
  draftScope,
} from './budgetDraft';
import { CustomGroupFields } from './CustomGroupFields';
import { SubscriptionPicker } from './SubscriptionPicker';
import { ThresholdsField } from './ThresholdsField';

/** Props of {@link BudgetDialog}. */
export interface BudgetDialogProps {
  /** The budget to edit; without it, the dialog creates a new budget. */
  budget?: Budget;
  /** What a new budget starts with, e.g. the page's entity as its scope and the page's group as its owner. */
  initial?: Partial<BudgetInput>;
  /** Receives the budget as the backend saved it. */
  onSaved: (status: BudgetStatus) => void;
  onClose: () => void;
}

const PERIOD_TEXT: Record<BudgetPeriod['type'], string> = {
  monthly: 'Monthly',
  quarterly: 'Quarterly',
  yearly: 'Yearly',
  custom: 'Custom dates',
};

/**
 * Creates or edits a budget: its name, scope, amount and currency, period, thresholds and owner. Mistakes the backend
 * would refuse are shown next to their field once the user tries to save; the backend's own refusal (a 400 naming
 * the field, a 403 with its reason) is shown as it says it.
 */
export function BudgetDialog(props: BudgetDialogProps) {
  const { budget, initial, onSaved, onClose } = props;
  const api = useApi(azureTenantApiRef);
  const [draft, setDraft] = useState<BudgetDraft>(() =>
    budgetDraftOf(budget ?? initial),
  );
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<Error>();
  const subscriptions = useAsync(() => api.listSubscriptions(), [api]);
  // Asked only while the user has not chosen a currency: the scope's spend currency is then the default.
  const scopeCurrency = useBudgetCurrency(
    draft.currency === undefined ? draftScope(draft) : undefined,
  );
  const defaultCurrency = scopeCurrency ?? FALLBACK_CURRENCY;
  const { input, problems: allProblems } = checkBudgetDraft(
    draft,
    defaultCurrency,
  );
  const problems = submitted ? allProblems : {};
  const update = (changes: Partial<BudgetDraft>) =>
    setDraft(current => ({ ...current, ...changes }));
  const subscriptionList = Array.isArray(subscriptions.value)
    ? subscriptions.value
    : undefined;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!input) {
      return;
    }
    setSaving(true);
    setError(undefined);
    try {
      const status = budget
        ? await api.updateBudget(budget.id, input)
        : await api.createBudget(input);
      onSaved(status);
    } catch (e) {
      setError(e as Error);
    } finally {
      setSaving(false);
    }
  };

  const title = budget ? 'Edit budget' : 'Create budget';
  return (
    <Dialog
      open
      onClose={onClose}
      aria-labelledby="budget-dialog-title"
      fullWidth
      maxWidth="sm"
    >
      <form noValidate onSubmit={save}>
        <DialogTitle id="budget-dialog-title">{title}</DialogTitle>
        <DialogContent>
          <TextField
            id="budget-name"
            label="Name"
            value={draft.name}
            onChange={e => update({ name: e.target.value })}
            error={!!problems.name}
            helperText={problems.name}
            fullWidth
            margin="dense"
          />
          <TextField
            id="budget-scope-kind"
            select
            label="Scope"
            value={draft.scopeKind}
            onChange={e =>
              update({ scopeKind: e.target.value as BudgetScope['kind'] })
            }
            SelectProps={{ native: true }}
            fullWidth
            margin="dense"
          >
            {Object.entries(BUDGET_SCOPE_KIND_TEXT).map(([kind, text]) => (
              <option key={kind} value={kind}>
                {text}
              </option>
            ))}
          </TextField>
          {(draft.scopeKind === 'subscription' ||
            draft.scopeKind === 'resourceGroup') && (
            <SubscriptionPicker
              id="budget-subscription"
              label="Subscription"
              value={draft.subscriptionId}
              subscriptions={subscriptionList}
              onChange={subscriptionId => update({ subscriptionId })}
              error={problems.subscriptionId}
            />
          )}
          {draft.scopeKind === 'resourceGroup' && (
            <TextField
              id="budget-resource-group"
              label="Resource group"
              value={draft.resourceGroup}
              onChange={e => update({ resourceGroup: e.target.value })}
              error={!!problems.resourceGroup}
              helperText={problems.resourceGroup}
              fullWidth
              margin="dense"
            />
          )}
          {draft.scopeKind === 'entity' && (
            <TextField
              id="budget-entity"
              label="Entity"
              value={draft.entityRef}
              onChange={e => update({ entityRef: e.target.value })}
              error={!!problems.entityRef}
              helperText={
                problems.entityRef ??
                'e.g. system:default/payments: the entity and everything it owns or is made of'
              }
              fullWidth
              margin="dense"
            />
          )}
          {draft.scopeKind === 'customGroup' && (
            <CustomGroupFields
              draft={draft}
              onChange={update}
              subscriptions={subscriptionList}
              problems={problems}
            />
          )}
          <Box display="flex" gridGap={16}>
            <TextField
              id="budget-amount"
              label="Amount"
              type="number"
              value={draft.amount}
              onChange={e => update({ amount: e.target.value })}
              inputProps={{ min: 0, step: 'any' }}
              error={!!problems.amount}
              helperText={problems.amount ?? 'For each period'}
              fullWidth
              margin="dense"
            />
            <TextField
              id="budget-currency"
              label="Currency"
              value={draft.currency ?? defaultCurrency}
              onChange={e =>
                update({ currency: e.target.value.trim().toUpperCase() })
              }
              inputProps={{ maxLength: 3 }}
              error={!!problems.currency}
              helperText={
                problems.currency ??
                (draft.currency === undefined && scopeCurrency
                  ? "The scope's spend currency"
                  : 'ISO 4217, e.g. USD')
              }
              fullWidth
              margin="dense"
            />
          </Box>
          <TextField
            id="budget-period"
            select
            label="Period"
            value={draft.periodType}
            onChange={e =>
              update({ periodType: e.target.value as BudgetPeriod['type'] })
            }
            SelectProps={{ native: true }}
            helperText="Spend starts from zero at the start of each period (UTC days)"
            fullWidth
            margin="dense"
          >
            {Object.entries(PERIOD_TEXT).map(([type, text]) => (
              <option key={type} value={type}>
                {text}
              </option>
            ))}
          </TextField>
          {(draft.periodType === 'quarterly' ||
            draft.periodType === 'yearly') && (
            <TextField
              id="budget-start-month"
              select
              label="First month"
              value={draft.startMonth}
              onChange={e => update({ startMonth: Number(e.target.value) })}
              SelectProps={{ native: true }}
              helperText="e.g. April for a fiscal year that starts in April"
              fullWidth
              margin="dense"
            >
              {MONTH_NAMES.map((month, index) => (
                <option key={month} value={index + 1}>
                  {month}
                </option>
              ))}
            </TextField>
          )}
          {draft.periodType === 'custom' && (
            <Box display="flex" gridGap={16}>
              <TextField
                id="budget-start-date"
                label="Start date"
                type="date"
                value={draft.startDate}
                onChange={e => update({ startDate: e.target.value })}
                InputLabelProps={{ shrink: true }}
                error={!!problems.startDate}
                helperText={problems.startDate}
                fullWidth
                margin="dense"
              />
              <TextField
                id="budget-end-date"
                label="End date"
                type="date"
                value={draft.endDate}
                onChange={e => update({ endDate: e.target.value })}
                InputLabelProps={{ shrink: true }}
                error={!!problems.endDate}
                helperText={problems.endDate ?? 'Inclusive'}
                fullWidth
                margin="dense"
              />
            </Box>
          )}
          <ThresholdsField
            thresholds={draft.thresholds}
            onChange={thresholds => update({ thresholds })}
            error={problems.thresholds}
          />
          <TextField
            id="budget-owner"
            label="Owner"
            value={draft.owner}
            onChange={e => update({ owner: e.target.value })}
            error={!!problems.owner}
            helperText={
              problems.owner ??
              (draft.scopeKind === 'customGroup'
                ? 'The group or user to notify, e.g. group:default/team-a'
                : 'The group or user to notify, e.g. group:default/team-a; left empty, the owner of the scope')
            }
            fullWidth
            margin="dense"
          />
          {error && (
            <InlineError
              title={
                budget
                  ? 'Could not save the budget'
                  : 'Could not create the budget'
              }
              error={error}
            />
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            type="submit"
            color="primary"
            variant="contained"
            disabled={saving}
          >
            {budget ? 'Save budget' : 'Create budget'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
