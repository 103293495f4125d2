import { CHANGE_RETENTION_MS, ChangeLog, portalActor } from './ChangeLog';
import { EmulatorState } from './EmulatorState';
import { generateTenant } from './generatedTenant';

const DAY_MS = 86_400_000;

function change(log: ChangeLog, targetResourceId: string, timestampMs: number) {
  return log.append({
    subscriptionId: 's1',
    targetResourceId,
    targetResourceType: 'Microsoft.Storage/storageAccounts',
    changeType: 'Update',
    timestampMs,
    operation: 'Microsoft.Resources/tags/write',
    actor: portalActor(),
    changes: {},
  });
}

describe('ChangeLog', () => {
  it('keeps changes 14 days by the clock it is given, dropping older ones when read', () => {
    let now = Date.UTC(2026, 11, 1);
    const log = new ChangeLog(() => now);
    change(log, '/subscriptions/s1/a', now - CHANGE_RETENTION_MS + 1000);
    change(log, '/subscriptions/s1/b', now - DAY_MS);
    expect(log.since(0).map(e => e.change.properties.targetResourceId)).toEqual(
      ['/subscriptions/s1/a', '/subscriptions/s1/b'],
    );
    now += 2000;
    expect(log.since(0).map(e => e.change.properties.targetResourceId)).toEqual(
      ['/subscriptions/s1/b'],
    );
    expect(log.size).toBe(1);
  });

  it('names the previous snapshot of a target as the one its last change made', () => {
    const now = Date.UTC(2026, 11, 1);
    const log = new ChangeLog(() => now);
    const first = change(log, '/subscriptions/s1/a', now);
    const second = change(log, '/subscriptions/s1/A', now);
    expect(second.properties.changeAttributes.previousResourceSnapshotId).toBe(
      first.properties.changeAttributes.newResourceSnapshotId,
    );
    // Within one millisecond, change ids sort in the order of the writes (`order by changeTime, changeId`).
    expect(first.name < second.name).toBe(true);
  });
});

describe('a subscription of a generated tenant', () => {
  it('logs only the writes made, never its lazily generated resources', () => {
    const { fixture, lazyResources } = generateTenant({
      subscriptions: 1,
      resources: 50_000,
      days: 1,
      seed: 7,
    });
    const state = EmulatorState.fromFixture(fixture, { lazyResources });
    const [subscription] = [...state.subscriptions.values()];
    expect(subscription.changes.resources.size).toBe(0);
    const resource = subscription.resources.entries().next().value!;
    subscription.resources.put({
      ...resource,
      tags: { ...resource.tags, reviewedBy: 'ops' },
      changedTime: new Date().toISOString(),
    });
    subscription.resources.delete(resource.id, { omitFromChangeFeed: true });
    const logged = subscription.changes.resources.since(0);
    expect(logged).toHaveLength(1);
    expect(logged[0].change.properties).toMatchObject({
      targetResourceId: resource.id,
      targetResourceType: resource.type.toLowerCase(),
      changeType: 'Update',
      changes: {
        'tags.reviewedBy': {
          previousValue: 'null',
          newValue: 'ops',
          changeCategory: 'User',
          propertyChangeType: 'Insert',
        },
      },
    });
  });
});
