import express from 'express';
import Router from 'express-promise-router';
import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { ResourceStore } from '../database/ResourceStore';
import { withCompliance } from '../governance/compliance/catalogFeedCompliance';
import { ComplianceReader } from '../governance/ComplianceStore';
import { createCallbackRouter } from '../onboarding/callbackRouter';
import { ApiPath, createApiRouter } from '../schema/createApiRouter';
import { requestCaller } from './caller';
import {
  SubscriptionOperations,
  SubscriptionOperationsOptions,
} from './SubscriptionOperations';

/** Options for {@link createRouter}: those of the operations it serves, and what the router itself needs. */
export interface RouterOptions extends SubscriptionOperationsOptions {
  resources: ResourceStore;
  /** Adds each record's tag compliance to the catalog feed, once evaluated. */
  compliance?: Pick<ComplianceReader, 'getCompliance'>;
  /** Why `azureTenant` is not configured, reported by `GET /health`; undefined when it is. */
  notConfiguredReason?: string;
  /** The portal's Azure tenants page, linked from the callback's error pages. */
  portalUrl: string;
  httpAuth: HttpAuthService;
}

const firstString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** The paths this router serves and validates; spend and tags have their own routers. */
const ROUTER_PATHS: readonly ApiPath[] = [
  '/health',
  '/onboarding/start',
  '/onboardings/{onboardingId}',
  '/tenants',
  '/subscriptions',
  '/subscriptions/{subscriptionId}/sync-mode',
  '/subscriptions/{subscriptionId}/sync',
  '/catalog/resources',
  '/catalog/resource-groups',
  '/catalog/changes',
];

// A resource key never holds control characters.
const RESOURCE_KEY =
  // eslint-disable-next-line no-control-regex
  /^\/subscriptions\/[0-9a-f-]{36}\/[^\u0000-\u001f\u007f\ufffd]+$/;

/**
 * The cursor of `GET /catalog/resources`, checked: only a cursor the API returned (the base64url of a resource
 * key) is accepted. Anything else would silently answer an empty or partial page, which the catalog module would
 * take for the end of the feed.
 */
export function parseCatalogCursor(value: unknown): string | undefined {
  const cursor = firstString(value);
  if (!cursor) return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (
    Buffer.from(key, 'utf8').toString('base64url') !== cursor ||
    !RESOURCE_KEY.test(key)
  ) {
    throw new InputError(
      'cursor is not a cursor that GET /catalog/resources returned; start again without a cursor',
    );
  }
  return cursor;
}

/** A resource group's key in a cursor: `{subscriptionId}/{name}`; a group's name never holds a slash. */
// eslint-disable-next-line no-control-regex
const RESOURCE_GROUP_KEY = /^[0-9a-f-]{36}\/[^\u0000-\u001f\u007f\ufffd/]+$/;

/** The cursor of `GET /catalog/resource-groups`, checked as {@link parseCatalogCursor} checks its own. */
export function parseResourceGroupCursor(value: unknown): string | undefined {
  const cursor = firstString(value);
  if (!cursor) return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (
    Buffer.from(key, 'utf8').toString('base64url') !== cursor ||
    !RESOURCE_GROUP_KEY.test(key)
  ) {
    throw new InputError(
      'cursor is not a cursor that GET /catalog/resource-groups returned; start again without a cursor',
    );
  }
  return cursor;
}

/** Builds the REST API of the Azure tenant plugin, served under `/api/azure-tenant`. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { resources, onboarding, httpAuth } = options;
  const operations = new SubscriptionOperations(options);

  // The document allows up to four digits; a page holds 1 to 5000 items.
  const pageLimit = (value: string | undefined) =>
    Math.min(Math.max(Number(value ?? 1000), 1), 5000);

  const outer = Router();

  // Entra ID's answer to the onboarding: POSTed as a form, without Backstage credentials (see callbackRouter.ts).
  outer.use(
    createCallbackRouter({
      onboarding: () => operations.requireOnboarding(),
      portalUrl: options.portalUrl,
    }),
  );

  // Requests are validated against src/schema/openapi.yaml, and the handlers are typed by it.
  const router = await createApiRouter(ROUTER_PATHS);
  outer.use(router);

  router.get('/health', (_req, res) => {
    // A portal without the app registration still starts; this says why tenants cannot be connected.
    res.json({
      status: 'ok',
      configured: !!onboarding,
      ...(onboarding
        ? {}
        : {
            reason:
              options.notConfiguredReason ?? 'azureTenant is not configured',
          }),
    });
  });

  router.post('/onboarding/start', async (req, res) => {
    res.json(
      await operations.startOnboarding(await requestCaller(httpAuth, req), {
        kind: req.body?.kind,
        tenantId: req.body?.tenantId,
      }),
    );
  });

  router.get('/onboardings/:onboardingId', async (req, res) => {
    res.json(
      await operations.getOnboarding(
        await requestCaller(httpAuth, req),
        req.params.onboardingId,
      ),
    );
  });

  router.get('/tenants', async (req, res) => {
    res.json({
      items: await operations.listTenants(await requestCaller(httpAuth, req)),
    });
  });

  router.get('/subscriptions', async (req, res) => {
    res.json({
      items: await operations.listSubscriptions(
        await requestCaller(httpAuth, req),
        {
          tenantId: req.query.tenantId,
        },
      ),
    });
  });

  router.put('/subscriptions/:subscriptionId/sync-mode', async (req, res) => {
    res.json(
      await operations.setSyncMode(
        await requestCaller(httpAuth, req),
        req.params.subscriptionId,
        req.body.syncMode,
      ),
    );
  });

  router.post('/subscriptions/:subscriptionId/sync', async (req, res) => {
    res
      .status(202)
      .json(
        await operations.requestSync(
          await requestCaller(httpAuth, req),
          req.params.subscriptionId,
        ),
      );
  });

  // The catalog module's feed: for services only, so a user cannot read tags of resources they may not see.
  router.get('/catalog/resources', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    const page = await resources.listResources({
      cursor: parseCatalogCursor(req.query.cursor),
      limit: pageLimit(req.query.limit),
    });
    res.json({
      ...page,
      items: await withCompliance(page.items, options.compliance),
    });
  });

  router.get('/catalog/resource-groups', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    res.json(
      await resources.listResourceGroupSummaries({
        subscriptionId: firstString(req.query.subscriptionId),
        cursor: parseResourceGroupCursor(req.query.cursor),
        limit: pageLimit(req.query.limit),
      }),
    );
  });

  router.get('/catalog/changes', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    const changes = await resources.listChanges({
      after: Number(req.query.after ?? 0),
      limit: pageLimit(req.query.limit),
    });
    res.json({
      ...changes,
      changed: await withCompliance(changes.changed, options.compliance),
    });
  });

  return outer;
}
