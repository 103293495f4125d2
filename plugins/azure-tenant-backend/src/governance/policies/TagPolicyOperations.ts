import {
  AuditorService,
  AuditorServiceEvent,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  azureTenantTagPolicyManagePermission,
  AzureTagPolicyAssignment,
  TagPolicy,
} from '@azure-tenant/plugin-azure-tenant-common';
import { JsonObject } from '@backstage/types';
import { isGuid } from '../../azure/guid';
import { AzureTenantStore } from '../../database/AzureTenantStore';
import { auditEventOptions, Caller, requireUser } from '../../service/caller';
import { TagPolicyStore } from '../TagPolicyStore';
import { AzureTagPolicyAssignmentStore } from './AzureTagPolicyAssignmentStore';
import { DECLARED_TAG_POLICIES_KEY } from './declaredTagPolicies';
import { parseTagPolicyInput } from './tagPolicyInput';

/** Options for {@link TagPolicyOperations}. */
export interface TagPolicyOperationsOptions {
  store: TagPolicyStore;
  /** The Azure Policy assignments about tags, as last read. */
  azurePolicies: Pick<AzureTagPolicyAssignmentStore, 'listAssignments'>;
  /** The connected subscriptions: `GET /tag-policies/azure?subscriptionId=` of another is a 404. */
  subscriptions: Pick<AzureTenantStore, 'getSubscription'>;
  permissions: PermissionsService;
  auditor: AuditorService;
  /**
   * Called after a policy was created, replaced or deleted, so that compliance is evaluated again at once. Its
   * failure does not undo the change. Defaults to nothing.
   */
  onPoliciesChanged?: () => Promise<void> | void;
  logger?: LoggerService;
}

/**
 * Tag policies, for whoever asks: the REST API and the actions registry call the same methods, so the same
 * validation, permission checks, errors and audit events apply to both.
 *
 * Any user or service may read the policies and the Azure Policy assignments about tags. Creating, replacing and
 * deleting are for users with `azure-tenant.tag-policy.manage`, and audited (`tag-policy-create`, `-update`,
 * `-delete`), a refused one too. Policies declared in app-config are read-only here (409).
 */
export class TagPolicyOperations {
  constructor(private readonly options: TagPolicyOperationsOptions) {}

  /** Every policy, declared and made in the portal, by id. */
  async list(_caller: Caller): Promise<TagPolicy[]> {
    return this.options.store.listPolicies();
  }

  async get(_caller: Caller, policyId: string): Promise<TagPolicy> {
    return this.find(policyId);
  }

  /** Makes a policy (users with the manage permission). */
  async create(caller: Caller, body: unknown): Promise<TagPolicy> {
    const user = requireUser(caller);
    return this.audited(caller, 'tag-policy-create', {}, async () => {
      await this.authorize(caller, 'You may not create tag policies');
      const input = parseTagPolicyInput(body);
      const policy = await this.options.store.createPolicy(input, user);
      return {
        result: policy,
        meta: { policyId: policy.id, after: auditFields(policy) },
      };
    });
  }

  /** Replaces a policy made in the portal (users with the manage permission); its creator and creation stay. */
  async replace(
    caller: Caller,
    policyId: string,
    body: unknown,
  ): Promise<TagPolicy> {
    requireUser(caller);
    return this.audited(caller, 'tag-policy-update', { policyId }, async () => {
      await this.authorize(caller, `You may not change tag policy ${policyId}`);
      const input = parseTagPolicyInput(body);
      const existing = await this.find(policyId);
      assertPortalPolicy(existing, 'changed');
      const policy = await this.options.store.updatePolicy(existing.id, input);
      // Deleted meanwhile.
      if (!policy)
        throw new NotFoundError(`There is no tag policy ${policyId}`);
      return {
        result: policy,
        meta: { before: auditFields(existing), after: auditFields(policy) },
      };
    });
  }

