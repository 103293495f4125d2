import express from 'express';
import {
  AuthService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotAllowedError } from '@backstage/errors';
import { createApiRouter } from '../schema/createApiRouter';
import { GetSpend } from '../schema/openapi';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  azureResourceEntityRef,
  azureSubscriptionEntityRef,
  azureTenantSpendReadPermission,
  SpendReport,
} from '@azure-tenant/plugin-azure-tenant-common';
import { spendReportCsv } from './spendCsv';
import { parseSpendQuery } from './spendQueryParameters';
import { SpendQueryService } from './SpendQueryService';
import { SpendStore } from './SpendStore';
import { SpendTargetQuery, SpendTargetResolver } from './SpendTargetResolver';

/** Options for {@link createSpendRouter}. */
export interface SpendRouterOptions {
  store: SpendStore;
  queryService: SpendQueryService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  /** Finds the subscription or resource of an entity, and what a group or user owns. */
  catalog: CatalogService;
  /** For the plugin's own credentials towards the catalog. */
  auth: AuthService;
}

/** The catalog entity whose `azure-tenant.spend.read` permission a target needs. */
function permissionRefOf(target: SpendTargetQuery): string {
  if ('subscriptionId' in target) {
    return azureSubscriptionEntityRef(target.subscriptionId);
  }
  if ('resourceId' in target) return azureResourceEntityRef(target.resourceId);
  return target.entityRef;
}

/** `GET /spend` and `GET /spend.csv`, validated against the API's document. */
export async function createSpendRouter(
  options: SpendRouterOptions,
): Promise<express.Handler> {
  const { store, queryService, httpAuth, permissions, catalog, auth } = options;
  const resolver = new SpendTargetResolver({ store, catalog, auth });
  const router = await createApiRouter(['/spend', '/spend.csv']);

  async function report<ResBody>(
    req: express.Request<never, ResBody, unknown, GetSpend['query']>,
  ): Promise<SpendReport> {
    const { target, query } = parseSpendQuery(req.query);
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const resourceRef = permissionRefOf(target);
    const [decision] = await permissions.authorize(
      [{ permission: azureTenantSpendReadPermission, resourceRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`You may not see the spend of ${resourceRef}`);
    }
    const resolved = await resolver.resolve(target);
    return queryService.report(query, resolved.scope, resolved.notes);
  }

  router.get('/spend', async (req, res) => {
    res.json(await report(req));
  });

  router.get('/spend.csv', async (req, res) => {
    const result = await report(req);
    const filename = `spend-${result.query.from}-${result.query.to}.csv`;
    res
      .status(200)
      .type('text/csv; charset=utf-8')
      .set('Content-Disposition', `attachment; filename="${filename}"`)
      .send(spendReportCsv(result));
  });

  return router;
}
