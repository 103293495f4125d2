import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import ArrowDownwardIcon from '@material-ui/icons/ArrowDownward';
import ArrowUpwardIcon from '@material-ui/icons/ArrowUpward';
import { formatChange } from '../SpendContent/spendFormat';

/**
 * The change of spend against the previous period, with an arrow and a sign. With nothing to compare with, it says
 * so, rather than showing 0%.
 */
export function SpendChange(props: {
  change?: number;
  variant?: 'body1' | 'body2';
}) {
  const { change, variant = 'body2' } = props;
  if (change === undefined) {
    return (
      <Typography variant={variant} color="textSecondary">
        No data for the previous period
      </Typography>
    );
  }
  let arrow = null;
  if (change > 0) {
    arrow = <ArrowUpwardIcon fontSize="inherit" aria-hidden />;
  } else if (change < 0) {
    arrow = <ArrowDownwardIcon fontSize="inherit" aria-hidden />;
  }
  let direction = 'no change';
  if (change > 0) direction = 'up';
  else if (change < 0) direction = 'down';
  return (
    <Typography variant={variant} component="span">
      <Box
        component="span"
        display="inline-flex"
        alignItems="center"
        aria-label={`${formatChange(change)} (${direction}) vs previous period`}
      >
        {arrow}
        {formatChange(change)} vs previous period
      </Box>
    </Typography>
  );
}
