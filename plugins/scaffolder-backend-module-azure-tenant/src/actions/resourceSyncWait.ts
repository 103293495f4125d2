import { LoggerService } from '@backstage/backend-plugin-api';
import type { AzureTenantClient } from '@azure-tenant/plugin-azure-tenant-node';
import { ApiFailure, apiFailure } from './apiErrors';

const SUBSCRIPTION_OF_RESOURCE = /^\/subscriptions\/([^/]+)\//i;

/** The subscription id in a resource id, in lower case; empty when it names none. */
export function subscriptionOfResource(resourceId: string): string {
  return SUBSCRIPTION_OF_RESOURCE.exec(resourceId)?.[1]?.toLowerCase() ?? '';
}

/** Options of {@link waitForSyncedResources}. */
export interface SyncWaitOptions {
  /** The client, acting for the template's initiator. */
  client: AzureTenantClient;
  /** Resources the plugin does not know yet (a 404 from it). */
  resourceIds: string[];
  /** How long to wait in all. */
  timeoutMs: number;
  /** How long to wait between two looks at the plugin's state. */
  pollIntervalMs: number;
  logger: LoggerService;
  /** The task's signal: a cancelled task stops waiting. */
  signal?: AbortSignal;
}

/** What {@link waitForSyncedResources} saw. */
export interface SyncWaitResult {
  /** Resources that the plugin knows now. */
  known: string[];
  /** Resources that it does not, each with why. */
  failures: Map<string, ApiFailure>;
}

interface SubscriptionWait {
  subscriptionId: string;
  resourceIds: string[];
  /** When the plugin recorded the sync this action asked for; absent when it could not ask. */
  requestedAt?: string;
  /** Why the sync could not be requested, for the message when the wait ends without the resource. */
  refusal?: ApiFailure;
}

/**
 * A template that creates Azure resources runs before the plugin's next sync has read them. This asks for a sync of
 * each of their subscriptions, as the template's initiator (so `azure-tenant.subscription.sync` decides, as for
 * *Sync now*), and waits until the plugin knows each resource, or its subscription's sync has finished without it,
 * or the time is up. A sync that may not be requested is not an error by itself: the scheduled sync may still come
 * in time.
 */
export async function waitForSyncedResources(
  options: SyncWaitOptions,
): Promise<SyncWaitResult> {
  const { client, timeoutMs, pollIntervalMs, logger, signal } = options;
  const known: string[] = [];
  const failures = new Map<string, ApiFailure>();
  const deadline = Date.now() + timeoutMs;

  const waits = new Map<string, SubscriptionWait>();
  for (const resourceId of options.resourceIds) {
    const subscriptionId = subscriptionOfResource(resourceId);
    const wait = waits.get(subscriptionId) ?? {
      subscriptionId,
      resourceIds: [],
    };
    wait.resourceIds.push(resourceId);
    waits.set(subscriptionId, wait);
  }

  for (const wait of waits.values()) {
    try {
      const { syncRequestedAt } = await client.requestSync({
        path: { subscriptionId: wait.subscriptionId },
      });
      wait.requestedAt = syncRequestedAt;
      logger.info(
        `Requested a sync of subscription ${
          wait.subscriptionId
        }, which the portal has not read ${wait.resourceIds.join(
          ', ',
        )} from yet`,
      );
    } catch (error) {
      const failure = apiFailure(error);
      if (failure.status === 404 || failure.status === 400) {
        // No such subscription in the portal: no sync will ever bring its resources.
        for (const resourceId of wait.resourceIds) {
          failures.set(resourceId, failure);
        }
        waits.delete(wait.subscriptionId);
        continue;
      }
      wait.refusal = failure;
      logger.warn(
        `Could not request a sync of subscription ${wait.subscriptionId} (${failure.status} ${failure.message}); waiting for its scheduled sync`,
      );
    }
  }

  while (waits.size > 0 && !signal?.aborted) {
    // The subscriptions' state is read before the resources, so that a sync seen finished had finished before the
    // resources were looked for.
    const finished = await finishedSyncs([...waits.values()], client);
    for (const wait of [...waits.values()]) {
      for (const resourceId of [...wait.resourceIds]) {
        const outcome = await lookUp(client, resourceId);
        if (outcome === 'pending' && !finished.has(wait.subscriptionId)) {
          continue;
        }
        wait.resourceIds.splice(wait.resourceIds.indexOf(resourceId), 1);
        if (outcome === 'known') {
          known.push(resourceId);
        } else if (outcome === 'pending') {
          failures.set(resourceId, {
            status: 404,
            name: 'NotFoundError',
            message: `The sync of subscription ${
              wait.subscriptionId
            } that this task requested ${finished.get(
              wait.subscriptionId,
            )} without finding ${resourceId} in Azure: check the id, and that its type is among the synced ones (azureTenant.sync.resourceTypes)`,
          });
        } else {
          failures.set(resourceId, outcome);
        }
      }
      if (wait.resourceIds.length === 0) waits.delete(wait.subscriptionId);
    }
    if (waits.size === 0 || Date.now() + pollIntervalMs > deadline) break;
    await sleep(pollIntervalMs, signal);
  }

  const waitedSeconds = Math.round(timeoutMs / 1000);
  for (const wait of waits.values()) {
    for (const resourceId of wait.resourceIds) {
      const why = signal?.aborted
        ? 'the task was cancelled while waiting for its subscription to be synced'
        : `the portal had not synced it after ${waitedSeconds} s${
            wait.refusal
              ? `, and a sync of subscription ${wait.subscriptionId} could not be requested: ${wait.refusal.message}`
              : ''
          }`;
      failures.set(resourceId, {
        status: 404,
        name: 'NotFoundError',
        message: `${resourceId} is not known to the portal yet: ${why}`,
      });
    }
  }
  return { known, failures };
}

/** Looks a resource up in the plugin: known, not synced yet, or a failure that waiting will not cure. */
async function lookUp(
  client: AzureTenantClient,
  resourceId: string,
): Promise<'known' | 'pending' | ApiFailure> {
  try {
    await client.getTags({ query: { resourceId } });
    return 'known';
  } catch (error) {
    const failure = apiFailure(error);
    return failure.status === 404 ? 'pending' : failure;
  }
}

/**
 * The subscriptions whose sync, requested by this task, has run to its end, each with how it ended ("succeeded at
 * ..."). Reading them needs `azure-tenant.tenant.read`; without it, the wait only ends when the resources are known or
 * the time is up.
 */
async function finishedSyncs(
  waits: SubscriptionWait[],
  client: AzureTenantClient,
): Promise<Map<string, string>> {
  const finished = new Map<string, string>();
  const requested = waits.filter(w => w.requestedAt);
  if (requested.length === 0) return finished;
  let subscriptions;
  try {
    subscriptions = (await client.listSubscriptions()).items;
  } catch {
    return finished;
  }
  for (const wait of requested) {
    const subscription = subscriptions.find(
      s => s.subscriptionId.toLowerCase() === wait.subscriptionId,
    );
    const lastSync = subscription?.lastSync;
    if (
      lastSync &&
      !subscription.syncRequestedAt &&
      Date.parse(lastSync.finishedAt) >= Date.parse(wait.requestedAt!)
    ) {
      finished.set(
        wait.subscriptionId,
        lastSync.status === 'succeeded'
          ? `finished at ${lastSync.finishedAt}`
          : `failed at ${lastSync.finishedAt} (${
              lastSync.error ?? 'no reason given'
            })`,
      );
    }
  }
  return finished;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}
