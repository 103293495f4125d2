import Typography from '@material-ui/core/Typography';
import { Table, TableColumn } from '@backstage/core-components';
import {
  SpendGroup,
  SpendGroupBy,
  SpendSeries,
} from '@azure-tenant/plugin-azure-tenant-common';
import { SpendChange } from '../SpendChange';
import { formatCurrency, formatShare, groupChange } from './spendFormat';
import { SpendGroupName, spendGroupsNoun } from './spendGroups';

/** The top groups of one currency with their total, their share of the total and their trend. */
export function SpendGroupsTable(props: {
  series: SpendSeries;
  groupBy: SpendGroupBy;
  /** The grouping's column heading, e.g. `Resource group`. */
  groupByLabel: string;
}) {
  const { series, groupBy, groupByLabel } = props;
  const columns: TableColumn<SpendGroup>[] = [
    {
      title: groupByLabel,
      field: 'key',
      highlight: true,
      render: group => <SpendGroupName groupBy={groupBy} group={group.key} />,
    },
    {
      title: 'Total',
      field: 'total',
      type: 'numeric',
      render: group => formatCurrency(group.total, series.currency),
    },
    {
      title: 'Share',
      field: 'share',
      type: 'numeric',
      render: group => formatShare(group.share),
    },
    {
      title: 'Trend',
      sorting: false,
      render: group => <GroupTrend group={group} currency={series.currency} />,
    },
  ];
  return (
    <Table<SpendGroup>
      title={`Top ${spendGroupsNoun(groupBy)} (${series.currency})`}
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={columns}
      data={series.groups.map(group => ({ ...group }))}
    />
  );
}

function GroupTrend(props: { group: SpendGroup; currency: string }) {
  const { group, currency } = props;
  if (group.previousTotal === 0 && group.total > 0) {
    return (
      <Typography variant="body2">
        New (nothing spent in the previous period)
      </Typography>
    );
  }
  const change = groupChange(group);
  if (change === undefined) {
    return <SpendChange />;
  }
  return (
    <span
      title={`Previous period: ${formatCurrency(
        group.previousTotal!,
        currency,
      )}`}
    >
      <SpendChange change={change} />
    </span>
  );
}
