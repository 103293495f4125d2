import express from 'express';
import Router from 'express-promise-router';
import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  azureTenantConnectPermission,
  azureTenantReadPermission,
  azureTenantSubscriptionManagePermission,
  azureTenantSubscriptionSyncPermission,
} from '@azure-tenant/plugin-azure-tenant-common';
import { EventsService } from '@backstage/plugin-events-node';
import {
  AZURE_TENANT_EVENTS_TOPIC,
  AzureTenantEvent,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantStore } from '../database/AzureTenantStore';
import { ResourceStore } from '../database/ResourceStore';
import { ResourceSyncService } from '../sync/ResourceSyncService';
import { createCallbackRouter } from '../onboarding/callbackRouter';
import { OnboardingService } from '../onboarding/OnboardingService';
import { ApiPath, createApiRouter } from '../schema/createApiRouter';

/** Options for {@link createRouter}. */
export interface RouterOptions {
  store: AzureTenantStore;
  resources: ResourceStore;
  /** Undefined when `azureTenant` is not configured: requests are recorded, and nothing syncs. */
  sync?: ResourceSyncService;
  events: EventsService;
  /** Undefined when `azureTenant` is not configured: reads work, onboarding answers 503. */
  onboarding?: OnboardingService;
  /** Why `azureTenant` is not configured, reported by `GET /health`; undefined when it is. */
  notConfiguredReason?: string;
  /** The portal's Azure tenants page, linked from the callback's error pages. */
  portalUrl: string;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  /** The clock; tests move it. Defaults to the system clock. */
  now?: () => Date;
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

/** Builds the REST API of the Azure tenant plugin, served under `/api/azure-tenant`. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    store,
    resources,
    sync,
    events,
    onboarding,
    httpAuth,
    permissions,
    auditor,
  } = options;

  const publish = (eventPayload: AzureTenantEvent) =>
    events.publish({ topic: AZURE_TENANT_EVENTS_TOPIC, eventPayload });

  // The document allows up to four digits; a page holds 1 to 5000 items.
  const pageLimit = (value: string | undefined) =>
    Math.min(Math.max(Number(value ?? 1000), 1), 5000);
  const now = options.now ?? (() => new Date());

  /** Checks a permission; `refusal` says what the caller may not do, in words a user understands. */
  async function authorize(
    req: express.Request,
    permission: BasicPermission,
    refusal: string,
  ) {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(refusal);
    }
    return credentials;
  }
  const readRefusal =
    'You may not see the Azure tenants, their subscriptions and onboardings';

  function requireOnboarding(): OnboardingService {
    if (!onboarding) {
      throw new ServiceUnavailableError(
        'The Azure tenant plugin is not configured: set azureTenant.clientId and a client secret or certificate in app-config',
      );
    }
    return onboarding;
  }

  const outer = Router();

  // Entra ID's answer to the onboarding: POSTed as a form, without Backstage credentials (see callbackRouter.ts).
  outer.use(
    createCallbackRouter({
      onboarding: requireOnboarding,
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
    const service = requireOnboarding();
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const [decision] = await permissions.authorize(
      [{ permission: azureTenantConnectPermission }],
      { credentials },
    );
    const kind = req.body?.kind ?? 'connect';
    // *Reconnect*: the tenant to sign in to (the document checks that it is a GUID).
    const tenantId = req.body?.tenantId?.toLowerCase();
    const audit = await auditor.createEvent({
      eventId: 'onboarding-start',
      severityLevel: 'medium',
      request: req,
      meta: { kind, ...(tenantId ? { tenantId } : {}) },
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      const error = new NotAllowedError('You may not connect Azure tenants');
      await audit.fail({ error });
      throw error;
    }
    const started = await service.start({
      kind,
      startedBy: credentials.principal.userEntityRef,
      ...(tenantId ? { tenantId } : {}),
    });
    await audit.success({ meta: { onboardingId: started.onboardingId } });
    res.json(started);
  });

  router.get('/onboardings/:onboardingId', async (req, res) => {
    await authorize(req, azureTenantReadPermission, readRefusal);
    const found = onboarding
      ? await onboarding.getOnboarding(req.params.onboardingId)
      : await store.getOnboarding(req.params.onboardingId);
    if (!found) {
      throw new NotFoundError(`No onboarding ${req.params.onboardingId}`);
    }
    res.json(found);
  });

  router.get('/tenants', async (req, res) => {
    await authorize(req, azureTenantReadPermission, readRefusal);
    res.json({ items: await store.listTenants() });
  });

  router.get('/subscriptions', async (req, res) => {
    await authorize(req, azureTenantReadPermission, readRefusal);
    const tenantId = req.query.tenantId?.toLowerCase();
    res.json({ items: await store.listSubscriptions({ tenantId }) });
  });

  router.put('/subscriptions/:subscriptionId/sync-mode', async (req, res) => {
    const subscriptionId = req.params.subscriptionId.toLowerCase();
    const syncMode = req.body.syncMode;
    const audit = await auditor.createEvent({
      eventId: 'subscription-sync-mode',
      severityLevel: 'medium',
      request: req,
      meta: { subscriptionId, syncMode },
    });
    try {
      await authorize(
        req,
        azureTenantSubscriptionManagePermission,
        'You may not change the sync mode of this subscription',
      );
      const before = await store.getSubscription(subscriptionId);
      if (!before) {
        throw new NotFoundError(`No onboarded subscription ${subscriptionId}`);
      }
      const after = await store.setSyncMode(subscriptionId, syncMode, now());
      await audit.success({
        meta: { before: before.syncMode, after: after!.syncMode },
      });
      if (before.syncMode !== syncMode) {
        await publish({ type: 'subscription-changed', subscriptionId });
        // The sync applies the new mode at once: under `none` it removes the resources, under `no-tags` it purges
        // their tags, and back from `none` it reads them again.
        const requested = sync
          ? await sync.requestSync(subscriptionId)
          : await store.requestSync(subscriptionId, now());
        res.json(requested ?? after);
        return;
      }
      res.json(after);
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  });

  router.post('/subscriptions/:subscriptionId/sync', async (req, res) => {
    const subscriptionId = req.params.subscriptionId.toLowerCase();
    const audit = await auditor.createEvent({
      eventId: 'subscription-sync-request',
      severityLevel: 'low',
      request: req,
      meta: { subscriptionId },
    });
    try {
      await authorize(
        req,
        azureTenantSubscriptionSyncPermission,
        'You may not start a sync of this subscription',
      );
      const updated = sync
        ? await sync.requestSync(subscriptionId)
        : await store.requestSync(subscriptionId, now());
      if (!updated) {
        throw new NotFoundError(`No onboarded subscription ${subscriptionId}`);
      }
      await audit.success();
      res.status(202).json({
        subscriptionId,
        // Set by the request just made.
        syncRequestedAt: updated.syncRequestedAt!,
      });
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  });

  // The catalog module's feed: for services only, so a user cannot read tags of resources they may not see.
  router.get('/catalog/resources', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    res.json(
      await resources.listResources({
        cursor: parseCatalogCursor(req.query.cursor),
        limit: pageLimit(req.query.limit),
      }),
    );
  });

  router.get('/catalog/changes', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    res.json(
      await resources.listChanges({
        after: Number(req.query.after ?? 0),
        limit: pageLimit(req.query.limit),
      }),
    );
  });

  return outer;
}
