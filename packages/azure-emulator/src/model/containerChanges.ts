import {
  ChangeType,
  ChangeWriteOptions,
  PropertyChange,
  portalActor,
  propertyChange,
  tagChanges,
} from './ChangeLog';
import { ResourceGroupState, SubscriptionState } from './EmulatorState';

/**
 * A subscription's own properties that Resource Graph's `resourcecontainerchanges` tracks: its tags, state and
 * name.
 */
export interface SubscriptionSnapshot {
  tags: Record<string, string>;
  state: string;
  displayName: string;
}

/** What a subscription looks like now, to compare with after a write. */
export function subscriptionSnapshot(
  subscription: SubscriptionState,
): SubscriptionSnapshot {
  return {
    tags: { ...subscription.tags },
    state: subscription.state,
    displayName: subscription.displayName,
  };
}

/**
 * Records a change of the subscription itself in `resourcecontainerchanges` (an `Update`: its tags, state or name),
 * comparing it with what it was before the write. Nothing is recorded when the write changed nothing.
 */
export function recordSubscriptionChange(
  subscription: SubscriptionState,
  before: SubscriptionSnapshot,
  options: ChangeWriteOptions & { operation: string },
): void {
  if (options.omitFromChangeFeed) return;
  const changes: Record<string, PropertyChange> = {
    ...tagChanges(before.tags, subscription.tags),
    ...propertyChange('properties.state', before.state, subscription.state),
    ...propertyChange(
      'properties.displayName',
      before.displayName,
      subscription.displayName,
    ),
  };
  if (Object.keys(changes).length === 0) return;
  const log = subscription.changes.containers;
  log.append({
    subscriptionId: subscription.subscriptionId,
    targetResourceId: `/subscriptions/${subscription.subscriptionId}`,
    targetResourceType: 'Microsoft.Resources/subscriptions',
    changeType: 'Update',
    timestampMs: log.now(),
    operation: options.operation,
    actor: options.actor ?? portalActor(),
    changes,
  });
}

/**
 * Records a resource group's `Create`, `Update` (tags) or `Delete` in `resourcecontainerchanges`. An `Update` that
 * changed nothing is not recorded.
 */
export function recordResourceGroupChange(
  subscription: SubscriptionState,
  changeType: ChangeType,
  group: ResourceGroupState,
  options: ChangeWriteOptions & {
    operation: string;
    /** For an `Update`: the tags before the write. */
    tagsBefore?: Record<string, string>;
  },
): void {
  if (options.omitFromChangeFeed) return;
  const changes =
    changeType === 'Update'
      ? tagChanges(options.tagsBefore ?? {}, group.tags)
      : {};
  if (changeType === 'Update' && Object.keys(changes).length === 0) return;
  const log = subscription.changes.containers;
  log.append({
    subscriptionId: subscription.subscriptionId,
    targetResourceId: `/subscriptions/${subscription.subscriptionId}/resourceGroups/${group.name}`,
    targetResourceType: 'Microsoft.Resources/subscriptions/resourceGroups',
    changeType,
    timestampMs: log.now(),
    operation: options.operation,
    actor: options.actor ?? portalActor(),
    changes,
  });
}
