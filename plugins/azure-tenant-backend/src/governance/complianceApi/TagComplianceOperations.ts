import { PermissionsService } from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizePermissionRequest,
  AuthorizeResult,
} from '@backstage/plugin-permission-common';
import {
  azureResourceEntityRef,
  azureSubscriptionEntityRef,
  azureTenantReadPermission,
  ResourceTagCompliance,
  TagComplianceSummary,
  TagComplianceTeams,
} from '@azure-tenant/plugin-azure-tenant-common';
import { chunks } from '../../database/batches';
import { Caller } from '../../service/caller';
import { ComplianceReader } from '../ComplianceStore';
import {
  ComplianceInput,
  encodeComplianceCursor,
  parseComplianceDays,
  parseComplianceListQuery,
  parseComplianceResourceId,
  parseComplianceSummaryQuery,
} from './complianceQuery';

/** Options for {@link TagComplianceOperations}. */
export interface TagComplianceOperationsOptions {
  compliance: ComplianceReader;
  permissions: PermissionsService;
}

/** A page of `GET /tag-compliance/resources`. */
export interface TagCompliancePage {
  items: ResourceTagCompliance[];
  /** Absent on the last page. */
  nextCursor?: string;
}

/**
 * Tag compliance for whoever asks, users and services alike: the REST API and the actions registry call the same
 * methods, so the same permission checks and errors apply to both. Compliance says what the catalog already shows
 * (resources and their tags), so it is read with the catalog's own permission:
 *
 * - a subscription's figure needs `catalog.entity.read` on the subscription's entity;
 * - an owner's figure needs `catalog.entity.read` on the owner's group or user entity;
 * - the figure of everything, and every team's (`teams`), need `azure-tenant.tenant.read`: as in showback, which
 *   shows all the teams side by side and the unowned rest only to those who may read the whole tenant;
 * - resources are listed when the caller may read their catalog entity, decided for a whole page at once, so a page
 *   may hold fewer resources than its limit; a single resource needs the same.
 */
export class TagComplianceOperations {
  constructor(private readonly options: TagComplianceOperationsOptions) {}

  /** `GET /tag-compliance/summary`: the current figure and daily history of everything, a subscription or an owner. */
  async summary(
    caller: Caller,
    input: ComplianceInput,
  ): Promise<TagComplianceSummary> {
    const query = parseComplianceSummaryQuery(input);
    let scope: TagComplianceSummary['scope'];
    if (query.subscriptionId) {
      const ref = azureSubscriptionEntityRef(query.subscriptionId);
      await this.require(
        caller,
        { permission: catalogEntityReadPermission, resourceRef: ref },
        `You may not see the tag compliance of subscription ${query.subscriptionId}: it needs catalog.entity.read on ${ref}`,
      );
      scope = { kind: 'subscription', subscriptionId: query.subscriptionId };
    } else if (query.ownerRef) {
      await this.require(
        caller,
        {
          permission: catalogEntityReadPermission,
          resourceRef: query.ownerRef,
        },
        `You may not see the tag compliance of ${query.ownerRef}: it needs catalog.entity.read on that entity`,
      );
      scope = { kind: 'owner', ownerRef: query.ownerRef };
    } else {
      await this.require(
        caller,
        { permission: azureTenantReadPermission },
        'You may not see the tag compliance of every resource: it needs azure-tenant.tenant.read; give subscriptionId or ownerRef for a part you may read',
      );
      scope = { kind: 'all' };
    }
    return this.options.compliance.summary(scope, query.days);
  }

  /** `GET /tag-compliance/teams`: every owner's figure with its trend, and the unowned resources'. */
  async teams(
    caller: Caller,
    input: ComplianceInput,
  ): Promise<TagComplianceTeams> {
    const days = parseComplianceDays(input);
    await this.require(
      caller,
      { permission: azureTenantReadPermission },
      "You may not compare every team's tag compliance: it needs azure-tenant.tenant.read; a team's own figure is at GET /tag-compliance/summary?ownerRef=",
    );
    return this.options.compliance.teams(days);
  }

  /** `GET /tag-compliance/resources`: a page of resources' compliance, in the order of their ids. */
  async list(
    caller: Caller,
    input: ComplianceInput,
  ): Promise<TagCompliancePage> {
    const query = parseComplianceListQuery(input);
    const { items, hasMore } = await this.options.compliance.listCompliance({
      ...(query.subscriptionId
        ? { subscriptionIds: [query.subscriptionId] }
        : {}),
      ...(query.ownerRef ? { ownerRef: query.ownerRef } : {}),
      ...(query.policyId ? { policyId: query.policyId } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.afterKey ? { afterKey: query.afterKey } : {}),
      limit: query.limit,
    });
    const decisions = await this.authorize(
      caller,
      items.map(item => ({
        permission: catalogEntityReadPermission,
        resourceRef: azureResourceEntityRef(item.resourceId),
      })),
    );
    const last = items.at(-1);
    return {
      items: items.filter((_, i) => decisions[i] === AuthorizeResult.ALLOW),
      // The last key read, not the last shown: the next page goes on after the resources left out too.
      ...(hasMore && last
        ? { nextCursor: encodeComplianceCursor(last.resourceId.toLowerCase()) }
        : {}),
    };
  }

  /** `GET /tag-compliance/resource`: one resource's compliance, as last evaluated. */
  async resource(
    caller: Caller,
    resourceIdInput: unknown,
  ): Promise<ResourceTagCompliance> {
    const { resourceId, key } = parseComplianceResourceId(resourceIdInput);
    const ref = azureResourceEntityRef(resourceId);
    // Asked before looking, so that a refusal does not tell whether the resource exists.
    await this.require(
      caller,
      { permission: catalogEntityReadPermission, resourceRef: ref },
      `You may not see the tag compliance of ${resourceId}: it needs catalog.entity.read on ${ref}`,
    );
    const found = (await this.options.compliance.getCompliance([key])).get(key);
    if (!found) {
      throw new NotFoundError(
        `The tag compliance of ${resourceId} is not known: the resource has not been synced, or not evaluated yet`,
      );
    }
    return found;
  }

  private async require(
    caller: Caller,
    request: AuthorizePermissionRequest,
    refusal: string,
  ): Promise<void> {
    const [decision] = await this.authorize(caller, [request]);
    if (decision !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(refusal);
    }
  }

  /** The decisions for `requests`, in their order, asked in batches. */
  private async authorize(
    caller: Caller,
    requests: AuthorizePermissionRequest[],
  ): Promise<AuthorizeResult[]> {
    const results: AuthorizeResult[] = [];
    for (const batch of chunks(requests)) {
      const decisions = await this.options.permissions.authorize(batch, {
        credentials: caller.credentials,
      });
      results.push(...decisions.map(d => d.result));
    }
    return results;
  }
}
