import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import ArrowDownwardIcon from '@material-ui/icons/ArrowDownward';
import ArrowUpwardIcon from '@material-ui/icons/ArrowUpward';
import { Line, LineChart, YAxis } from 'recharts';
import { TagComplianceHistoryPoint } from '@azure-tenant/plugin-azure-tenant-common';

/**
 * The change of the compliant share against an earlier day, with an arrow: up is better. With nothing to compare with,
 * it says so rather than showing 0.
 */
export function ComplianceChange(props: {
  change?: number;
  /** What the change is against, e.g. `a week ago`. */
  against: string;
}) {
  const { change, against } = props;
  if (change === undefined) {
    return (
      <Typography variant="body2" color="textSecondary" component="span">
        No figure {against}
      </Typography>
    );
  }
  let arrow = null;
  let direction = 'no change';
  if (change > 0) {
    arrow = <ArrowUpwardIcon fontSize="inherit" aria-hidden />;
    direction = 'up';
  } else if (change < 0) {
    arrow = <ArrowDownwardIcon fontSize="inherit" aria-hidden />;
    direction = 'down';
  }
  const points = `${change > 0 ? '+' : ''}${change.toFixed(1)} pts`;
  return (
    <Typography variant="body2" component="span">
      <Box
        component="span"
        display="inline-flex"
        alignItems="center"
        aria-label={`${points} (${direction}) vs ${against}`}
        color={
          // eslint-disable-next-line no-nested-ternary
          change > 0 ? 'success.main' : change < 0 ? 'error.main' : undefined
        }
      >
        {arrow}
        {points}
      </Box>
    </Typography>
  );
}

/** A small line of the compliant share per day, oldest first, described for screen readers. */
export function ComplianceSparkline(props: {
  history: TagComplianceHistoryPoint[];
  width?: number;
  height?: number;
}) {
  const { history, width = 200, height = 48 } = props;
  const points = history.filter(point => point.percent !== undefined);
  if (points.length < 2) {
    return (
      <Typography variant="caption" color="textSecondary">
        The trend shows after two days of figures.
      </Typography>
    );
  }
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <div
      role="img"
      aria-label={`Compliance from ${first.percent}% on ${first.day} to ${last.percent}% on ${last.day}`}
      style={{ width, height }}
    >
      <LineChart
        data={points}
        margin={{ top: 4, bottom: 4, left: 0, right: 0 }}
      >
        <YAxis hide domain={[0, 100]} />
        <Line
          type="monotone"
          dataKey="percent"
          stroke="#1f77b4"
          strokeWidth={2}
          dot={false}
          isAnimationActive={false}
        />
      </LineChart>
    </div>
  );
}
