import express from 'express';
import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  azureResourceEntityRef,
  azureTenantTagsUpdatePermission,
  TagChange,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  containsControlCharacter,
  parseResourceIdentifier,
} from './resourceIdentifier';
import { ApiRequestHandler, createApiRouter } from '../schema/createApiRouter';
import { BulkTagItemResult } from '../schema/openapi';
import { TagUpdateResult } from './ResourceTags';
import { isTagConflictError, isTagValidationError } from './tagErrors';
import { parseTagChange, TagService } from './TagService';

/**
 * {@link parseResourceIdentifier}, and no control characters: a resource name never holds one, and PostgreSQL
 * cannot even compare a text with a NUL (found by the reliability suite).
 */
function parseResourceId(value: unknown) {
  if (typeof value === 'string' && containsControlCharacter(value)) {
    throw new InputError(
      `'${JSON.stringify(value).slice(
        1,
        -1,
      )}' is not the id of an Azure resource: it holds a control character`,
    );
  }
  return parseResourceIdentifier(value);
}

/** Options for {@link createTagsRouter}. */
export interface TagsRouterOptions {
  tagService: TagService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}

/** What a client needs to recover from a tag error: the current values of a conflict, or each broken rule. */
function recoveryFields(error: unknown) {
  if (isTagConflictError(error)) {
    return { current: error.current, tags: error.tags };
  }
  if (isTagValidationError(error)) return { problems: error.problems };
  return {};
}

const STATUS_BY_NAME: Record<string, number> = {
  InputError: 400,
  TagValidationError: 400,
  AuthenticationError: 401,
  NotAllowedError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  TagConflictError: 409,
  ServiceUnavailableError: 503,
};

/** `GET /tags`, `PATCH /tags` and `POST /tags/bulk`, validated against the API's document. */
export async function createTagsRouter(
  options: TagsRouterOptions,
): Promise<express.Handler> {
  const { tagService, httpAuth, permissions, auditor } = options;
  const router = await createApiRouter(['/tags', '/tags/bulk']);

  /** The caller's decision for azure-tenant.tags.update on each resource's entity. */
  async function mayEdit(
    resourceIds: string[],
    credentials: BackstageCredentials,
  ): Promise<boolean[]> {
    if (resourceIds.length === 0) return [];
    const decisions = await permissions.authorize(
      resourceIds.map(resourceId => ({
        permission: azureTenantTagsUpdatePermission,
        resourceRef: azureResourceEntityRef(resourceId),
      })),
      { credentials },
    );
    return decisions.map(d => d.result === AuthorizeResult.ALLOW);
  }

  /** One resource's change, with its audit event (who, resource, before, after, outcome). */
  async function auditedUpdate(
    req: express.Request,
    resourceId: string,
    change: Required<TagChange>,
    allowed: boolean,
    update: () => Promise<TagUpdateResult>,
  ): Promise<TagUpdateResult> {
    const audit = await auditor.createEvent({
      eventId: 'tags-update',
      severityLevel: 'medium',
      request: req,
      meta: {
        resourceId,
        set: change.set,
        remove: change.remove,
        expected: change.expected,
      },
    });
    try {
      if (!allowed) {
        throw new NotAllowedError(
          `You may not edit the tags of ${azureResourceEntityRef(resourceId)}`,
        );
      }
      const result = await update();
      await audit.success({
        meta: {
          outcome: result.outcome,
          syncMode: result.syncMode,
          before: result.before,
          after:
            result.outcome === 'portal-only' ? result.portalTags : result.tags,
        },
      });
      return result;
    } catch (error) {
      await audit.fail({
        error: error as Error,
        meta: isTagConflictError(error)
          ? { outcome: 'conflict', current: error.current }
          : { outcome: 'failed' },
      });
      throw error;
    }
  }

  router.get('/tags', async (req, res) => {
    const resourceId = parseResourceId(req.query.resourceId).resourceId;
    const live = req.query.live === 'true';
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    // Tags are part of the resource's entity: whoever may not see the entity may not read them here either.
    const entityRef = azureResourceEntityRef(resourceId);
    const [read, edit] = await permissions.authorize(
      [
        { permission: catalogEntityReadPermission, resourceRef: entityRef },
        { permission: azureTenantTagsUpdatePermission, resourceRef: entityRef },
      ],
      { credentials },
    );
    if (read.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`You may not see ${entityRef}`);
    }
    res.json(
      await tagService.getTags(resourceId, {
        live,
        permissionAllowed: edit.result === AuthorizeResult.ALLOW,
      }),
    );
  });

  const updateTags: ApiRequestHandler<'#patch|/tags'> = async (req, res) => {
    const resourceId = parseResourceId(req.body.resourceId).resourceId;
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const change = parseTagChange(req.body);
    const [allowed] = await mayEdit([resourceId], credentials);
    res.json(
      await auditedUpdate(req, resourceId, change, allowed, () =>
        tagService.update(resourceId, change),
      ),
    );
  };
  router.patch('/tags', updateTags);

  router.post('/tags/bulk', async (req, res) => {
    // The document bounds the list: 1 to 500 strings.
    const { resourceIds } = req.body;
    const unique = [
      ...new Map(resourceIds.map(id => [id.toLowerCase(), id])).values(),
    ];
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const change = parseTagChange(req.body);
    const valid = unique.filter(id => {
      try {
        parseResourceId(id);
        return true;
      } catch {
        return false;
      }
    });
    const decisions = await mayEdit(valid, credentials);
    const allowed = new Map(valid.map((id, i) => [id, decisions[i]]));
    const results = await tagService.updateMany(
      unique,
      change,
      (id, update) => {
        // An id that is not a resource fails on its own, before any check or audit.
        parseResourceId(id);
        return auditedUpdate(req, id, change, allowed.get(id) ?? false, update);
      },
    );
    const items = results.map((r): BulkTagItemResult => {
      if (r.ok) {
        return { resourceId: r.resourceId, status: 200, result: r.result };
      }
      const status = STATUS_BY_NAME[r.error.name] ?? 500;
      return {
        resourceId: r.resourceId,
        status,
        // An unexpected error's message may carry anything, so it is not passed on.
        error:
          status === 500
            ? { name: 'Error', message: 'Internal error' }
            : { name: r.error.name, message: r.error.message },
        ...recoveryFields(r.error),
      };
    });
    res.json({
      results: items,
      succeeded: items.filter(i => i.status === 200).length,
      failed: items.filter(i => i.status !== 200).length,
    });
  });

  // A conflict (409) and a rule violation (400) answer Backstage's error body plus what the client needs to
  // recover; every other error goes on to Backstage's error handler.
  router.use(
    (
      error: Error,
      req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      const fields = recoveryFields(error);
      if (Object.keys(fields).length === 0) {
        next(error);
        return;
      }
      const statusCode = STATUS_BY_NAME[error.name];
      res.status(statusCode).json({
        error: { name: error.name, message: error.message },
        request: { method: req.method, url: req.originalUrl },
        response: { statusCode },
        ...fields,
      });
    },
  );

  return router;
}
