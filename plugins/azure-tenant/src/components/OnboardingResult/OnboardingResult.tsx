import { useEffect, useRef } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import LinearProgress from '@material-ui/core/LinearProgress';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import WarningIcon from '@material-ui/icons/Warning';
import { InfoCard, WarningPanel } from '@backstage/core-components';
import {
  Onboarding,
  RoleAssignmentResult,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  isOnboardingInProgress,
  useOnboarding,
} from '../../hooks/useOnboarding';
import { InlineError } from '../InlineError';

const HEADING_ID = 'azure-tenant-onboarding-result-heading';

/** Props of {@link OnboardingResult}. */
export interface OnboardingResultProps {
  onboardingId: string;
  /** Called once when the onboarding has ended, e.g. to reload the list of subscriptions. */
  onFinished?: (onboarding: Onboarding) => void;
}

interface SubscriptionResults {
  subscriptionId: string;
  subscriptionName: string;
  results: RoleAssignmentResult[];
}

function groupBySubscription(
  results: RoleAssignmentResult[],
): SubscriptionResults[] {
  const groups = new Map<string, SubscriptionResults>();
  for (const result of results) {
    let group = groups.get(result.subscriptionId);
    if (!group) {
      group = {
        subscriptionId: result.subscriptionId,
        subscriptionName: result.subscriptionName,
        results: [],
      };
      groups.set(result.subscriptionId, group);
    }
    group.results.push(result);
  }
  return [...groups.values()];
}

function isGranted(result: RoleAssignmentResult): boolean {
  return result.outcome === 'assigned' || result.outcome === 'already-present';
}

function describeRoleResult(result: RoleAssignmentResult): string {
  const reason = result.reason ? `: ${result.reason}` : '';
  switch (result.outcome) {
    case 'assigned':
      return `${result.roleName} assigned`;
    case 'already-present':
      return `${result.roleName} was already assigned`;
    case 'skipped-not-owner':
      return `${result.roleName} not assigned: you are not an Owner${reason}`;
    case 'failed':
    default:
      return `Could not assign ${result.roleName}${reason}`;
  }
}

function SubscriptionResultItem(props: { group: SubscriptionResults }) {
  const { subscriptionId, subscriptionName, results } = props.group;
  const roleNames = results.map(r => r.roleName).join(' and ');
  const notOwner = results.every(r => r.outcome === 'skipped-not-owner');
  const granted = results.every(isGranted);
  const failed = results.some(r => r.outcome === 'failed');

  let icon = <WarningIcon color="error" />;
  if (granted) icon = <CheckCircleIcon style={{ color: 'green' }} />;
  else if (notOwner) icon = <WarningIcon color="action" />;
  else if (failed) icon = <ErrorIcon color="error" />;

  return (
    <ListItem alignItems="flex-start" divider>
      <ListItemIcon>{icon}</ListItemIcon>
      <ListItemText
        disableTypography
        primary={
          <Typography variant="subtitle1" component="h3">
            {subscriptionName}{' '}
            <Typography
              component="span"
              variant="caption"
              color="textSecondary"
            >
              {subscriptionId}
            </Typography>
          </Typography>
        }
        secondary={
          <>
            {notOwner ? (
              <Typography variant="body2">
                You are not an Owner of {subscriptionName}: ask an Owner to
                connect it, or assign the roles yourself ({roleNames} for the
                portal).
                {results[0].reason ? ` ${results[0].reason}` : ''}
              </Typography>
            ) : (
              results.map(result => (
                <Typography
                  key={result.roleName}
                  variant="body2"
                  color={isGranted(result) ? 'textPrimary' : 'error'}
                >
                  {describeRoleResult(result)}
                </Typography>
              ))
            )}
            {!granted && !notOwner && (
              <Typography variant="body2" color="textSecondary">
                Next: press &ldquo;Add more subscriptions&rdquo; again, or ask
                an Owner of {subscriptionName} to assign the missing roles to
                the portal in Azure.
              </Typography>
            )}
          </>
        }
      />
    </ListItem>
  );
}

const PARTNER_ADMIN_LINK_TEXT: Record<
  NonNullable<Onboarding['partnerAdminLink']>,
  string
