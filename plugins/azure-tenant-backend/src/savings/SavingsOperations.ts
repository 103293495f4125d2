import { AuthService, PermissionsService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  SavingsRecommendation,
  SavingsReport,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Caller } from '../service/caller';
import { GetSavings } from '../schema/openapi';
import { parseSpendTarget } from '../spend/spendQueryParameters';
import { SpendScope, SpendStore } from '../spend/SpendStore';
import {
  authorizeSpendRead,
  SpendTargetResolver,
} from '../spend/SpendTargetResolver';
import { SavingsStore } from './SavingsStore';

/** Options for {@link SavingsOperations}. */
export interface SavingsOperationsOptions {
  store: SavingsStore;
  /** For the target resolution that `GET /spend` uses: connected subscriptions and known resources. */
  spendStore: SpendStore;
  permissions: PermissionsService;
  /** Finds the subscription or resource of an entity, and what a group or user owns. */
  catalog: CatalogService;
  /** For the plugin's own credentials towards the catalog. */
  auth: AuthService;
}

/** Whole cents, so that sums of Advisor's two-decimal amounts come out exact. */
const cents = (amount: number) => Math.round(amount * 100);

/** The estimated monthly savings per currency, never mixing currencies; a recommendation without an amount adds none. */
export function savingsTotals(
  recommendations: SavingsRecommendation[],
): SavingsReport['totals'] {
  const byCurrency = new Map<string, number>();
  for (const { monthlySavings, currency } of recommendations) {
    if (monthlySavings === undefined || !currency) continue;
    byCurrency.set(
      currency,
      (byCurrency.get(currency) ?? 0) + cents(monthlySavings),
    );
  }
  return [...byCurrency.entries()]
    .sort(([a], [b]) => (a < b ? -1 : Number(a > b)))
    .map(([currency, total]) => ({ currency, monthlySavings: total / 100 }));
}

/** The subscriptions a scope concerns: its own, and those of its resources. */
function subscriptionsOf(scope: SpendScope): string[] {
  return [
    ...new Set([
      ...scope.subscriptionIds,
      ...scope.resourceKeys.flatMap(
        key => /^\/subscriptions\/([^/]+)/.exec(key)?.[1] ?? [],
      ),
    ]),
  ].sort();
}

/**
 * Savings reports, for whoever asks: the REST API and the actions registry call the same method. A report's target is
 * resolved and authorized exactly as `GET /spend` does (`azure-tenant.spend.read` on the target's entity): a
 * subscription, a resource, or an entity with what it owns in the catalog.
 */
export class SavingsOperations {
  private readonly resolver: SpendTargetResolver;

  constructor(private readonly options: SavingsOperationsOptions) {
    const { spendStore, catalog, auth } = options;
    this.resolver = new SpendTargetResolver({
      store: spendStore,
      catalog,
      auth,
    });
  }

  /** The recommendations of a subscription, a resource or an entity, as `GET /savings` answers them. */
  async report(
    caller: Caller,
    parameters: GetSavings['query'],
  ): Promise<SavingsReport> {
    const target = parseSpendTarget(parameters);
    await authorizeSpendRead(
      this.options.permissions,
      caller.credentials,
      target,
    );
    const { scope, notes } = await this.resolver.resolve(target);
    const { store } = this.options;
    const recommendations = await store.listRecommendations(scope);
    const concerned = subscriptionsOf(scope);
    const states = new Map(
      (await store.listSyncStates(concerned)).map(s => [s.subscriptionId, s]),
    );
    const readTimes: string[] = [];
    for (const subscriptionId of concerned) {
      const state = states.get(subscriptionId);
      if (state?.lastReadAt) readTimes.push(state.lastReadAt);
      if (!state?.lastReadAt && state?.lastStatus !== 'failed') {
        notes.push(
          `Advisor's recommendations of subscription ${subscriptionId} have not been read from Azure yet.`,
        );
      } else if (state?.lastStatus === 'failed') {
        notes.push(
          `The last read of subscription ${subscriptionId} from Azure failed (${
            state.lastError ?? 'no reason given'
          }); ${
            state.lastReadAt
              ? `its recommendations are those read at ${state.lastReadAt}`
              : 'none has been read yet'
          }.`,
        );
      }
    }
    // The oldest read of the subscriptions concerned: nothing shown is older news than that.
    const readAt = readTimes.sort()[0];
    return {
      recommendations,
      totals: savingsTotals(recommendations),
      ...(readAt ? { readAt } : {}),
      notes,
    };
  }
}
