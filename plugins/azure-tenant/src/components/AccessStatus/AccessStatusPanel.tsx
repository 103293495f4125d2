import { ReactNode, useMemo } from 'react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import {
  StatusError,
  StatusWarning,
  WarningPanel,
} from '@backstage/core-components';
import { AzureAccessStatus } from '@azure-tenant/plugin-azure-tenant-common';
import {
  accessProblemTitle,
  accessRemedy,
  formatRelativeTime,
  formatTimeBoth,
} from './accessText';

/** Problems that leave the portal working (read only or with a warning), shown as warnings rather than errors. */
const WARNING_PROBLEMS = new Set(['tag-write-denied', 'subscription-warned']);

/** Whether a lost-access state is shown as a warning (the portal still reads) rather than an error. */
export function isAccessWarning(access: Pick<AzureAccessStatus, 'problem'>) {
  return WARNING_PROBLEMS.has(access.problem);
}

/** When the problem was first seen, last checked, and when the next try is, each in relative and absolute time. */
export function AccessTimes(props: {
  access: AzureAccessStatus;
  now: number;
  variant?: 'body2' | 'caption';
}) {
  const { access, now, variant = 'body2' } = props;
  return (
    <>
      <Typography variant={variant} component="p">
        Since {formatTimeBoth(access.since, now)}; last checked{' '}
        {formatRelativeTime(access.checkedAt, now)}.
      </Typography>
      {access.nextAttemptAt && (
        <Typography variant={variant} component="p">
          {Date.parse(access.nextAttemptAt) > now
            ? `Next try ${formatTimeBoth(access.nextAttemptAt, now)}.`
            : 'Next try: with the next scheduled sync.'}
        </Typography>
      )}
    </>
  );
}

/**
 * A lost-access state of a tenant or a subscription in full: what happened, since when, the next try, and what to do,
 * with the button that does it (`action`) when it is done in the portal.
 */
export function AccessStatusPanel(props: {
  access: AzureAccessStatus;
  /** What lost access, for the heading, e.g. "Tenant Contoso". */
  subject: string;
  /** The button that resolves it, for `reconnect`. */
  action?: ReactNode;
}) {
  const { access, subject, action } = props;
  const now = useMemo(() => Date.now(), []);
  return (
    <WarningPanel
      severity={isAccessWarning(access) ? 'warning' : 'error'}
      title={`${subject}: ${accessProblemTitle(access.problem)}`}
      message={access.message}
      defaultExpanded
    >
      <AccessTimes access={access} now={now} />
      <Box mt={1}>
        <Typography variant="subtitle2" component="h4">
          What to do
        </Typography>
        <Typography variant="body2">{accessRemedy(access)}</Typography>
      </Box>
      {action && <Box mt={1}>{action}</Box>}
    </WarningPanel>
  );
}

/** A lost-access state in a table cell: its heading with a status light, since when and the next try. */
export function AccessStatusSummary(props: {
  access: AzureAccessStatus;
  /** Whether to say what to do (left out where a panel above says it already). */
  withRemedy?: boolean;
}) {
  const { access, withRemedy } = props;
  const now = useMemo(() => Date.now(), []);
  const Status = isAccessWarning(access) ? StatusWarning : StatusError;
  return (
    <Box>
      <Typography variant="body2" component="div">
        <Status>{accessProblemTitle(access.problem)}</Status>
      </Typography>
      <Typography variant="caption" color="textSecondary" component="p">
        {access.message}
      </Typography>
      <Box color="text.secondary">
        <AccessTimes access={access} now={now} variant="caption" />
      </Box>
      {withRemedy && (
        <Typography variant="caption" component="p">
          What to do: {accessRemedy(access)}
        </Typography>
      )}
    </Box>
  );
}
