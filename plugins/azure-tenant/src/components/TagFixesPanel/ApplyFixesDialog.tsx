import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import {
  AzureSubscription,
  TagFixPreview,
  TagFixSubscriptionPlan,
} from '@azure-tenant/plugin-azure-tenant-common';
import { InlineError } from '../InlineError';
import { subscriptionName } from './FixPreview';
import { resourcesText } from './fixText';

/** The resources and subscription names of a preview's plans with one outcome. */
function plansWith(
  preview: TagFixPreview,
  outcome: TagFixSubscriptionPlan['outcome'],
  subscriptions?: AzureSubscription[],
): { resources: number; names: string } | undefined {
  const plans = preview.subscriptions.filter(
    plan => plan.outcome === outcome && plan.resources > 0,
  );
  if (plans.length === 0) return undefined;
  return {
    resources: plans.reduce((sum, plan) => sum + plan.resources, 0),
    names: plans
      .map(plan => subscriptionName(plan.subscriptionId, subscriptions))
      .join(', '),
  };
}

/** Asks before a bulk fix: how many resources in which subscriptions will be written to Azure, kept, or skipped. */
export function ApplyFixesDialog(props: {
  preview: TagFixPreview;
  subscriptions?: AzureSubscription[];
  applying: boolean;
  error?: Error;
  onApply: () => void;
  onClose: () => void;
}) {
  const { preview, subscriptions, applying, error, onApply, onClose } = props;
  const written = plansWith(preview, 'write-to-azure', subscriptions);
  const kept = plansWith(preview, 'portal-only', subscriptions);
  const forbidden = plansWith(preview, 'forbidden', subscriptions);
  return (
    <Dialog open onClose={onClose} aria-labelledby="apply-tag-fixes-title">
      <DialogTitle id="apply-tag-fixes-title">Apply tag fixes</DialogTitle>
      <DialogContent>
        {written && (
          <DialogContentText>
            {resourcesText(written.resources)} in {written.names} will be
            written to Azure.
          </DialogContentText>
        )}
        {kept && (
          <DialogContentText>
            {resourcesText(kept.resources)} in {kept.names} will get portal-only
            tags (their sync mode reads tags only).
          </DialogContentText>
        )}
        {forbidden && (
          <DialogContentText>
            {resourcesText(forbidden.resources)} in {forbidden.names} will be
            skipped: changing their tags is forbidden.
          </DialogContentText>
        )}
        <DialogContentText>
          A tag changed since the preview is left as it is. The fixes run in the
          background; each change is audited as yours.
        </DialogContentText>
        {error && (
          <InlineError title="Could not start the fixes" error={error} />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={applying || (!written && !kept)}
          onClick={onApply}
        >
          Apply
        </Button>
      </DialogActions>
    </Dialog>
  );
}
