import {
  AuditorService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import { EventsService } from '@backstage/plugin-events-node';
import {
  AZURE_TENANT_EVENTS_TOPIC,
  AzureSubscription,
  AzureTenant,
  azureTenantConnectPermission,
  azureTenantReadPermission,
  azureTenantSubscriptionManagePermission,
  azureTenantSubscriptionSyncPermission,
  Onboarding,
  OnboardingKind,
  OnboardingStartResponse,
  SyncMode,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantStore } from '../database/AzureTenantStore';
import { OnboardingService } from '../onboarding/OnboardingService';
import { ResourceSyncService } from '../sync/ResourceSyncService';
import { auditEventOptions, Caller, requireUser } from './caller';

/** Options for {@link SubscriptionOperations}. */
export interface SubscriptionOperationsOptions {
  store: AzureTenantStore;
  /** Undefined when `azureTenant` is not configured: requests are recorded, and nothing syncs. */
  sync?: ResourceSyncService;
  events: EventsService;
  /** Undefined when `azureTenant` is not configured: reads work, onboarding answers 503. */
  onboarding?: OnboardingService;
  permissions: PermissionsService;
  auditor: AuditorService;
  /** The clock; tests move it. Defaults to the system clock. */
  now?: () => Date;
}

/** What a sync request answers: when the sync was asked for. */
export interface SyncRequested {
  subscriptionId: string;
  syncRequestedAt: string;
}

const READ_REFUSAL =
  'You may not see the Azure tenants, their subscriptions and onboardings';

/** The 503 of every operation that needs the app registration, when `azureTenant` is not configured. */
export const NOT_CONFIGURED_MESSAGE =
  'The Azure tenant plugin is not configured: set azureTenant.clientId and a client secret or certificate in app-config';

/**
 * The tenants, subscriptions and onboardings, for whoever asks: the REST API and the actions registry call the same
 * methods, so the same permission checks, errors and audit events apply to both.
 */
export class SubscriptionOperations {
  private readonly now: () => Date;

  constructor(private readonly options: SubscriptionOperationsOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** The onboarding service, or a 503 that says what to configure. */
  requireOnboarding(): OnboardingService {
    if (!this.options.onboarding) {
      throw new ServiceUnavailableError(NOT_CONFIGURED_MESSAGE);
    }
    return this.options.onboarding;
  }

  /** Checks a permission; `refusal` says what the caller may not do, in words a user understands. */
  private async authorize(
    caller: Caller,
    permission: BasicPermission,
    refusal: string,
  ) {
    const [decision] = await this.options.permissions.authorize(
      [{ permission }],
      { credentials: caller.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(refusal);
    }
  }

  /**
   * Starts connecting a tenant (or *Reconnect* with `tenantId`), for a user with `azure-tenant.tenant.connect`.
   * Answers the URL of Entra ID's sign-in.
   */
  async startOnboarding(
    caller: Caller,
    options: { kind?: OnboardingKind; tenantId?: string },
  ): Promise<OnboardingStartResponse> {
    const service = this.requireOnboarding();
    const startedBy = requireUser(caller);
    const [decision] = await this.options.permissions.authorize(
      [{ permission: azureTenantConnectPermission }],
      { credentials: caller.credentials },
    );
    const kind = options.kind ?? 'connect';
    // *Reconnect*: the tenant to sign in to.
    const tenantId = options.tenantId?.toLowerCase();
    const audit = await this.options.auditor.createEvent(
      auditEventOptions(caller, {
        eventId: 'onboarding-start',
        severityLevel: 'medium',
        meta: { kind, ...(tenantId ? { tenantId } : {}) },
      }),
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      const error = new NotAllowedError('You may not connect Azure tenants');
      await audit.fail({ error });
      throw error;
    }
    const started = await service.start({
      kind,
      startedBy,
      ...(tenantId ? { tenantId } : {}),
    });
    await audit.success({ meta: { onboardingId: started.onboardingId } });
    return started;
  }

  /** An onboarding and its result for each subscription. */
  async getOnboarding(
    caller: Caller,
    onboardingId: string,
  ): Promise<Onboarding> {
    await this.authorize(caller, azureTenantReadPermission, READ_REFUSAL);
    const { onboarding, store } = this.options;
    const found = onboarding
      ? await onboarding.getOnboarding(onboardingId)
      : await store.getOnboarding(onboardingId);
    if (!found) {
      throw new NotFoundError(`No onboarding ${onboardingId}`);
    }
    return found;
  }

  /** The connected tenants. */
  async listTenants(caller: Caller): Promise<AzureTenant[]> {
    await this.authorize(caller, azureTenantReadPermission, READ_REFUSAL);
    return this.options.store.listTenants();
  }

  /** The onboarded subscriptions, of one tenant or of all. */
  async listSubscriptions(
    caller: Caller,
    filter: { tenantId?: string } = {},
  ): Promise<AzureSubscription[]> {
    await this.authorize(caller, azureTenantReadPermission, READ_REFUSAL);
    return this.options.store.listSubscriptions({
      tenantId: filter.tenantId?.toLowerCase(),
    });
  }

  /**
   * Changes a subscription's sync mode, for a caller with `azure-tenant.subscription.manage`, and asks for a sync
   * when the mode changed. Answers the subscription as it is after the change.
   */
  async setSyncMode(
    caller: Caller,
    subscriptionIdAsGiven: string,
    syncMode: SyncMode,
  ): Promise<AzureSubscription> {
    const { store, sync, auditor } = this.options;
    const subscriptionId = subscriptionIdAsGiven.toLowerCase();
    const audit = await auditor.createEvent(
      auditEventOptions(caller, {
        eventId: 'subscription-sync-mode',
        severityLevel: 'medium',
        meta: { subscriptionId, syncMode },
      }),
    );
    try {
      await this.authorize(
        caller,
        azureTenantSubscriptionManagePermission,
        'You may not change the sync mode of this subscription',
      );
      const before = await store.getSubscription(subscriptionId);
      if (!before) {
        throw new NotFoundError(`No onboarded subscription ${subscriptionId}`);
      }
      const after = await store.setSyncMode(
        subscriptionId,
        syncMode,
        this.now(),
      );
      await audit.success({
        meta: { before: before.syncMode, after: after!.syncMode },
      });
      if (before.syncMode === syncMode) return after!;
      await this.options.events.publish({
        topic: AZURE_TENANT_EVENTS_TOPIC,
        eventPayload: { type: 'subscription-changed', subscriptionId },
      });
      // The sync applies the new mode at once: under `none` it removes the resources, under `no-tags` it purges
      // their tags, and back from `none` it reads them again.
      const requested = sync
        ? await sync.requestSync(subscriptionId)
        : await store.requestSync(subscriptionId, this.now());
      return requested ?? after!;
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  }

  /** Asks for a subscription's sync to run now, for a caller with `azure-tenant.subscription.sync`. */
  async requestSync(
    caller: Caller,
    subscriptionIdAsGiven: string,
  ): Promise<SyncRequested> {
    const { store, sync, auditor } = this.options;
    const subscriptionId = subscriptionIdAsGiven.toLowerCase();
    const audit = await auditor.createEvent(
      auditEventOptions(caller, {
        eventId: 'subscription-sync-request',
        severityLevel: 'low',
        meta: { subscriptionId },
      }),
    );
    try {
      await this.authorize(
        caller,
        azureTenantSubscriptionSyncPermission,
        'You may not start a sync of this subscription',
      );
      const updated = sync
        ? await sync.requestSync(subscriptionId)
        : await store.requestSync(subscriptionId, this.now());
      if (!updated) {
        throw new NotFoundError(`No onboarded subscription ${subscriptionId}`);
      }
      await audit.success();
      // Set by the request just made.
      return { subscriptionId, syncRequestedAt: updated.syncRequestedAt! };
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  }
}
