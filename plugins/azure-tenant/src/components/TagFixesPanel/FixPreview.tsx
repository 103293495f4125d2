import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { Table, TableColumn } from '@backstage/core-components';
import {
  AzureSubscription,
  TagFixKind,
  TagFixPreview,
  TagFixSubscriptionPlan,
  TagFixSuggestion,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  FIX_KIND_TEXT,
  OUTCOME_TEXT,
  changeText,
  resourceNameOf,
  resourcesText,
} from './fixText';

/** A subscription's name when the portal knows it, else its id. */
export function subscriptionName(
  subscriptionId: string,
  subscriptions?: AzureSubscription[],
): string {
  return (
    subscriptions?.find(s => s.subscriptionId === subscriptionId)
      ?.displayName ?? subscriptionId
  );
}

/** The outcome of applying to a subscription, as a chip: green when written, grey when kept, red when refused. */
export function OutcomeChip(props: {
  outcome: TagFixSubscriptionPlan['outcome'];
}) {
  const { outcome } = props;
  let color: 'primary' | 'default' | 'secondary' = 'default';
  if (outcome === 'write-to-azure') color = 'primary';
  else if (outcome === 'forbidden') color = 'secondary';
  return <Chip size="small" color={color} label={OUTCOME_TEXT[outcome]} />;
}

interface PlanRow {
  id: string;
  plan: TagFixSubscriptionPlan;
  name: string;
  resources: number;
}

interface SampleRow {
  id: string;
  fix: TagFixSuggestion;
}

/**
 * What applying a selection would do, before anything is written: how many resources change and by which kinds of
 * fix, what happens in each subscription (written to Azure, kept as portal-only tags, or forbidden and why), and the
 * first changes with their reasons.
 */
export function FixPreview(props: {
  preview: TagFixPreview;
  subscriptions?: AzureSubscription[];
}) {
  const { preview, subscriptions } = props;
  const planColumns: TableColumn<PlanRow>[] = [
    { title: 'Subscription', field: 'name', highlight: true },
    { title: 'Sync mode', render: ({ plan }) => plan.syncMode },
    { title: 'Resources', field: 'resources', type: 'numeric' },
    {
      title: 'Outcome',
      sorting: false,
      render: ({ plan }) => (
        <>
          <OutcomeChip outcome={plan.outcome} />
          {plan.reason && (
            <Typography variant="caption" color="textSecondary" component="p">
              {plan.reason}
            </Typography>
          )}
        </>
      ),
    },
  ];
  const sampleColumns: TableColumn<SampleRow>[] = [
    {
      title: 'Resource',
      render: ({ fix }) => (
        <>
          <Typography variant="body2">
            {resourceNameOf(fix.resourceId)}
          </Typography>
          <Typography variant="caption" color="textSecondary">
            {subscriptionName(fix.subscriptionId, subscriptions)}
          </Typography>
        </>
      ),
    },
    { title: 'Fix', render: ({ fix }) => FIX_KIND_TEXT[fix.kind] },
    { title: 'Change', render: ({ fix }) => changeText(fix.change) },
    { title: 'Reason', render: ({ fix }) => fix.reason },
  ];
  const kinds = Object.entries(preview.byKind) as Array<[TagFixKind, number]>;

  if (preview.resources === 0) {
    return (
      <Typography variant="body2">
        Nothing to fix: no suggested fix matches this selection.
      </Typography>
    );
  }
  return (
    <Box display="flex" flexDirection="column" gridGap={16}>
      <Box>
        <Typography variant="h6" component="p">
          {resourcesText(preview.resources)} would change
        </Typography>
        <Box display="flex" flexWrap="wrap" gridGap={8} mt={1}>
          {kinds.map(([kind, count]) => (
            <Chip
              key={kind}
              size="small"
              variant="outlined"
              label={`${FIX_KIND_TEXT[kind]}: ${count.toLocaleString()}`}
            />
          ))}
        </Box>
      </Box>
      <Table<PlanRow>
        title="By subscription"
        columns={planColumns}
        data={preview.subscriptions.map(plan => ({
          id: plan.subscriptionId,
          plan,
          name: subscriptionName(plan.subscriptionId, subscriptions),
          resources: plan.resources,
        }))}
        options={{ paging: false, search: false, padding: 'dense' }}
      />
      <Table<SampleRow>
        title="Changes"
        subtitle={
          preview.sample.length < preview.resources
            ? `The first ${preview.sample.length} of the changes`
            : undefined
        }
        columns={sampleColumns}
        data={preview.sample.map((fix, index) => ({
          id: `${index}`,
          fix,
        }))}
        options={{
          paging: preview.sample.length > 10,
          pageSize: 10,
          search: false,
          padding: 'dense',
          sorting: false,
        }}
      />
    </Box>
  );
}
