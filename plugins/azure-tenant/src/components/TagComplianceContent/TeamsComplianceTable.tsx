import Typography from '@material-ui/core/Typography';
import { Progress, Table, TableColumn } from '@backstage/core-components';
import {
  TagComplianceFigure,
  TagComplianceTeams,
} from '@azure-tenant/plugin-azure-tenant-common';
import { TagComplianceState } from '../../hooks/useTagComplianceTeams';
import { InlineError } from '../InlineError';
import { ShowbackOwner, ownerLabel } from '../ShowbackContent/showbackOwners';
import { ComplianceChange } from './ComplianceTrend';
import { percentChange, percentText } from './complianceText';

/** The row of the resources nobody owns. */
const UNOWNED = 'unowned';

interface TeamRow {
  id: string;
  ownerRef?: string;
  owner: string;
  figure: TagComplianceFigure;
  // Sort keys: a team with nothing evaluated sorts below 0%, one without a trend below any change.
  percent: number;
  nonCompliant: number;
  resources: number;
  change: number;
}

const columns: TableColumn<TeamRow>[] = [
  {
    title: 'Owner',
    field: 'owner',
    highlight: true,
    render: ({ ownerRef }) =>
      ownerRef ? (
        <ShowbackOwner owner={ownerRef} />
      ) : (
        <>
          <Typography variant="body2">Unowned</Typography>
          <Typography variant="caption" color="textSecondary">
            Resources whose owner tag names no catalog group or user
          </Typography>
        </>
      ),
  },
  {
    title: 'Compliant',
    field: 'percent',
    type: 'numeric',
    render: ({ figure }) => percentText(figure),
  },
  {
    title: 'Non-compliant',
    field: 'nonCompliant',
    type: 'numeric',
    render: ({ figure }) => figure.nonCompliant.toLocaleString(),
  },
  {
    title: 'Resources',
    field: 'resources',
    type: 'numeric',
    render: ({ figure }) => figure.resources.toLocaleString(),
  },
  {
    title: 'Trend',
    field: 'change',
    type: 'numeric',
    render: ({ change }) => (
      <ComplianceChange
        change={Number.isFinite(change) ? change : undefined}
        against="a week ago"
      />
    ),
  },
];

function rowsOf(teams: TagComplianceTeams): TeamRow[] {
  const row = (
    id: string,
    figure: TagComplianceFigure,
    weekAgo: TagComplianceFigure | undefined,
    ownerRef?: string,
  ): TeamRow => ({
    id,
    ownerRef,
    owner: ownerRef ? ownerLabel(ownerRef) : 'Unowned',
    figure,
    percent: figure.percent ?? -1,
    nonCompliant: figure.nonCompliant,
    resources: figure.resources,
    change: percentChange(figure, weekAgo) ?? -Infinity,
  });
  const rows = teams.teams.map(team =>
    row(team.ownerRef, team.current, team.weekAgo, team.ownerRef),
  );
  if (teams.unowned.resources > 0 || teams.unowned.unknown > 0) {
    rows.push(row(UNOWNED, teams.unowned, undefined));
  }
  return rows;
}

/**
 * Each team's compliance (the resources its catalog entities own), with its trend against a week ago, and the
 * resources nobody owns; sortable by each column, each team linking to its page.
 */
export function TeamsComplianceTable(props: {
  teams: TagComplianceState<TagComplianceTeams>;
}) {
  const { error, value } = props.teams;
  if (error) {
    return (
      <InlineError
        title="Could not load the compliance of teams"
        error={error}
      />
    );
  }
  if (!value) {
    return <Progress />;
  }
  const rows = rowsOf(value);
  return (
    <Table<TeamRow>
      title="Teams"
      subtitle="Each team's resources, with the change of their compliant share since a week ago"
      columns={columns}
      data={rows}
      options={{
        paging: rows.length > 20,
        pageSize: 20,
        search: rows.length > 5,
        padding: 'dense',
      }}
      emptyContent={
        <Typography variant="body2" style={{ padding: 16 }}>
          No resource has an owner yet.
        </Typography>
      }
    />
  );
}