  /** Deletes a policy made in the portal (users with the manage permission). */
  async delete(caller: Caller, policyId: string): Promise<void> {
    requireUser(caller);
    await this.audited(caller, 'tag-policy-delete', { policyId }, async () => {
      await this.authorize(caller, `You may not delete tag policy ${policyId}`);
      const existing = await this.find(policyId);
      assertPortalPolicy(existing, 'removed');
      if (!(await this.options.store.deletePolicy(existing.id))) {
        throw new NotFoundError(`There is no tag policy ${policyId}`);
      }
      return { result: undefined, meta: { before: auditFields(existing) } };
    });
  }

  /**
   * The Azure Policy assignments about tags, as last read, of one connected subscription or of all; read-only, for
   * any user or service.
   */
  async listAzure(
    _caller: Caller,
    filter: { subscriptionId?: unknown } = {},
  ): Promise<AzureTagPolicyAssignment[]> {
    const { subscriptionId } = filter;
    if (subscriptionId === undefined) {
      return this.options.azurePolicies.listAssignments();
    }
    if (typeof subscriptionId !== 'string' || !isGuid(subscriptionId)) {
      throw new InputError('subscriptionId must be a subscription id, a GUID');
    }
    const id = subscriptionId.toLowerCase();
    if (!(await this.options.subscriptions.getSubscription(id))) {
      throw new NotFoundError(
        `Subscription ${subscriptionId} is not connected to the portal`,
      );
    }
    return this.options.azurePolicies.listAssignments({ subscriptionId: id });
  }

  /** A policy by id: a portal policy's GUID in any case, or a declared one's `config:<id>`. */
  private async find(policyId: string): Promise<TagPolicy> {
    const { store } = this.options;
    const policy =
      (await store.getPolicy(policyId)) ??
      (await store.getPolicy(policyId.toLowerCase()));
    if (!policy) throw new NotFoundError(`There is no tag policy ${policyId}`);
    return policy;
  }

  /** Throws a NotAllowedError that says `denial` unless the caller holds `azure-tenant.tag-policy.manage`. */
  private async authorize(caller: Caller, denial: string): Promise<void> {
    const [decision] = await this.options.permissions.authorize(
      [{ permission: azureTenantTagPolicyManagePermission }],
      { credentials: caller.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `${denial}: ${azureTenantTagPolicyManagePermission.name} is denied`,
      );
    }
  }

  /** Runs a write inside its audit event: success with `meta`, or the failure (a refusal too); then tells. */
  private async audited<T>(
    caller: Caller,
    eventId: string,
    meta: JsonObject,
    write: () => Promise<{ result: T; meta: JsonObject }>,
  ): Promise<T> {
    const audit: AuditorServiceEvent = await this.options.auditor.createEvent(
      auditEventOptions(caller, { eventId, severityLevel: 'medium', meta }),
    );
    let outcome: { result: T; meta: JsonObject };
    try {
      outcome = await write();
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
    await audit.success({ meta: outcome.meta });
    await this.changed();
    return outcome.result;
  }

  /** Tells the compliance evaluation; a failure there does not undo the change, which is stored already. */
  private async changed(): Promise<void> {
    try {
      await this.options.onPoliciesChanged?.();
    } catch (error) {
      this.options.logger?.warn(
        `Tag policies changed, but compliance could not be evaluated at once; the next evaluation will: ${error}`,
      );
    }
  }
}

function assertPortalPolicy(policy: TagPolicy, verb: string): void {
  if (policy.source === 'config') {
    throw new ConflictError(
      `Tag policy ${policy.id} is declared in app-config (${DECLARED_TAG_POLICIES_KEY}); change it there: it is ${verb} there, not in the portal`,
    );
  }
}

/** A policy as an audit event's metadata: JSON already, as the API answers it. */
function auditFields(policy: TagPolicy): JsonObject {
  return JSON.parse(JSON.stringify(policy));
}
