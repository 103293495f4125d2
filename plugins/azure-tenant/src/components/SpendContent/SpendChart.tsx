import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import {
  SpendGranularity,
  SpendGroupBy,
  SpendSeries,
} from '@azure-tenant/plugin-azure-tenant-common';
import { formatCurrency } from './spendFormat';
import { spendGroupName } from './spendGroups';

// Distinguishable colours, in the order of the groups (largest first); `other` is grey so it reads as the rest.
const GROUP_COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#bcbd22',
  '#17becf',
  '#393b79',
];
const OTHER_COLOR = '#9e9e9e';

/** The group keys of a series: its groups in their order, then any key that only appears in the points. */
export function seriesGroupKeys(series: SpendSeries): string[] {
  const keys = series.groups.map(group => group.key);
  for (const point of series.points) {
    for (const key of Object.keys(point.amounts)) {
      if (!keys.includes(key)) keys.push(key);
    }
  }
  return keys;
}

/**
 * A stacked bar chart of one currency: one bar per day or month, one segment per group. A group without an amount in
 * a bucket has no segment there (it is not drawn as zero).
 */
export function SpendChart(props: {
  series: SpendSeries;
  granularity: SpendGranularity;
  groupBy: SpendGroupBy;
  groupByLabel: string;
  height?: number;
}) {
  const { series, granularity, groupBy, groupByLabel, height = 320 } = props;
  const keys = seriesGroupKeys(series);
  // The amounts are keyed by index, so that a group key such as `a.b` is not read as a path by recharts.
  const data = series.points.map(point => {
    const row: Record<string, string | number> = { date: point.date };
    keys.forEach((key, index) => {
      const amount = point.amounts[key];
      if (amount !== undefined) row[`g${index}`] = amount;
    });
    return row;
  });
  let colorIndex = 0;
  const colors = keys.map(key =>
    key === 'other'
      ? OTHER_COLOR
      : GROUP_COLORS[colorIndex++ % GROUP_COLORS.length],
  );
  const format = (value: number) => formatCurrency(value, series.currency);

  return (
    <div
      role="img"
      aria-label={`${granularity === 'day' ? 'Daily' : 'Monthly'} spend in ${
        series.currency
      } by ${groupByLabel.toLocaleLowerCase()}`}
    >
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={data} margin={{ top: 8, right: 16, left: 16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="date" />
          <YAxis tickFormatter={format} width={96} />
          <Tooltip
            formatter={(value: unknown) =>
              typeof value === 'number' ? format(value) : String(value)
            }
          />
          <Legend />
          {keys.map((key, index) => (
            <Bar
              key={key}
              dataKey={`g${index}`}
              name={spendGroupName(groupBy, key)}
              stackId="spend"
              fill={colors[index]}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
