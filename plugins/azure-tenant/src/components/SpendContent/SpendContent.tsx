import { FormEvent, useMemo, useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import GetAppIcon from '@material-ui/icons/GetApp';
import { InfoCard, WarningPanel } from '@backstage/core-components';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  SpendGranularity,
  SpendGroupBy,
  SpendQuery,
  SpendReport,
  SpendSeries,
} from '@azure-tenant/plugin-azure-tenant-common';
import { useSpend } from '../../hooks/useSpend';
import { useSpendCsvDownload } from '../../hooks/useSpendCsvDownload';
import {
  SpendTarget,
  requiredSpendAnnotation,
  spendTargetOf,
} from '../../spendTarget';
import { InlineError } from '../InlineError';
import { SpendChange } from '../SpendChange';
import { SpendState } from '../SpendState';
import { SpendChart } from './SpendChart';
import { SpendGroupsTable } from './SpendGroupsTable';
import { UnallocatedSpend, UnallocatedSpendFigure } from './UnallocatedSpend';
import { formatCurrency } from './spendFormat';
import {
  SpendPeriod,
  granularitiesFor,
  spendDateRange,
  spendPeriodLabels,
} from './spendPeriods';

type GroupByChoice =
  | 'service'
  | 'resourceGroup'
  | 'resource'
  | 'location'
  | 'tag';

const groupByLabels: Record<GroupByChoice, string> = {
  service: 'Service',
  resourceGroup: 'Resource group',
  resource: 'Resource',
  location: 'Location',
  tag: 'Tag…',
};

/**
 * The Spend tab of an Azure subscription or resource entity (and of a group or user: the spend of what it owns).
 */
export function SpendContent() {
  const { entity } = useEntity();
  const target = spendTargetOf(entity);
  if (!target) {
    return (
      <MissingAnnotationEmptyState
        annotation={requiredSpendAnnotation(entity)}
      />
    );
  }
  return <SpendExplorer target={target} fileStem={entity.metadata.name} />;
}

