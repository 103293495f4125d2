import Tooltip from '@material-ui/core/Tooltip';
import { SpendGroupBy } from '@azure-tenant/plugin-azure-tenant-common';

const TAG_PREFIX = 'tag:';

const groupNouns: Record<Exclude<SpendGroupBy, `tag:${string}`>, string> = {
  service: 'services',
  resourceGroup: 'resource groups',
  resource: 'resources',
  location: 'locations',
};

/**
 * What the groups of a grouping are called in a sentence or heading, e.g. `resource groups` or
 * `values of tag cost-center`: "Top resource groups", not "Top resource group groups".
 */
export function spendGroupsNoun(groupBy: SpendGroupBy): string {
  if (groupBy.startsWith(TAG_PREFIX)) {
    return `values of tag ${groupBy.slice(TAG_PREFIX.length)}`;
  }
  return groupNouns[groupBy as keyof typeof groupNouns];
}

// The keys the backend gives the groups that are not one service, resource, etc.
const specialGroupNames: Record<string, string> = {
  other: 'Other',
  untagged: 'Untagged',
  unassigned: 'Unassigned',
};

/**
 * The name a group is shown by. A resource's key is its ARM id, which is too long to read and starts the same for
 * every resource of a subscription, so it is shown by its name, the id's last segment.
 */
export function spendGroupName(groupBy: SpendGroupBy, key: string): string {
  if (specialGroupNames[key]) {
    return specialGroupNames[key];
  }
  if (groupBy === 'resource' && key.startsWith('/')) {
    return key.split('/').filter(Boolean).pop() ?? key;
  }
  return key;
}

/** A group's name, with the full key (a resource's ARM id) in a tooltip where the name is shorter. */
export function SpendGroupName(props: {
  groupBy: SpendGroupBy;
  group: string;
}) {
  const { groupBy, group } = props;
  const name = spendGroupName(groupBy, group);
  if (name === group || groupBy !== 'resource') {
    return <>{name}</>;
  }
  return (
    <Tooltip title={group}>
      <span>{name}</span>
    </Tooltip>
  );
}
