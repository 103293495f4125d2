import { useMemo } from 'react';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { InfoCard } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  MissingAnnotationEmptyState,
  entityRouteParams,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  SpendGroupBy,
  SpendSeries,
} from '@azure-tenant/plugin-azure-tenant-common';
import { useSpend } from '../../hooks/useSpend';
import {
  isAzureResourceEntity,
  isAzureSubscriptionEntity,
  requiredSpendAnnotation,
  spendTargetOf,
} from '../../spendTarget';
import { SpendChange } from '../SpendChange';
import { SpendState } from '../SpendState';
import { formatCurrency, formatShare } from '../SpendContent/spendFormat';
import { SpendGroupName, spendGroupsNoun } from '../SpendContent/spendGroups';
import { catalogEntityRouteRef } from '../../routes';
import { spendDateRange } from '../SpendContent/spendPeriods';

const TOP_GROUPS = 3;

/**
 * Options of the Spend card.
 *
 * @public
 */
export interface SpendCardProps {
  /**
   * The path of the Spend tab on the entity page, relative to it, for the card's link. Set it to `false` where the
   * entity has no Spend tab. Defaults to `spend` for subscription and resource entities, and no link for others.
   */
  spendTabPath?: string | false;
}

/**
 * A compact view of the last 30 days of spend: the total and its change per currency, and the top three groups. For
 * a resource, grouped by service; for a group or user, by the resources it owns.
 */
export function SpendCard(props: SpendCardProps) {
  const { entity } = useEntity();
  const target = spendTargetOf(entity);
  const today = useMemo(() => new Date(), []);
  const { from, to } = spendDateRange('last30', today);
  const groupBy: SpendGroupBy = target?.entityRef ? 'resource' : 'service';
  const state = useSpend(
    target && {
      ...target,
      from,
      to,
      granularity: 'day',
      groupBy,
      top: TOP_GROUPS,
    },
  );
  const tabLink = useSpendTabLink(entity, props.spendTabPath);

  return (
    <InfoCard
      title="Spend"
      subheader="Last 30 days"
      deepLink={tabLink ? { title: 'View spend', link: tabLink } : undefined}
    >
      {target ? (
        <SpendState state={state} compact>
          {report => (
            <>
              {report.series.map(series => (
                <SpendCardSeries
                  key={series.currency}
                  series={series}
                  groupBy={groupBy}
                />
              ))}
              {report.notes.map(note => (
                <Typography key={note} variant="body2" color="textSecondary">
                  {note}
                </Typography>
              ))}
            </>
          )}
        </SpendState>
      ) : (
        <MissingAnnotationEmptyState
          annotation={requiredSpendAnnotation(entity)}
        />
      )}
    </InfoCard>
  );
}

function SpendCardSeries(props: {
  series: SpendSeries;
  groupBy: SpendGroupBy;
}) {
  const { series, groupBy } = props;
  const groupsNoun = spendGroupsNoun(groupBy);
  const top = series.groups.slice(0, TOP_GROUPS);
  return (
    <section aria-label={`Spend in ${series.currency}`}>
      <Box mb={2}>
        <Typography variant="h5" component="p">
          {formatCurrency(series.total, series.currency)}
        </Typography>
        <SpendChange change={series.change} />
        {series.forecast && (
          <Typography variant="body2" color="textSecondary">
            Forecast for the month:{' '}
            {formatCurrency(series.forecast.monthEnd, series.currency)}
          </Typography>
        )}
        {top.length > 0 && (
          <>
            <Typography variant="overline" color="textSecondary">
              Top {groupsNoun}
            </Typography>
            <List
              dense
              disablePadding
              aria-label={`Top ${groupsNoun} in ${series.currency}`}
            >
              {top.map(group => (
                <ListItem key={group.key} disableGutters>
                  <ListItemText
                    primary={
                      <SpendGroupName groupBy={groupBy} group={group.key} />
                    }
                    secondary={`${formatCurrency(
                      group.total,
                      series.currency,
                    )} · ${formatShare(group.share)}`}
                  />
                </ListItem>
              ))}
            </List>
          </>
        )}
      </Box>
    </section>
  );
}

/** The link to the entity's Spend tab, or `undefined` where it has none or the app has no entity page bound. */
function useSpendTabLink(
  entity: Entity,
  spendTabPath: string | false | undefined,
): string | undefined {
  // Optional: unbound (an app without the catalog's entity page) it is `undefined`, and the card has no link.
  const entityRoute = useRouteRef(catalogEntityRouteRef);
  const hasTab =
    isAzureSubscriptionEntity(entity) || isAzureResourceEntity(entity);
  const path = spendTabPath ?? (hasTab ? 'spend' : false);
  if (!path || !entityRoute) {
    return undefined;
  }
  return `${entityRoute(entityRouteParams(entity))}/${path.replace(/^\//, '')}`;
}
