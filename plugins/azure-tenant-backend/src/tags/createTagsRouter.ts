import express from 'express';
import Router from 'express-promise-router';
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
import { TagUpdateResult } from './ResourceTags';
import { isTagConflictError, isTagValidationError } from './tagErrors';
import { MAX_BULK_RESOURCES, parseTagChange, TagService } from './TagService';

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

/** The body of a 4xx from the tags API, in Backstage's error shape, with what a client needs to recover. */
function errorBody(error: Error, statusCode: number) {
  return {
    error: { name: error.name, message: error.message },
    response: { statusCode },
    ...(isTagConflictError(error)
      ? { current: error.current, tags: error.tags }
      : {}),
    ...(isTagValidationError(error) ? { problems: error.problems } : {}),
  };
}

/** Answers a conflict (409, with the current values) or a rule violation (400, with each tag) itself. */
function sendTagError(res: express.Response, error: unknown): boolean {
  if (isTagConflictError(error)) {
    res.status(409).json(errorBody(error, 409));
    return true;
  }
  if (isTagValidationError(error)) {
    res.status(400).json(errorBody(error, 400));
    return true;
  }
  return false;
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

/** `GET /tags`, `PATCH /tags` and `POST /tags/bulk`. */
export function createTagsRouter(options: TagsRouterOptions): express.Router {
  const { tagService, httpAuth, permissions, auditor } = options;
  const router = Router();

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
          `You are not allowed to edit the tags of ${azureResourceEntityRef(
            resourceId,
          )}`,
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

  router.patch('/tags', express.json(), async (req, res) => {
    const resourceId = parseResourceId(req.body?.resourceId).resourceId;
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    try {
      const change = parseTagChange(req.body);
      const [allowed] = await mayEdit([resourceId], credentials);
      res.json(
        await auditedUpdate(req, resourceId, change, allowed, () =>
          tagService.update(resourceId, change),
        ),
      );
    } catch (error) {
      if (!sendTagError(res, error)) throw error;
    }
  });

  router.post('/tags/bulk', express.json(), async (req, res) => {
    const resourceIds: unknown = req.body?.resourceIds;
    if (
      !Array.isArray(resourceIds) ||
      resourceIds.length === 0 ||
      resourceIds.some(id => typeof id !== 'string')
    ) {
      throw new InputError('resourceIds must be a non-empty array of strings');
    }
    if (resourceIds.length > MAX_BULK_RESOURCES) {
      throw new InputError(
        `At most ${MAX_BULK_RESOURCES} resources in one bulk change`,
      );
    }
    const unique = [
      ...new Map(
        (resourceIds as string[]).map(id => [id.toLowerCase(), id]),
      ).values(),
    ];
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    let change: Required<TagChange>;
    try {
      change = parseTagChange(req.body);
    } catch (error) {
      if (sendTagError(res, error)) return;
      throw error;
    }
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
    const items = results.map(r => {
      if (r.ok)
        return { resourceId: r.resourceId, status: 200, result: r.result };
      const status = STATUS_BY_NAME[r.error.name] ?? 500;
      const body = errorBody(
        status === 500 ? new Error('Internal error') : r.error,
        status,
      );
      return {
        resourceId: r.resourceId,
        status,
        error: body.error,
        ...('current' in body
          ? { current: body.current, tags: body.tags }
          : {}),
        ...('problems' in body ? { problems: body.problems } : {}),
      };
    });
    res.json({
      results: items,
      succeeded: items.filter(i => i.status === 200).length,
      failed: items.filter(i => i.status !== 200).length,
    });
  });

  return router;
}
