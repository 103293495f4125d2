import crypto from 'node:crypto';
import { AzureSubscription } from '@azure-tenant/plugin-azure-tenant-common';
import { durationToMilliseconds } from '@backstage/types';
import { stopsSync } from '../../azure/accessProblems';
import { ChangeFeedCursor } from '../../database/ResourceStore';
import { SyncConfig } from '../SyncConfig';

/**
 * Azure keeps resource changes for 14 days (Microsoft Learn, "Get resource changes": "Resource Graph ... stores
 * changes for 14 days"). A cursor older than 13 days is listed in full instead, a day short of it, so that a run
 * never asks for changes Azure may already have dropped.
 */
export const CHANGE_FEED_MAX_AGE_MS = 13 * 24 * 60 * 60 * 1000;

/** Why a subscription is listed in full rather than brought up to date from the change feed. */
export type FullListingReason =
  | 'change-feed-disabled'
  | 'sync-mode-none'
  | 'no-cursor'
  | 'cursor-too-old'
  | 'reconcile-due'
  | 'sync-requested'
  | 'settings-changed'
  | 'access-problem';

/** How a subscription is synced in one run. */
export type SubscriptionSyncPlan =
  | { kind: 'full'; reason: FullListingReason }
  | { kind: 'incremental'; cursor: ChangeFeedCursor };

/**
 * What decides the contents of a full listing (the sync mode, the type filters), as a short fingerprint kept with the
 * cursor: when it changes, the stored resources are not what the feed's changes apply to, and a full listing is due.
 */
export function listingSettings(
  syncMode: AzureSubscription['syncMode'],
  config: Pick<SyncConfig, 'includeTypes' | 'excludeTypes'>,
): string {
  const types = JSON.stringify([
    [...config.includeTypes].sort(),
    [...config.excludeTypes].sort(),
  ]);
  return `${syncMode}:${crypto.hash('sha256', types, 'base64url')}`;
}

/**
 * Plans one subscription's sync at `azureNowMs` (Azure's time, from its `Date` header, or the best estimate of it):
 * a full listing when the change feed is off, under sync mode `none`, without a cursor, with a cursor older than Azure
 * keeps changes, when the last full listing is older than `reconcileInterval`, when someone asked for a sync, when the
 * sync mode or type filters changed since the last full listing, or while an access problem that stops syncs is
 * recorded (Resource Graph leaves out a subscription it may not read instead of refusing it: only a listing tells
 * when access is back). Else from the feed.
 */
export function planSubscriptionSync(
  subscription: AzureSubscription,
  cursor: ChangeFeedCursor | undefined,
  config: SyncConfig,
  azureNowMs: number,
): SubscriptionSyncPlan {
  const full = (reason: FullListingReason) => ({
    kind: 'full' as const,
    reason,
  });
  if (!config.changeFeed.enabled) return full('change-feed-disabled');
  if (subscription.syncMode === 'none') return full('sync-mode-none');
  if (subscription.syncRequestedAt) return full('sync-requested');
  if (subscription.access && stopsSync(subscription.access.problem)) {
    return full('access-problem');
  }
  if (!cursor) return full('no-cursor');
  if (
    cursor.fullListingSettings !==
    listingSettings(subscription.syncMode, config)
  ) {
    return full('settings-changed');
  }
  const cursorMs = Date.parse(cursor.cursor);
  if (!(azureNowMs - cursorMs < CHANGE_FEED_MAX_AGE_MS)) {
    return full('cursor-too-old');
  }
  const listedMs = Date.parse(cursor.fullListingAt);
  if (
    !(azureNowMs - listedMs < durationToMilliseconds(config.reconcileInterval))
  ) {
    return full('reconcile-due');
  }
  return { kind: 'incremental', cursor };
}
