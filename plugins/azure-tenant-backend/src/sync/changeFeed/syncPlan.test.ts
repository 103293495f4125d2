import { ConfigReader } from '@backstage/config';
import { AzureSubscription } from '@azure-tenant/plugin-azure-tenant-common';
import { ChangeFeedCursor } from '../../database/ResourceStore';
import { readSyncConfig } from '../SyncConfig';
import { armResourceTypeOfId } from './armResourceType';
import { listingSettings, planSubscriptionSync } from './syncPlan';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-12-06T12:00:00.000Z');
const config = readSyncConfig(new ConfigReader({}));

const subscription: AzureSubscription = {
  subscriptionId: '3f8c2a41-6d7e-4b59-9c1a-2e5f7d8b9a01',
  tenantId: '11111111-2222-3333-4444-555555555555',
  displayName: 'Platform',
  syncMode: 'read-write-tags',
  roleStatus: 'granted',
  grantedRoles: ['Reader'],
  source: 'config',
};

function cursorAt(
  cursorAgoMs: number,
  listedAgoMs = cursorAgoMs,
  settings = listingSettings('read-write-tags', config),
): ChangeFeedCursor {
  return {
    subscriptionId: subscription.subscriptionId,
    cursor: new Date(NOW - cursorAgoMs).toISOString(),
    fullListingAt: new Date(NOW - listedAgoMs).toISOString(),
    fullListingSettings: settings,
  };
}

describe('planSubscriptionSync', () => {
  it('reads the feed between full listings', () => {
    expect(
      planSubscriptionSync(subscription, cursorAt(HOUR), config, NOW),
    ).toMatchObject({ kind: 'incremental' });
  });

  it.each([
    ['no-cursor', subscription, undefined, config],
    ['cursor-too-old', subscription, cursorAt(13 * DAY + 1, HOUR), config],
    ['reconcile-due', subscription, cursorAt(HOUR, 24 * HOUR), config],
    [
      'sync-requested',
      { ...subscription, syncRequestedAt: new Date(NOW).toISOString() },
      cursorAt(HOUR),
      config,
    ],
    [
      'settings-changed',
      { ...subscription, syncMode: 'no-tags' as const },
      cursorAt(HOUR),
      config,
    ],
    [
      'settings-changed',
      subscription,
      cursorAt(HOUR),
      readSyncConfig(
        new ConfigReader({
          azureTenant: {
            sync: { resourceTypes: { exclude: ['Microsoft.Web/sites'] } },
          },
        }),
      ),
    ],
    [
      'sync-mode-none',
      { ...subscription, syncMode: 'none' as const },
      cursorAt(HOUR, HOUR, listingSettings('none', config)),
      config,
    ],
    [
      'access-problem',
      {
        ...subscription,
        access: {
          problem: 'read-denied' as const,
          action: 'reconnect' as const,
          message: 'Reader was removed',
          since: new Date(NOW).toISOString(),
          checkedAt: new Date(NOW).toISOString(),
        },
      },
      cursorAt(HOUR),
      config,
    ],
    [
      'change-feed-disabled',
      subscription,
      cursorAt(HOUR),
      readSyncConfig(
        new ConfigReader({
          azureTenant: { sync: { changeFeed: { enabled: false } } },
        }),
      ),
    ],
  ])('lists in full: %s', (reason, s, cursor, c) => {
    expect(planSubscriptionSync(s, cursor, c, NOW)).toEqual({
      kind: 'full',
      reason,
    });
  });

  it('keeps reading the feed while only tag writes are refused', () => {
    expect(
      planSubscriptionSync(
        {
          ...subscription,
          access: {
            problem: 'tag-write-denied',
            action: 'reconnect',
            message: 'Tag Contributor was removed',
            since: new Date(NOW).toISOString(),
            checkedAt: new Date(NOW).toISOString(),
          },
        },
        cursorAt(HOUR),
        config,
        NOW,
      ),
    ).toMatchObject({ kind: 'incremental' });
  });
});

describe('readSyncConfig: reconcileInterval and changeFeed', () => {
  const read = (sync: object) =>
    readSyncConfig(new ConfigReader({ azureTenant: { sync } }));

  it('defaults to a daily reconcile and a 5-minute overlap', () => {
    expect(read({})).toMatchObject({
      reconcileInterval: { hours: 24 },
      changeFeed: { enabled: true, overlap: { minutes: 5 } },
    });
  });

  it('refuses a reconcile more often than the sync, naming the key', () => {
    expect(() => read({ frequency: '2h', reconcileInterval: '1h' })).toThrow(
      /azureTenant\.sync\.reconcileInterval/,
    );
    expect(() => read({ changeFeed: { overlap: '2h' } })).toThrow(
      /azureTenant\.sync\.changeFeed\.overlap/,
    );
    expect(() => read({ changeFeed: { enabled: 'sometimes' } })).toThrow(
      /azureTenant\.sync\.changeFeed\.enabled/,
    );
  });
});

describe('armResourceTypeOfId', () => {
  it.each([
    [
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1',
      'Microsoft.Compute/virtualMachines',
    ],
    [
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/s1/databases/db1',
      'Microsoft.Sql/servers/databases',
    ],
    [
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1/providers/Microsoft.Insights/diagnosticSettings/d',
      'Microsoft.Insights/diagnosticSettings',
    ],
    ['/subscriptions/s/resourceGroups/rg', undefined],
  ])('%s is %s', (id, type) => {
    expect(armResourceTypeOfId(id)).toBe(type);
  });
});