function SpendExplorer(props: { target: SpendTarget; fileStem: string }) {
  const { target, fileStem } = props;
  const today = useMemo(() => new Date(), []);
  const [period, setPeriod] = useState<SpendPeriod>('last30');
  const [monthlyPreferred, setMonthlyPreferred] = useState(true);
  const [groupByChoice, setGroupByChoice] = useState<GroupByChoice>('service');
  const [tagKeyDraft, setTagKeyDraft] = useState('');
  const [tagKey, setTagKey] = useState('');

  const dateRange = spendDateRange(period, today);
  const granularities = granularitiesFor(dateRange);
  const granularity: SpendGranularity =
    granularities.includes('month') && monthlyPreferred ? 'month' : 'day';
  let groupBy: SpendGroupBy | undefined;
  if (groupByChoice !== 'tag') groupBy = groupByChoice;
  else if (tagKey) groupBy = `tag:${tagKey}`;
  const groupByLabel =
    groupByChoice === 'tag' ? `Tag ${tagKey}` : groupByLabels[groupByChoice];

  const query: SpendQuery | undefined = groupBy && {
    ...target,
    from: dateRange.from,
    to: dateRange.to,
    granularity,
    groupBy,
  };
  const state = useSpend(query);
  const csv = useSpendCsvDownload();

  const applyTagKey = (event?: FormEvent) => {
    event?.preventDefault();
    setTagKey(tagKeyDraft.trim());
  };

  return (
    <Grid container spacing={3} direction="column">
      <Grid item>
        <Box display="flex" flexWrap="wrap" alignItems="flex-end" gridGap={16}>
          <TextField
            select
            label="Period"
            value={period}
            onChange={e => setPeriod(e.target.value as SpendPeriod)}
            SelectProps={{ native: true }}
            id="azure-spend-period"
          >
            {Object.entries(spendPeriodLabels).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </TextField>
          {granularities.length > 1 && (
            <TextField
              select
              label="Granularity"
              value={granularity}
              onChange={e => setMonthlyPreferred(e.target.value === 'month')}
              SelectProps={{ native: true }}
              id="azure-spend-granularity"
            >
              <option value="day">By day</option>
              <option value="month">By month</option>
            </TextField>
          )}
          <TextField
            select
            label="Group by"
            value={groupByChoice}
            onChange={e => setGroupByChoice(e.target.value as GroupByChoice)}
            SelectProps={{ native: true }}
            id="azure-spend-group-by"
          >
            {Object.entries(groupByLabels).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </TextField>
          {groupByChoice === 'tag' && (
            <form onSubmit={applyTagKey}>
              <TextField
                label="Tag key"
                placeholder="cost-center"
                value={tagKeyDraft}
                onChange={e => setTagKeyDraft(e.target.value)}
                onBlur={() => applyTagKey()}
                id="azure-spend-tag-key"
              />
            </form>
          )}
          <Box flexGrow={1} />
          <Button
            variant="outlined"
            color="primary"
            startIcon={<GetAppIcon />}
            disabled={!query || csv.downloading}
            onClick={() =>
              query &&
              csv.download(
                query,
                `spend-${fileStem}-${query.from}-to-${query.to}.csv`,
              )
            }
          >
            Download CSV
          </Button>
        </Box>
        {csv.error && (
          <InlineError title="Could not download the CSV" error={csv.error} />
        )}
      </Grid>
      {!query || !groupBy ? (
        <Grid item>
          <Typography color="textSecondary">
            Enter a tag key, e.g. cost-center, to group spend by its values.
          </Typography>
        </Grid>
      ) : (
        <SpendState state={state}>
          {report => (
            <SpendReportView
              report={report}
              subscriptionId={target.subscriptionId}
              granularity={granularity}
              groupBy={groupBy}
              groupByLabel={groupByLabel}
            />
          )}
        </SpendState>
      )}
    </Grid>
  );
}

function SpendReportView(props: {
  report: SpendReport;
  subscriptionId?: string;
  granularity: SpendGranularity;
  groupBy: SpendGroupBy;
  groupByLabel: string;
}) {
  const { report, subscriptionId, granularity, groupBy, groupByLabel } = props;
  return (
    <>
      {report.notes.map(note => (
        <Grid item key={note}>
          <WarningPanel severity="info" title={note} />
        </Grid>
      ))}
      {report.syncedAt && (
        <Grid item>
          <Typography variant="body2" color="textSecondary">
            Read from Azure Cost Management{' '}
            {new Date(report.syncedAt).toLocaleString()}
          </Typography>
        </Grid>
      )}
      {report.series.map(series => (
        <Grid item key={series.currency}>
          <SpendSeriesView
            series={series}
            unallocated={report.unallocated?.find(
              u => u.currency === series.currency,
            )}
            subscriptionId={subscriptionId}
            granularity={granularity}
            groupBy={groupBy}
            groupByLabel={groupByLabel}
          />
        </Grid>
      ))}
    </>
  );
}

/** One currency: its figures, its chart and its groups. Currencies are shown apart, never added up. */
function SpendSeriesView(props: {
  series: SpendSeries;
  /** The part no team owns, for a subscription whose tags are kept. */
  unallocated?: UnallocatedSpendFigure;
  subscriptionId?: string;
  granularity: SpendGranularity;
  groupBy: SpendGroupBy;
  groupByLabel: string;
}) {
  const {
    series,
    unallocated,
    subscriptionId,
    granularity,
    groupBy,
    groupByLabel,
  } = props;
  // Four figures side by side with the unallocated spend, three without.
  const figureWidth = unallocated ? 3 : 4;
  return (
    <section aria-label={`Spend in ${series.currency}`}>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <InfoCard title={`Spend in ${series.currency}`}>
            <Grid container spacing={3}>
              <Grid item xs={12} md={figureWidth}>
                <Typography variant="overline" color="textSecondary">
                  Period total
                </Typography>
                <Typography variant="h4" data-testid="spend-total">
                  {formatCurrency(series.total, series.currency)}
                </Typography>
              </Grid>
              <Grid item xs={12} md={figureWidth}>
                <Typography variant="overline" color="textSecondary">
                  Change
                </Typography>
                <Box>
                  <SpendChange change={series.change} variant="body1" />
                </Box>
                {series.change !== undefined && (
                  <Typography variant="body2" color="textSecondary">
                    Previous period:{' '}
                    {formatCurrency(series.previousTotal, series.currency)}
                  </Typography>
                )}
              </Grid>
              <Grid item xs={12} md={figureWidth}>
                <Typography variant="overline" color="textSecondary">
                  Forecast for the month
                </Typography>
                {series.forecast ? (
                  <>
                    <Typography variant="h5">
                      {formatCurrency(
                        series.forecast.monthEnd,
                        series.currency,
                      )}
                    </Typography>
                    <Typography variant="body2" color="textSecondary">
                      Month end, through {series.forecast.through}
                    </Typography>
                  </>
                ) : (
                  <Typography variant="body2" color="textSecondary">
                    No forecast for this period
                  </Typography>
                )}
              </Grid>
              {unallocated && (
                <Grid item xs={12} md={figureWidth}>
                  <UnallocatedSpend
                    unallocated={unallocated}
                    total={series.total}
                    subscriptionId={subscriptionId}
                  />
                </Grid>
              )}
            </Grid>
            <Box mt={3}>
              <SpendChart
                series={series}
                granularity={granularity}
                groupBy={groupBy}
                groupByLabel={groupByLabel}
              />
            </Box>
          </InfoCard>
        </Grid>
        <Grid item xs={12}>
          <SpendGroupsTable
            series={series}
            groupBy={groupBy}
            groupByLabel={groupByLabel}
          />
        </Grid>
      </Grid>
    </section>
  );
}
