import { useMemo } from 'react';
import Typography from '@material-ui/core/Typography';
import { WarningPanel } from '@backstage/core-components';
import { AzureDataStaleness } from '@azure-tenant/plugin-azure-tenant-common';
import { AccessTimes } from './AccessStatusPanel';
import {
  accessProblemTitle,
  formatRelativeTime,
  formatTimeBoth,
} from './accessText';

/**
 * Says that the data shown is not current because the portal lost access: why, since when, and that what is shown is
 * from the last successful sync. Shown instead of failing, with the data below it.
 */
export function StaleDataNotice(props: {
  staleness: AzureDataStaleness;
  /** What is stale. */
  what: 'spend' | 'tags';
  /** Collapsed to its heading, for a card. */
  compact?: boolean;
}) {
  const { staleness, what, compact } = props;
  const { access, lastSuccessfulSyncAt } = staleness;
  const now = useMemo(() => Date.now(), []);
  const is = what === 'tags' ? 'are' : 'is';
  return (
    <WarningPanel
      severity="warning"
      title={`The ${what} shown may be out of date: the portal lost access ${formatRelativeTime(
        access.since,
        now,
      )}`}
      message={`${accessProblemTitle(access.problem)}. ${access.message}`}
      defaultExpanded={!compact}
    >
      <Typography variant="body2" component="p">
        {lastSuccessfulSyncAt
          ? `The ${what} shown ${is} from the last successful sync, ${formatTimeBoth(
              lastSuccessfulSyncAt,
              now,
            )}.`
          : `No sync has succeeded yet, so there ${is} no ${what} from Azure to show.`}
      </Typography>
      <AccessTimes access={access} now={now} />
    </WarningPanel>
  );
}
