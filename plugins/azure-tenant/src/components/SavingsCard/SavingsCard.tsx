import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { EmptyState, InfoCard, Progress } from '@backstage/core-components';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  SavingsRecommendation,
  SavingsReport,
} from '@azure-tenant/plugin-azure-tenant-common';
import { SavingsState, useSavings } from '../../hooks/useSavings';
import { requiredSpendAnnotation, spendTargetOf } from '../../spendTarget';
import { InlineError } from '../InlineError';
import { formatCurrency } from '../SpendContent/spendFormat';
import { spendGroupName } from '../SpendContent/spendGroups';

/** How many recommendations a subscription's, group's or user's card lists; a resource's lists all of them. */
const TOP_RECOMMENDATIONS = 5;

/** How many of the report's notes the card shows. */
const MAX_NOTES = 3;

// Advisor's impacts, the most worth doing first.
const impactRank: Record<string, number> = { High: 0, Medium: 1, Low: 2 };

/**
 * Azure Advisor cost recommendations: on a resource, its own; on a subscription, a group or a user, the estimated
 * monthly savings summed per currency, how many recommendations there are and the top ones.
 */
export function SavingsCard() {
  const { entity } = useEntity();
  // Whose savings: the same subscription, resource or owner as its spend.
  const target = spendTargetOf(entity);
  const state = useSavings(target);
  return (
    <InfoCard title="Savings" subheader="Azure Advisor cost recommendations">
      {target ? (
        <SavingsBody state={state} onResource={Boolean(target.resourceId)} />
      ) : (
        <MissingAnnotationEmptyState
          annotation={requiredSpendAnnotation(entity)}
        />
      )}
    </InfoCard>
  );
}

function SavingsBody(props: { state: SavingsState; onResource: boolean }) {
  const { state, onResource } = props;
  if (state.loading) {
    return <Progress />;
  }
  if (state.error) {
    return (
      <InlineError title="Could not load the savings" error={state.error} />
    );
  }
  const report = state.report;
  if (!report) {
    return null;
  }
  return (
    <>
      {report.recommendations.length === 0 ? (
        <EmptyState missing="data" title="No Advisor cost recommendations" />
      ) : (
        <SavingsReportView report={report} onResource={onResource} />
      )}
      <SavingsNotes notes={report.notes ?? []} />
    </>
  );
}

/**
 * What the report could not show (a subscription not read yet, a failed read), so that no recommendations is not
 * taken for no waste. A few only: a team with many subscriptions would fill the card.
 */
function SavingsNotes(props: { notes: string[] }) {
  const { notes } = props;
  const shown = notes.slice(0, MAX_NOTES);
  return (
    <>
      {shown.map(note => (
        <Typography key={note} variant="body2" color="textSecondary">
          {note}
        </Typography>
      ))}
      {notes.length > shown.length && (
        <Typography variant="body2" color="textSecondary">
          and {notes.length - shown.length} more notes
        </Typography>
      )}
    </>
  );
}

function SavingsReportView(props: {
  report: SavingsReport;
  onResource: boolean;
}) {
  const { report, onResource } = props;
  const count = report.recommendations.length;
  const shown = [...report.recommendations]
    .sort(byImpactThenSavings)
    .slice(0, onResource ? undefined : TOP_RECOMMENDATIONS);
  return (
    <>
      {report.totals.map(total => (
        <section
          key={total.currency}
          aria-label={`Savings in ${total.currency}`}
        >
          <Typography variant="h5" component="p">
            {formatCurrency(total.monthlySavings, total.currency)} per month
          </Typography>
        </section>
      ))}
      <Typography variant="body2" color="textSecondary">
        {report.totals.length > 0 ? 'Estimated savings from ' : ''}
        {count === 1 ? '1 recommendation' : `${count} recommendations`}
      </Typography>
      <Box mt={1}>
        <Typography variant="overline" color="textSecondary">
          {onResource ? 'Recommendations' : 'Top recommendations'}
        </Typography>
        <List
          dense
          disablePadding
          aria-label={onResource ? 'Recommendations' : 'Top recommendations'}
        >
          {shown.map(recommendation => (
            <ListItem key={recommendation.id} disableGutters>
              <ListItemText
                primary={recommendation.problem}
                secondary={
                  <RecommendationDetails
                    recommendation={recommendation}
                    showResource={!onResource}
                  />
                }
              />
            </ListItem>
          ))}
        </List>
        {shown.length < count && (
          <Typography variant="body2" color="textSecondary">
            and {count - shown.length} more
          </Typography>
        )}
      </Box>
      {report.readAt && (
        <Typography variant="caption" color="textSecondary" component="p">
          Read from Azure Advisor {new Date(report.readAt).toLocaleString()}
        </Typography>
      )}
    </>
  );
}

function RecommendationDetails(props: {
  recommendation: SavingsRecommendation;
  showResource: boolean;
}) {
  const { recommendation, showResource } = props;
  const saving =
    recommendation.monthlySavings !== undefined && recommendation.currency
      ? `${formatCurrency(
          recommendation.monthlySavings,
          recommendation.currency,
        )} per month`
      : 'No saving estimate';
  return (
    <>
      {recommendation.solution}
      <br />
      {showResource && (
        <>
          <Tooltip title={recommendation.resourceId}>
            <span>{spendGroupName('resource', recommendation.resourceId)}</span>
          </Tooltip>
          {' · '}
        </>
      )}
      {recommendation.impact} impact · {saving}
    </>
  );
}

function byImpactThenSavings(
  a: SavingsRecommendation,
  b: SavingsRecommendation,
): number {
  const rank = (r: SavingsRecommendation) => impactRank[r.impact] ?? 3;
  // Within an impact, larger savings first; amounts in different currencies only order the list, never add up.
  return rank(a) - rank(b) || (b.monthlySavings ?? 0) - (a.monthlySavings ?? 0);
}
