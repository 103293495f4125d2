import { PermissionsService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  AzureBudget,
  azureSubscriptionEntityRef,
  azureTenantSpendReadPermission,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantStore } from '../../database/AzureTenantStore';
import { SavingsStore } from '../../savings/SavingsStore';
import { Caller } from '../../service/caller';
import { authorizeSpendRead } from '../../spend/SpendTargetResolver';

/** Options for {@link AzureBudgetOperations}. */
export interface AzureBudgetOperationsOptions {
  /** Where the savings sync keeps the budgets it read. */
  store: Pick<SavingsStore, 'listAzureBudgets'>;
  subscriptions: Pick<
    AzureTenantStore,
    'getSubscription' | 'listSubscriptions'
  >;
  permissions: PermissionsService;
}

/**
 * The budgets defined in Azure, read-only, for whoever asks: the REST API and the actions registry call the same
 * method. A subscription's budgets are about its spend, so they need what its spend needs: `azure-tenant.spend.read`
 * on the subscription's entity.
 */
export class AzureBudgetOperations {
  constructor(private readonly options: AzureBudgetOperationsOptions) {}

  /**
   * The Azure budgets of one subscription (refused with 403 without the permission, 404 when it is not connected), or
   * without `subscriptionId`, of every connected subscription whose spend the caller may read.
   */
  async list(
    caller: Caller,
    query: { subscriptionId?: string },
  ): Promise<{ items: AzureBudget[] }> {
    const { store, subscriptions, permissions } = this.options;
    if (query.subscriptionId !== undefined) {
      const subscriptionId = query.subscriptionId.toLowerCase();
      await authorizeSpendRead(permissions, caller.credentials, {
        subscriptionId,
      });
      if (!(await subscriptions.getSubscription(subscriptionId))) {
        throw new NotFoundError(
          `Subscription ${query.subscriptionId} is not connected`,
        );
      }
      return { items: await store.listAzureBudgets([subscriptionId]) };
    }
    const connected = (await subscriptions.listSubscriptions()).map(s =>
      s.subscriptionId.toLowerCase(),
    );
    if (connected.length === 0) return { items: [] };
    const decisions = await permissions.authorize(
      connected.map(subscriptionId => ({
        permission: azureTenantSpendReadPermission,
        resourceRef: azureSubscriptionEntityRef(subscriptionId),
      })),
      { credentials: caller.credentials },
    );
    const readable = connected.filter(
      (_id, index) => decisions[index]?.result === AuthorizeResult.ALLOW,
    );
    return { items: await store.listAzureBudgets(readable) };
  }
}
