import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { Link } from '@backstage/core-components';
import { SpendReport } from '@azure-tenant/plugin-azure-tenant-common';
import { useTagCompliancePageLink } from '../../hooks/useTagCompliance';
import { resourceCount } from '../TagsContent/resourceCount';
import { formatCurrency, formatShare } from './spendFormat';

/** One currency's unallocated spend, as `SpendReport.unallocated` gives it. */
export type UnallocatedSpendFigure = NonNullable<
  SpendReport['unallocated']
>[number];

/**
 * The part of a subscription's spend that no team owns (its resources have no owner tag naming a catalog group or
 * user): the amount, its share of the period's total and how many resources cause it, with a link to fix their owner
 * tags on the Tag compliance page, filtered to the subscription.
 */
export function UnallocatedSpend(props: {
  unallocated: UnallocatedSpendFigure;
  /** The period's total in the same currency, for the share. */
  total: number;
  subscriptionId?: string;
}) {
  const { unallocated, total, subscriptionId } = props;
  const pageLink = useTagCompliancePageLink();
  const { currency, resources } = unallocated;
  const link =
    pageLink && subscriptionId ? pageLink({ subscriptionId }) : undefined;
  if (unallocated.total === 0 && resources === 0) {
    return (
      <>
        <Typography variant="overline" color="textSecondary">
          Unallocated
        </Typography>
        <Typography variant="h5" data-testid="spend-unallocated">
          {formatCurrency(0, currency)}
        </Typography>
        <Typography variant="body2" color="textSecondary">
          Every resource with spend has a valid owner tag
        </Typography>
      </>
    );
  }
  return (
    <>
      <Typography variant="overline" color="textSecondary">
        Unallocated
      </Typography>
      <Typography variant="h5" color="error" data-testid="spend-unallocated">
        {formatCurrency(unallocated.total, currency)}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {total > 0 &&
          `${formatShare(unallocated.total / total)} of the total · `}
        {resourceCount(resources)} without a valid owner tag
      </Typography>
      {link && resources > 0 && (
        <Box mt={0.5}>
          <Link to={link}>Fix owner tags</Link>
        </Box>
      )}
    </>
  );
}
