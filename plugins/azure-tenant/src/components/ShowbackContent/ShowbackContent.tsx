import { useMemo, useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import GetAppIcon from '@material-ui/icons/GetApp';
import { EmptyState, Progress } from '@backstage/core-components';
import { ShowbackReport } from '@azure-tenant/plugin-azure-tenant-common';
import { ShowbackQuery } from '../../api';
import { useShowback, useShowbackCsvDownload } from '../../hooks/useShowback';
import { InlineError } from '../InlineError';
import { ShowbackMonthTable, ShowbackSort } from './ShowbackMonthTable';
import {
  defaultShowbackRange,
  isMonth,
  monthsNewestFirst,
} from './showbackMonths';
import { UNALLOCATED_OWNER, ownerLabel } from './showbackOwners';

/**
 * Options of the showback view.
 *
 * @public
 */
export interface ShowbackContentProps {
  /**
   * One owner's entity ref, e.g. `group:default/team-a`: only its spend, without the team filter, the unallocated
   * spend and the month's totals. Without it, every owner the user may see.
   */
  owner?: string;
}

/**
 * Showback: each owner's Azure spend per month and currency, what it owns through the catalog, and the spend that no
 * team owns as unallocated, with each month's total, a filter by team and a CSV download.
 */
export function ShowbackContent(props: ShowbackContentProps) {
  const { owner } = props;
  const today = useMemo(() => new Date(), []);
  const [range, setRange] = useState(() => defaultShowbackRange(today));
  const [team, setTeam] = useState('');
  const [sort, setSort] = useState<ShowbackSort>({
    by: 'amount',
    direction: 'desc',
  });

  let rangeProblem: string | undefined;
  if (!isMonth(range.from) || !isMonth(range.to)) {
    rangeProblem = 'Choose a first and a last month.';
  } else if (range.from > range.to) {
    rangeProblem = 'The first month is after the last month.';
  }
  const query: ShowbackQuery | undefined = rangeProblem
    ? undefined
    : { ...range, ...(owner && { owner }) };
  const state = useShowback(query);
  const csv = useShowbackCsvDownload();

  // The CSV holds what the table shows: the team's rows when one is chosen.
  const csvOwner = owner ?? (team || undefined);
  const downloadCsv = () =>
    query &&
    csv.download(
      { ...query, ...(csvOwner && { owner: csvOwner }) },
      `showback-${
        csvOwner ? `${ownerLabel(csvOwner).replace(/[^\w.-]+/g, '-')}-` : ''
      }${query.from}-to-${query.to}.csv`,
    );

  const teams = useMemo(
    () => teamsOf(state.report, team),
    [state.report, team],
  );

  return (
    <Grid container spacing={3} direction="column">
      <Grid item>
        <Box display="flex" flexWrap="wrap" alignItems="flex-end" gridGap={16}>
          <TextField
            type="month"
            label="From"
            id="azure-showback-from"
            value={range.from}
            onChange={e => setRange({ ...range, from: e.target.value })}
            InputLabelProps={{ shrink: true }}
          />
          <TextField
            type="month"
            label="To"
            id="azure-showback-to"
            value={range.to}
            onChange={e => setRange({ ...range, to: e.target.value })}
            InputLabelProps={{ shrink: true }}
          />
          {!owner && (
            <TextField
              select
              label="Team"
              id="azure-showback-team"
              value={team}
              onChange={e => setTeam(e.target.value)}
              SelectProps={{ native: true }}
              InputLabelProps={{ shrink: true }}
            >
              <option value="">All teams</option>
              {teams.map(candidate => (
                <option key={candidate} value={candidate}>
                  {ownerLabel(candidate)}
                </option>
              ))}
            </TextField>
          )}
          <Box flexGrow={1} />
          <Button
            variant="outlined"
            color="primary"
            startIcon={<GetAppIcon />}
            disabled={!query || csv.downloading}
            onClick={downloadCsv}
          >
            Download CSV
          </Button>
        </Box>
        {rangeProblem && (
          <Typography role="alert" color="error" variant="body2">
            {rangeProblem}
          </Typography>
        )}
        {csv.error && (
          <InlineError title="Could not download the CSV" error={csv.error} />
        )}
      </Grid>
      <ShowbackBody
        loading={state.loading}
        error={state.error}
        report={query && state.report}
        team={owner ? undefined : team || undefined}
        sort={sort}
        onSort={setSort}
      />
    </Grid>
  );
}

function ShowbackBody(props: {
  loading: boolean;
  error?: Error;
  report?: ShowbackReport;
  team?: string;
  sort: ShowbackSort;
  onSort: (sort: ShowbackSort) => void;
}) {
  const { loading, error, report, team, sort, onSort } = props;
  if (error) {
    return (
      <Grid item>
        <InlineError title="Could not load the showback" error={error} />
      </Grid>
    );
  }
  if (!report) {
    return loading ? (
      <Grid item>
        <Progress />
      </Grid>
    ) : null;
  }
  if (report.rows.length === 0 && report.totals.length === 0) {
    return (
      <Grid item>
        <EmptyState
          missing="data"
          title="No spend recorded in these months"
          description="Spend is read from Azure Cost Management on a schedule. Try other months, or wait for the first spend sync."
        />
      </Grid>
    );
  }
  const rows = team
    ? report.rows.filter(row => row.owner === team)
    : report.rows;
  return (
    <>
      {report.notes.map(note => (
        <Grid item key={note}>
          <Typography variant="body2" color="textSecondary">
            {note}
          </Typography>
        </Grid>
      ))}
      {monthsNewestFirst(report.from, report.to).map(month => (
        <Grid item key={month}>
          <ShowbackMonthTable
            month={month}
            rows={rows.filter(row => row.month === month)}
            allRows={report.rows.filter(row => row.month === month)}
            totals={report.totals.filter(total => total.month === month)}
            sort={sort}
            onSort={onSort}
            emptyText={
              team
                ? `No spend of ${ownerLabel(team)} in this month.`
                : 'No spend recorded in this month.'
            }
          />
        </Grid>
      ))}
    </>
  );
}

/** The owners a user can filter by: the report's, without unallocated spend, and the one chosen, sorted by name. */
function teamsOf(report: ShowbackReport | undefined, chosen: string): string[] {
  const owners = new Set(report?.rows.map(row => row.owner));
  owners.delete(UNALLOCATED_OWNER);
  if (chosen) owners.add(chosen);
  return [...owners].sort((a, b) => ownerLabel(a).localeCompare(ownerLabel(b)));
}
