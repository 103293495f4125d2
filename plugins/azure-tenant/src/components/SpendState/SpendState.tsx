import { ReactNode } from 'react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import { SpendReport } from '@azure-tenant/plugin-azure-tenant-common';
import { SpendState as SpendRequestState } from '../../hooks/useSpend';
import { StaleDataNotice } from '../AccessStatus';

/** Whether the backend refused to show this spend to the user. */
export function isPermissionDenied(error: Error): boolean {
  if (error instanceof ResponseError) {
    return error.statusCode === 403;
  }
  return error.name === 'NotAllowedError';
}

/**
 * Shows loading, errors and the empty states of a spend request, and its children only for a report that holds
 * data. An empty report never turns into a zero. A report the portal could not refresh (it lost access) says why and
 * since when above what it holds.
 */
export function SpendState(props: {
  state: SpendRequestState;
  children: (report: SpendReport) => ReactNode;
  /** Smaller messages, for a card. */
  compact?: boolean;
}) {
  const { state, compact } = props;
  const staleness = state.report?.staleness;
  if (!staleness) {
    return <SpendStateBody {...props} />;
  }
  const notice = (
    <StaleDataNotice staleness={staleness} what="spend" compact={compact} />
  );
  // The tab lays its parts out as grid items; the card stacks them.
  return compact ? (
    <>
      <Box mb={2}>{notice}</Box>
      <SpendStateBody {...props} />
    </>
  ) : (
    <>
      <Grid item>{notice}</Grid>
      <SpendStateBody {...props} />
    </>
  );
}

function SpendStateBody(props: {
  state: SpendRequestState;
  children: (report: SpendReport) => ReactNode;
  /** Smaller messages, for a card. */
  compact?: boolean;
}) {
  const { state, children, compact } = props;
  if (state.loading) {
    return <Progress />;
  }
  if (state.error) {
    if (isPermissionDenied(state.error)) {
      return (
        <EmptyState
          missing="info"
          title="You don't have permission to see this spend"
          description={
            compact
              ? undefined
              : 'Ask a portal admin for the permission to read Azure spend.'
          }
        />
      );
    }
    return <ResponseErrorPanel error={state.error} />;
  }
  const report = state.report;
  if (!report) {
    return null;
  }
  if (report.series.length === 0) {
    if (report.status === 'pending') {
      return (
        <EmptyState
          missing="data"
          title="No spend data yet: the first spend sync is pending"
          description={
            compact
              ? undefined
              : 'Spend is read from Azure Cost Management on a schedule. It shows here after the first spend sync.'
          }
        />
      );
    }
    return (
      <EmptyState
        missing="data"
        title="No spend recorded for this period"
        description={
          compact
            ? undefined
            : 'Azure Cost Management has no costs for this period. Try a longer period.'
        }
      />
    );
  }
  return <>{children(report)}</>;
}
