import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { InfoCard, Progress } from '@backstage/core-components';
import { TagComplianceSummary } from '@azure-tenant/plugin-azure-tenant-common';
import { TagComplianceState } from '../../hooks/useTagComplianceTeams';
import { InlineError } from '../InlineError';
import { ComplianceSparkline } from './ComplianceTrend';
import { percentText } from './complianceText';

function Figure(props: { label: string; value: string }) {
  return (
    <Box>
      <Typography variant="h4" component="p">
        {props.value}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {props.label}
      </Typography>
    </Box>
  );
}

/** The compliance of every resource: its compliant share, the resources that break a policy, and the 30-day trend. */
export function ComplianceSummaryCard(props: {
  summary: TagComplianceState<TagComplianceSummary>;
}) {
  const { error, value } = props.summary;
  let body;
  if (error) {
    body = <InlineError title="Could not load the compliance" error={error} />;
  } else if (!value) {
    body = <Progress />;
  } else if (value.current.resources === 0 && value.current.unknown === 0) {
    body = (
      <Typography variant="body2">
        No resource has been evaluated yet: compliance is evaluated after each
        resource sync and each policy change.
      </Typography>
    );
  } else {
    const { current } = value;
    body = (
      <Box display="flex" flexWrap="wrap" alignItems="center" gridGap={32}>
        <Figure label="compliant" value={percentText(current)} />
        <Figure
          label={`non-compliant of ${current.resources.toLocaleString()} resources`}
          value={current.nonCompliant.toLocaleString()}
        />
        {current.unknown > 0 && (
          <Figure
            label="unknown (their sync mode keeps no tags)"
            value={current.unknown.toLocaleString()}
          />
        )}
        <Box>
          <ComplianceSparkline history={value.history} />
          <Typography variant="body2" color="textSecondary">
            last 30 days
          </Typography>
        </Box>
      </Box>
    );
  }
  return (
    <InfoCard
      title="Tag compliance"
      subheader={
        value?.evaluatedAt
          ? `All resources, evaluated ${new Date(
              value.evaluatedAt,
            ).toLocaleString()}`
          : 'All resources'
      }
    >
      {body}
    </InfoCard>
  );
}
