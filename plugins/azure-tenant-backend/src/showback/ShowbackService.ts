import { SpendStore } from '../spend/SpendStore';
import {
  allocateShowback,
  ResourceMonthSpend,
  ShowbackAllocation,
} from './showbackAllocation';
import {
  readShowbackOwnership,
  ShowbackOwnershipOptions,
} from './ShowbackOwnership';

/** Options for {@link ShowbackService}. */
export interface ShowbackServiceOptions extends ShowbackOwnershipOptions {
  store: Pick<SpendStore, 'listSubscriptions' | 'listSyncStates' | 'aggregate'>;
}

/** A showback of every owner, before anything is left out for a caller. */
export interface ShowbackResult extends ShowbackAllocation {
  notes: string[];
}

/** How spend is allocated, for the notes of every report. */
export const SHOWBACK_RULES = [
  "A resource's spend counts for the owner of its catalog entity when that owner came from the resource's owner tag (azure-tenant.io/owner-source: tag); spend not tied to a resource counts for the owner of its subscription's entity on the same condition.",
  'Unallocated is the rest: resources owned by the default owner (no owner tag, a tag that names no catalog group or user, or a sync mode that keeps no tags) and resources without a catalog entity (sync mode none, or not in the catalog yet). It is the total minus the owners’ rows.',
  'Each row is rounded to the cent once, so that in each month and currency the rows add up to the total to the cent. Currencies are never added together.',
];

/**
 * Showback of all the spend of the connected subscriptions over whole months: each resource's monthly spend (summed
 * by the database in one query for the range) allocated to the owner of its catalog entity, the rest unallocated.
 * It decides nothing about who may see what; {@link ShowbackOperations} does.
 */
export class ShowbackService {
  constructor(private readonly options: ShowbackServiceOptions) {}

  async allocate(range: {
    firstDay: string;
    lastDay: string;
  }): Promise<ShowbackResult> {
    const { store } = this.options;
    const subscriptionIds = (await store.listSubscriptions()).map(
      s => s.subscriptionId,
    );
    const notes = [...SHOWBACK_RULES];
    if (subscriptionIds.length === 0) {
      return { rows: [], totals: [], notes };
    }
    const [aggregates, ownership, states] = await Promise.all([
      store.aggregate({
        scope: { subscriptionIds, resourceKeys: [] },
        from: range.firstDay,
        to: range.lastDay,
        granularity: 'month',
        dimension: 'resource',
        perSubscription: true,
      }),
      readShowbackOwnership(this.options),
      store.listSyncStates(subscriptionIds),
    ]);

    const synced = new Set(
      states.filter(s => s.lastSyncedAt).map(s => s.subscriptionId),
    );
    const pending = subscriptionIds.filter(id => !synced.has(id));
    if (pending.length > 0) {
      notes.push(
        pending.length === subscriptionIds.length
          ? 'Spend has not been synced from Azure Cost Management yet; it appears after the first spend sync.'
          : `Spend of ${
              pending.length === 1 ? 'subscription' : 'subscriptions'
            } ${pending.join(
              ', ',
            )} has not been synced yet and is not included.`,
      );
    }

    const spend: ResourceMonthSpend[] = aggregates.map(a => ({
      month: a.bucket!,
      resourceKey: a.key ?? '',
      subscriptionId: a.subscriptionId ?? '',
      currency: a.currency,
      amount: a.amount,
    }));
    return { ...allocateShowback(spend, ownership), notes };
  }
}
