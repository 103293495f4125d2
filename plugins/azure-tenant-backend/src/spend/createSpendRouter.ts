import express from 'express';
import Router from 'express-promise-router';
import {
  AuthService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotAllowedError } from '@backstage/errors';
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

/** `GET /spend` and `GET /spend.csv`. */
export function createSpendRouter(options: SpendRouterOptions): express.Router {
  const { store, queryService, httpAuth, permissions, catalog, auth } = options;
  const resolver = new SpendTargetResolver({ store, catalog, auth });
  const router = Router();

  async function report(req: express.Request): Promise<SpendReport> {
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
      throw new NotAllowedError(
        `You are not allowed to read the spend of ${resourceRef}`,
      );
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

const spendParameters = [
  {
    name: 'subscriptionId',
    in: 'query',
    description:
      'A connected subscription. Give exactly one of subscriptionId, resourceId and entityRef.',
    schema: { type: 'string', format: 'uuid' },
  },
  {
    name: 'resourceId',
    in: 'query',
    description: 'An Azure resource id (case-insensitive).',
    schema: { type: 'string' },
  },
  {
    name: 'entityRef',
    in: 'query',
    description:
      'A catalog entity: an Azure subscription or resource entity, or a group or user (the spend of the Azure resources it owns).',
    schema: { type: 'string' },
  },
  {
    name: 'from',
    in: 'query',
    required: true,
    description: 'First day, inclusive.',
    schema: { type: 'string', format: 'date' },
  },
  {
    name: 'to',
    in: 'query',
    required: true,
    description: 'Last day, inclusive; at most 366 days after from.',
    schema: { type: 'string', format: 'date' },
  },
  {
    name: 'granularity',
    in: 'query',
    schema: { type: 'string', enum: ['day', 'month'], default: 'day' },
  },
  {
    name: 'groupBy',
    in: 'query',
    description:
      'service, resourceGroup, resource, location, or tag:<key> (synced tags; the key is case-insensitive).',
    schema: {
      type: 'string',
      pattern: '^(service|resourceGroup|resource|location|tag:.+)$',
      default: 'service',
    },
  },
  {
    name: 'top',
    in: 'query',
    description: 'Groups kept; the rest are summed into "other".',
    schema: { type: 'integer', minimum: 1, maximum: 50, default: 5 },
  },
] as const;

const errorResponses = {
  '400': { description: 'The query is invalid; the message says why.' },
  '401': { description: 'No valid Backstage credentials.' },
  '403': {
    description: 'azure-tenant.spend.read is denied for the entity.',
  },
  '404': {
    description: 'The subscription, resource or entity is not known.',
  },
} as const;

const spendGroupSchema = {
  type: 'object',
  required: ['key', 'total', 'share'],
  properties: {
    key: { type: 'string' },
    total: { type: 'number' },
    share: { type: 'number', minimum: 0, maximum: 1 },
    previousTotal: { type: 'number' },
  },
} as const;

/** The OpenAPI 3.1 schema of a `SpendReport`. */
export const spendReportSchema = {
  type: 'object',
  required: ['query', 'status', 'series', 'notes'],
  properties: {
    query: {
      type: 'object',
      required: ['from', 'to', 'granularity', 'groupBy', 'top'],
      properties: {
        subscriptionId: { type: 'string' },
        resourceId: { type: 'string' },
        entityRef: { type: 'string' },
        from: { type: 'string', format: 'date' },
        to: { type: 'string', format: 'date' },
        granularity: { type: 'string', enum: ['day', 'month'] },
        groupBy: { type: 'string' },
        top: { type: 'integer' },
      },
    },
    status: {
      type: 'string',
      enum: ['ok', 'pending'],
      description:
        'pending: no spend has been synced yet for what was asked; an empty series then means "not known yet".',
    },
    series: {
      type: 'array',
      description: 'One series per currency; currencies are never added up.',
      items: {
        type: 'object',
        required: ['currency', 'total', 'previousTotal', 'groups', 'points'],
        properties: {
          currency: { type: 'string' },
          total: { type: 'number' },
          previousTotal: { type: 'number' },
          change: { type: 'number' },
          groups: { type: 'array', items: spendGroupSchema },
          points: {
            type: 'array',
            items: {
              type: 'object',
              required: ['date', 'amounts'],
              properties: {
                date: { type: 'string' },
                amounts: {
                  type: 'object',
                  additionalProperties: { type: 'number' },
                },
              },
            },
          },
          forecast: {
            type: 'object',
            required: ['monthEnd', 'through'],
            properties: {
              monthEnd: { type: 'number' },
              through: { type: 'string', format: 'date' },
            },
          },
        },
      },
    },
    notes: { type: 'array', items: { type: 'string' } },
    syncedAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** OpenAPI 3.1 path items of `GET /spend` and `GET /spend.csv`, to merge into the plugin's document. */
export const spendOpenApiPaths = {
  '/spend': {
    get: {
      operationId: 'getSpend',
      summary:
        'Spend of a subscription, a resource or a catalog entity, per currency, grouped, with the previous period and a month-end forecast.',
      description: 'Needs azure-tenant.spend.read on the entity.',
      parameters: spendParameters,
      responses: {
        '200': {
          description: 'The spend report.',
          content: { 'application/json': { schema: spendReportSchema } },
        },
        ...errorResponses,
      },
    },
  },
  '/spend.csv': {
    get: {
      operationId: 'getSpendCsv',
      summary:
        'The same query as GET /spend, as CSV: date, group, currency, amount, one row per point and group.',
      description: 'Needs azure-tenant.spend.read on the entity.',
      parameters: spendParameters,
      responses: {
        '200': {
          description: 'A CSV attachment with a header row.',
          content: { 'text/csv': { schema: { type: 'string' } } },
        },
        ...errorResponses,
      },
    },
  },
} as const;