> = {
  associated:
    "Partner Admin Link: the portal's partner id is now associated with its credentials in this tenant. This gives no one new data.",
  'already-associated':
    "Partner Admin Link: the portal's partner id was already associated with its credentials in this tenant.",
  failed:
    "Partner Admin Link: the portal's partner id could not be associated. Access to your subscriptions is not affected.",
};

function OnboardingResults(props: { onboarding: Onboarding }) {
  const { onboarding } = props;
  const groups = groupBySubscription(onboarding.results);
  return (
    <>
      {groups.length > 0 && (
        <List dense aria-label="Results by subscription">
          {groups.map(group => (
            <SubscriptionResultItem key={group.subscriptionId} group={group} />
          ))}
        </List>
      )}
      {onboarding.partnerAdminLink && (
        <Typography variant="body2" color="textSecondary">
          {PARTNER_ADMIN_LINK_TEXT[onboarding.partnerAdminLink]}
        </Typography>
      )}
    </>
  );
}

function InProgress(props: { message: string }) {
  return (
    <Box mb={2}>
      <Typography variant="body1" role="status">
        {props.message}
      </Typography>
      <LinearProgress />
    </Box>
  );
}

function OnboardingSummary(props: { onboarding: Onboarding }) {
  const { onboarding } = props;
  const groups = groupBySubscription(onboarding.results);
  const connected = groups.filter(g => g.results.every(isGranted)).length;
  const action =
    onboarding.kind === 'connect' ? 'Tenant connected' : 'Subscriptions added';
  if (groups.length === 0) {
    return (
      <Typography variant="body1">
        {action}, but Microsoft listed no subscription for your account in this
        tenant. Sign in with an account that owns subscriptions, or ask an Owner
        to add them.
      </Typography>
    );
  }
  return (
    <Typography variant="body1">
      {action}: {connected} of {groups.length} subscriptions can be read by the
      portal. They are listed below and synced on the next schedule; press
      &ldquo;Sync now&rdquo; to sync one sooner.
    </Typography>
  );
}

function OnboardingStatusView(props: { onboarding: Onboarding }) {
  const { onboarding } = props;
  switch (onboarding.status) {
    case 'pending':
      return (
        <InProgress message="Waiting for you to finish signing in at Microsoft…" />
      );
    case 'running':
      return (
        <>
          <InProgress message="Assigning roles…" />
          <OnboardingResults onboarding={onboarding} />
        </>
      );
    case 'succeeded':
      return (
        <>
          <OnboardingSummary onboarding={onboarding} />
          <OnboardingResults onboarding={onboarding} />
        </>
      );
    case 'expired':
      return (
        <WarningPanel
          severity="error"
          title="The sign-in at Microsoft expired"
          message={
            onboarding.error ??
            'You did not come back from Microsoft in time. Start again.'
          }
          defaultExpanded
        />
      );
    case 'failed':
    default:
      return (
        <>
          <WarningPanel
            severity="error"
            title="Connecting the tenant failed"
            message={`${
              onboarding.error ?? 'The portal did not say why.'
            } You can start again.`}
            defaultExpanded
          />
          <OnboardingResults onboarding={onboarding} />
        </>
      );
  }
}

/**
 * Shows how an onboarding is going, and once it has ended, what happened to each role on each subscription and
 * what to do next.
 */
export function OnboardingResult(props: OnboardingResultProps) {
  const { onboardingId, onFinished } = props;
  const { onboarding, error, retry } = useOnboarding(onboardingId);

  // Only the first terminal state counts: the hook stops polling there.
  const reported = useRef(false);
  useEffect(() => {
    if (
      onboarding &&
      !isOnboardingInProgress(onboarding.status) &&
      !reported.current
    ) {
      reported.current = true;
      onFinished?.(onboarding);
    }
  }, [onboarding, onFinished]);

  let body;
  if (error) {
    body = (
      <>
        <InlineError title="Could not read the onboarding" error={error} />
        <Button onClick={retry} variant="outlined" size="small">
          Retry
        </Button>
      </>
    );
  } else if (!onboarding) {
    body = <InProgress message="Loading the onboarding…" />;
  } else {
    body = <OnboardingStatusView onboarding={onboarding} />;
  }

  return (
    <section aria-labelledby={HEADING_ID}>
      <InfoCard
        title="Onboarding result"
        titleTypographyProps={{ component: 'h2', id: HEADING_ID }}
      >
        {body}
      </InfoCard>
    </section>
  );
}
