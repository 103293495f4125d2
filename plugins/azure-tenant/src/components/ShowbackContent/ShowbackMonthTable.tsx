import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TableSortLabel from '@material-ui/core/TableSortLabel';
import Typography from '@material-ui/core/Typography';
import { InfoCard } from '@backstage/core-components';
import {
  ShowbackReport,
  ShowbackRow,
} from '@azure-tenant/plugin-azure-tenant-common';
import { formatCurrency, formatShare } from '../SpendContent/spendFormat';
import { formatMonth } from './showbackMonths';
import { ShowbackOwner, ownerLabel } from './showbackOwners';

/** How the rows of each month and currency are ordered. */
export interface ShowbackSort {
  by: 'amount' | 'owner';
  direction: 'asc' | 'desc';
}

type ShowbackTotal = ShowbackReport['totals'][number];

/**
 * One month's showback: for each currency apart (amounts are never added across currencies), the owners' rows in the
 * chosen order and the month's total in that currency, when the user may see it.
 */
export function ShowbackMonthTable(props: {
  month: string;
  /** The rows to list: the month's, after the team filter. */
  rows: ShowbackRow[];
  /** Every row of the month, for the resource count of the total. */
  allRows: ShowbackRow[];
  totals: ShowbackTotal[];
  sort: ShowbackSort;
  onSort: (sort: ShowbackSort) => void;
  /** What to say when there are no rows. */
  emptyText: string;
}) {
  const { month, rows, allRows, totals, sort, onSort, emptyText } = props;
  const currencies = [
    ...new Set([
      ...rows.map(row => row.currency),
      ...totals.map(total => total.currency),
    ]),
  ].sort();
  const title = formatMonth(month);

  const sortBy = (by: ShowbackSort['by']) => {
    if (sort.by === by) {
      onSort({ by, direction: sort.direction === 'asc' ? 'desc' : 'asc' });
    } else {
      // Largest spend first, names from A.
      onSort({ by, direction: by === 'amount' ? 'desc' : 'asc' });
    }
  };

  return (
    <section aria-label={`Showback for ${title}`}>
      <InfoCard title={title} noPadding>
        <Table size="small" aria-label={`Spend per owner in ${title}`}>
          <TableHead>
            <TableRow>
              <TableCell
                sortDirection={sort.by === 'owner' ? sort.direction : false}
              >
                <TableSortLabel
                  active={sort.by === 'owner'}
                  direction={sort.by === 'owner' ? sort.direction : 'asc'}
                  onClick={() => sortBy('owner')}
                >
                  Owner
                </TableSortLabel>
              </TableCell>
              <TableCell
                align="right"
                sortDirection={sort.by === 'amount' ? sort.direction : false}
              >
                <TableSortLabel
                  active={sort.by === 'amount'}
                  direction={sort.by === 'amount' ? sort.direction : 'desc'}
                  onClick={() => sortBy('amount')}
                >
                  Amount
                </TableSortLabel>
              </TableCell>
              <TableCell align="right">Share of the month</TableCell>
              <TableCell align="right">Resources</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.length === 0 && (
              <TableRow>
                <TableCell colSpan={4}>
                  <Typography variant="body2" color="textSecondary">
                    {emptyText}
                  </Typography>
                </TableCell>
              </TableRow>
            )}
            {currencies.map(currency => (
              <CurrencyRows
                key={currency}
                currency={currency}
                rows={sortRows(
                  rows.filter(row => row.currency === currency),
                  sort,
                )}
                allRows={allRows.filter(row => row.currency === currency)}
                total={totals.find(t => t.currency === currency)}
                showCurrency={currencies.length > 1}
              />
            ))}
          </TableBody>
        </Table>
      </InfoCard>
    </section>
  );
}

function CurrencyRows(props: {
  currency: string;
  rows: ShowbackRow[];
  allRows: ShowbackRow[];
  total?: ShowbackTotal;
  showCurrency: boolean;
}) {
  const { currency, rows, allRows, total, showCurrency } = props;
  const share = (amount: number) =>
    total && total.amount > 0 ? formatShare(amount / total.amount) : '—';
  return (
    <>
      {showCurrency && (
        <TableRow>
          <TableCell colSpan={4}>
            <Typography variant="overline" color="textSecondary">
              In {currency}
            </Typography>
          </TableCell>
        </TableRow>
      )}
      {rows.map(row => (
        <TableRow key={row.owner}>
          <TableCell>
            <ShowbackOwner owner={row.owner} />
          </TableCell>
          <TableCell align="right">
            {formatCurrency(row.amount, currency)}
          </TableCell>
          <TableCell align="right">{share(row.amount)}</TableCell>
          <TableCell align="right">{row.resourceCount}</TableCell>
        </TableRow>
      ))}
      {total && (
        <TableRow>
          <TableCell>
            <strong>Total in {currency}</strong>
          </TableCell>
          <TableCell align="right">
            <strong>{formatCurrency(total.amount, currency)}</strong>
          </TableCell>
          <TableCell align="right">{share(total.amount)}</TableCell>
          <TableCell align="right">
            {allRows.reduce((count, row) => count + row.resourceCount, 0)}
          </TableCell>
        </TableRow>
      )}
    </>
  );
}

function sortRows(rows: ShowbackRow[], sort: ShowbackSort): ShowbackRow[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) =>
    sort.by === 'amount'
      ? sign * (a.amount - b.amount) ||
        ownerLabel(a.owner).localeCompare(ownerLabel(b.owner))
      : sign * ownerLabel(a.owner).localeCompare(ownerLabel(b.owner)),
  );
}
