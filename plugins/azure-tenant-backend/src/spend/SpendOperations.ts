import { AuthService, PermissionsService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { SpendReport } from '@azure-tenant/plugin-azure-tenant-common';
import { Caller } from '../service/caller';
import { GetSpend } from '../schema/openapi';
import { parseSpendQuery } from './spendQueryParameters';
import { SpendQueryService } from './SpendQueryService';
import { SpendStore } from './SpendStore';
import { authorizeSpendRead, SpendTargetResolver } from './SpendTargetResolver';

/** Options for {@link SpendOperations}. */
export interface SpendOperationsOptions {
  store: SpendStore;
  queryService: SpendQueryService;
  permissions: PermissionsService;
  /** Finds the subscription or resource of an entity, and what a group or user owns. */
  catalog: CatalogService;
  /** For the plugin's own credentials towards the catalog. */
  auth: AuthService;
}

/**
 * Spend reports, for whoever asks: the REST API and the actions registry call the same method, so the same
 * permission check (`azure-tenant.spend.read` on the target's entity) and errors apply to both.
 */
export class SpendOperations {
  private readonly resolver: SpendTargetResolver;

  constructor(private readonly options: SpendOperationsOptions) {
    const { store, catalog, auth } = options;
    this.resolver = new SpendTargetResolver({ store, catalog, auth });
  }

  /** The spend of a subscription, a resource or an entity, as `GET /spend` answers it. */
  async report(
    caller: Caller,
    parameters: GetSpend['query'],
  ): Promise<SpendReport> {
    const { target, query } = parseSpendQuery(parameters);
    await authorizeSpendRead(
      this.options.permissions,
      caller.credentials,
      target,
    );
    const resolved = await this.resolver.resolve(target);
    return this.options.queryService.report(
      query,
      resolved.scope,
      resolved.notes,
    );
  }
}
