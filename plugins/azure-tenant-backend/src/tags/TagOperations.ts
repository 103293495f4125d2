import {
  AuditorService,
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
import { auditEventOptions, Caller, requireUser } from '../service/caller';
import { BulkTagItemResult, BulkTagUpdateResult } from '../schema/openapi';
import { ResourceTags, TagUpdateResult } from './ResourceTags';
import {
  containsControlCharacter,
  parseResourceIdentifier,
} from './resourceIdentifier';
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

/** What a client needs to recover from a tag error: the current values of a conflict, or each broken rule. */
export function tagErrorRecoveryFields(error: unknown) {
  if (isTagConflictError(error)) {
    return { current: error.current, tags: error.tags };
  }
  if (isTagValidationError(error)) return { problems: error.problems };
  return {};
}

/** The HTTP status of each error a tag operation throws; anything else is a 500. */
export const TAG_ERROR_STATUS: Readonly<Record<string, number>> = {
  InputError: 400,
  TagValidationError: 400,
  AuthenticationError: 401,
  NotAllowedError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  TagConflictError: 409,
  ServiceUnavailableError: 503,
};

/** A change of one resource's tags, as `PATCH /tags` takes it. */
export type TagUpdateRequest = TagChange & { resourceId: unknown };

/** The same change of many resources' tags, as `POST /tags/bulk` takes it. */
export type BulkTagUpdateRequest = TagChange & { resourceIds: string[] };

/** Options for {@link TagOperations}. */
export interface TagOperationsOptions {
  tagService: TagService;
  permissions: PermissionsService;
  auditor: AuditorService;
}

/**
 * Reading and editing tags, for whoever asks: the REST API and the actions registry call the same methods, so the
 * same checks apply to both. Tags are read and edited by users only: whoever may not see the resource's entity may
 * not read its tags, and an edit needs `azure-tenant.tags.update` on the entity. Every edit is audited
 * (`tags-update`: who, resource, before, after, outcome), a refused one too.
 */
export class TagOperations {
  constructor(private readonly options: TagOperationsOptions) {}

  /** The caller's decision for azure-tenant.tags.update on each resource's entity. */
  private async mayEdit(
    caller: Caller,
    resourceIds: string[],
  ): Promise<boolean[]> {
    if (resourceIds.length === 0) return [];
    const decisions = await this.options.permissions.authorize(
      resourceIds.map(resourceId => ({
        permission: azureTenantTagsUpdatePermission,
        resourceRef: azureResourceEntityRef(resourceId),
      })),
      { credentials: caller.credentials },
    );
    return decisions.map(d => d.result === AuthorizeResult.ALLOW);
  }

  /** One resource's change, with its audit event (who, resource, before, after, outcome). */
  private async auditedUpdate(
    caller: Caller,
    resourceId: string,
    change: Required<TagChange>,
    allowed: boolean,
    update: () => Promise<TagUpdateResult>,
  ): Promise<TagUpdateResult> {
    const audit = await this.options.auditor.createEvent(
      auditEventOptions(caller, {
        eventId: 'tags-update',
        severityLevel: 'medium',
        meta: {
          resourceId,
          set: change.set,
          remove: change.remove,
          expected: change.expected,
        },
      }),
    );
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

  /** A resource's tags, and whether the caller may edit them; with `live`, Azure's current tags too. */
  async getTags(
    caller: Caller,
    options: { resourceId: unknown; live?: boolean },
  ): Promise<ResourceTags> {
    const { resourceId } = parseResourceId(options.resourceId);
    requireUser(caller);
    // Tags are part of the resource's entity: whoever may not see the entity may not read them here either.
    const entityRef = azureResourceEntityRef(resourceId);
    const [read, edit] = await this.options.permissions.authorize(
      [
        { permission: catalogEntityReadPermission, resourceRef: entityRef },
        { permission: azureTenantTagsUpdatePermission, resourceRef: entityRef },
      ],
      { credentials: caller.credentials },
    );
    if (read.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`You may not see ${entityRef}`);
    }
    return this.options.tagService.getTags(resourceId, {
      live: options.live ?? false,
      permissionAllowed: edit.result === AuthorizeResult.ALLOW,
    });
  }

  /**
   * Changes one resource's tags under its subscription's sync mode: written to Azure in `read-write-tags`, kept
   * portal-only in `read-tags`, refused with a 409 in `no-tags` and `none`, and a 409 when `expected` differs
   * from Azure's current value.
   */
  async updateTags(
    caller: Caller,
    request: TagUpdateRequest,
  ): Promise<TagUpdateResult> {
    const { resourceId } = parseResourceId(request.resourceId);
    requireUser(caller);
    const change = parseTagChange(request);
    const [allowed] = await this.mayEdit(caller, [resourceId]);
    return this.auditedUpdate(caller, resourceId, change, allowed, () =>
      this.options.tagService.update(resourceId, change),
    );
  }

  /**
   * The same change on many resources. Each resource has its own permission decision, audit event and result; an
   * id that is not a resource fails on its own, before any check or audit.
   */
  async updateMany(
    caller: Caller,
    request: BulkTagUpdateRequest,
  ): Promise<BulkTagUpdateResult> {
    const unique = [
      ...new Map(
        request.resourceIds.map(id => [id.toLowerCase(), id]),
      ).values(),
    ];
    requireUser(caller);
    const change = parseTagChange(request);
    const valid = unique.filter(id => {
      try {
        parseResourceId(id);
        return true;
      } catch {
        return false;
      }
    });
    const decisions = await this.mayEdit(caller, valid);
    const allowed = new Map(valid.map((id, i) => [id, decisions[i]]));
    const results = await this.options.tagService.updateMany(
      unique,
      change,
      (id, update) => {
        parseResourceId(id);
        return this.auditedUpdate(
          caller,
          id,
          change,
          allowed.get(id) ?? false,
          update,
        );
      },
    );
    const items = results.map((r): BulkTagItemResult => {
      if (r.ok) {
        return { resourceId: r.resourceId, status: 200, result: r.result };
      }
      const status = TAG_ERROR_STATUS[r.error.name] ?? 500;
      return {
        resourceId: r.resourceId,
        status,
        // An unexpected error's message may carry anything, so it is not passed on.
        error:
          status === 500
            ? { name: 'Error', message: 'Internal error' }
            : { name: r.error.name, message: r.error.message },
        ...tagErrorRecoveryFields(r.error),
      };
    });
    return {
      results: items,
      succeeded: items.filter(i => i.status === 200).length,
      failed: items.filter(i => i.status !== 200).length,
    };
  }
}
