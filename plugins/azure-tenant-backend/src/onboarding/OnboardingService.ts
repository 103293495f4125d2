import crypto from 'node:crypto';
import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import {
  DEFAULT_SYNC_MODE,
  Onboarding,
  OnboardingKind,
  OnboardingStartResponse,
  RoleStatus,
} from '@azure-tenant/plugin-azure-tenant-common';
import { AzureConnection } from '../azure/azureConnection';
import { RoleToAssign } from '../azure/builtInRoles';
import {
  buildAuthorizeUrl,
  DelegatedArmToken,
  redeemAuthorizationCode,
} from '../azure/entraAuthorization';
import { isEntraAuthorizationError } from '../azure/entraAuthorizationError';
import { AzureTenantStore } from '../database/AzureTenantStore';
import { azureErrorFields } from '../metrics/azureFailure';
import {
  hashOnboardingState,
  newOnboardingState,
  ONBOARDING_STATE_TTL_MS,
  pkceChallengeFor,
  pkceVerifierFor,
} from './onboardingState';
import {
  runTenantOnboarding,
  TenantOnboardingReport,
} from './TenantOnboardingJob';

/** What the browser gets at the end of the Entra ID redirect. */
export type CallbackOutcome =
  | { type: 'redirect'; location: string }
  | { type: 'error'; status: number; title: string; message: string };

/**
 * The answer of Entra ID at the callback: the form it POSTs (`response_mode=form_post`), or the query of a GET.
 */
export interface CallbackQuery {
  state?: string;
  code?: string;
  error?: string;
  error_description?: string;
}

/** Options for {@link OnboardingService}. */
export interface OnboardingServiceOptions {
  store: AzureTenantStore;
  connection: AzureConnection;
  roles: RoleToAssign[];
  logger: LoggerService;
  auditor: AuditorService;
  /** Called when an onboarding registered subscriptions, to start their first sync. */
  onSubscriptionsRegistered?: () => Promise<void>;
  /** The clock; tests move it. Defaults to the system clock. */
  now?: () => Date;
}

/** A running onboarding is declared abandoned (its backend stopped) after this long. */
const ABANDONED_AFTER_MS = 30 * 60_000;

/**
 * The consent and role-assignment flow: `start` sends the user to Entra ID, `handleCallback` takes them back,
 * redeems the code, and runs the role assignments in the background while the portal shows their progress.
 */
export class OnboardingService {
  private readonly running = new Set<Promise<void>>();
  private readonly now: () => Date;

  constructor(private readonly options: OnboardingServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Starts an onboarding. `tenantId` sends the user to that tenant's sign-in (Entra's authorize URL carries it):
   * *Reconnect* of a tenant already connected runs consent again there and re-assigns the roles that are missing.
   */
  async start(options: {
    kind: OnboardingKind;
    startedBy: string;
    tenantId?: string;
  }): Promise<OnboardingStartResponse> {
    const { store, connection } = this.options;
    const state = newOnboardingState();
    const createdAt = this.now();
    const expiresAt = new Date(createdAt.getTime() + ONBOARDING_STATE_TTL_MS);
    const id = crypto.randomUUID();
    await store.createOnboarding({
      id,
      kind: options.kind,
      stateHash: hashOnboardingState(state),
      startedBy: options.startedBy,
      createdAt,
      expiresAt,
    });
    const verifier = pkceVerifierFor(state, connection.config.stateSecret);
    return {
      onboardingId: id,
      authorizeUrl: buildAuthorizeUrl(connection, {
        state,
        codeChallenge: pkceChallengeFor(verifier),
        ...(options.tenantId ? { tenantId: options.tenantId } : {}),
      }),
      expiresAt: expiresAt.toISOString(),
    };
  }

  /**
   * The answer Entra ID POSTs to the callback (`response_mode=form_post`): the state claims its onboarding (once),
   * then the code is redeemed and the role assignments start, or Entra ID's error ends the onboarding.
   */
  async handleCallback(query: CallbackQuery): Promise<CallbackOutcome> {
    const { store, connection } = this.options;
    const claimed = await this.claim(query.state);
    if ('outcome' in claimed) return claimed.outcome;
    const { onboarding, state } = claimed;

    if (query.error || !query.code) {
      return this.refused(onboarding, query);
    }

    let delegated: DelegatedArmToken;
    try {
      delegated = await redeemAuthorizationCode(connection, {
        code: query.code,
        codeVerifier: pkceVerifierFor(state, connection.config.stateSecret),
      });
    } catch (error) {
      const reason = isEntraAuthorizationError(error)
        ? error.message
        : 'Could not redeem the sign-in at Microsoft Entra ID.';
      await this.fail(onboarding, reason);
      return {
        type: 'error',
        status: 502,
        title: 'The sign-in failed',
        message: `${reason} Nothing was registered.`,
      };
    }

    await store.setOnboardingTenant(onboarding.id, delegated.tenantId);
    this.track(this.runJob(onboarding, delegated));
    const location = new URL(connection.config.onboarding.completionUrl);
    location.searchParams.set('onboarding', onboarding.id);
    return { type: 'redirect', location: location.toString() };
  }

  /**
   * An answer that arrived in the callback's address (a GET). The portal asks Entra ID to POST its answer, so this
   * is an authorize URL made before it did (`response_mode=query`), or an address typed or replayed by hand. A code
   * in the address is never redeemed: the address may already be in an access log or the browser's history. The
   * state still claims its onboarding, which ends as failed, so that the same answer cannot be posted later.
   */
  async handleCallbackInAddress(
    query: CallbackQuery,
  ): Promise<CallbackOutcome> {
    if (!query.state && !query.code && !query.error) {
      return {
        type: 'error',
        status: 400,
        title: 'Nothing to do at this address',
        message:
          'This address receives the answer of Microsoft Entra ID when a tenant is connected, and Entra ID sends it as a form, not in the address. To connect a tenant, start from the Azure tenants page.',
      };
    }
    const claimed = await this.claim(query.state);
    if ('outcome' in claimed) return claimed.outcome;
    if (query.error && !query.code) {
      // An error holds nothing secret: the onboarding ends with Entra ID's reason, as when it is posted.
      return this.refused(claimed.onboarding, query);
    }
    const reason =
      "Microsoft Entra ID's answer came in the page's address, where access logs and the browser's history keep it, so the portal did not use it. Start again from the Azure tenants page.";
    await this.fail(claimed.onboarding, reason);
    return {
      type: 'error',
      status: 400,
      title: 'The sign-in was not used',
      message: `${reason} Nothing was registered.`,
    };
  }

  /** Claims the onboarding of a state, once; or the page that says why it cannot be. */
  private async claim(
    state: string | undefined,
  ): Promise<
    | { onboarding: Onboarding; state: string }
    | { outcome: CallbackOutcome & { type: 'error' } }
  > {
    if (!state) {
      return {
        outcome: {
          type: 'error',
          status: 400,
          title: 'This is not a sign-in the portal started',
          message:
            'The response from Microsoft Entra ID has no state. Start again from the Azure tenants page. Nothing was registered.',
        },
      };
    }
    const claim = await this.options.store.claimOnboarding(
      hashOnboardingState(state),
      this.now(),
    );
    const refusal = (
      status: number,
      title: string,
      message: string,
    ): { outcome: CallbackOutcome & { type: 'error' } } => ({
      outcome: { type: 'error', status, title, message },
    });
    switch (claim.claim) {
      case 'unknown':
        return refusal(
          400,
          'This is not a sign-in the portal started',
          'The state of this response matches no onboarding: it was forged, or it belongs to another portal. Nothing was registered.',
        );
      case 'used':
        return refusal(
          409,
          'This sign-in was already used',
          'Each sign-in response can be used once, and this one has been. Nothing more was registered; see the Azure tenants page for the result.',
        );
      case 'expired':
        return refusal(
          400,
          'This sign-in has expired',
          'The sign-in took longer than 10 minutes. Start again from the Azure tenants page. Nothing was registered.',
        );
      default:
        return { onboarding: claim.onboarding, state };
    }
  }

  /** Ends a claimed onboarding with Entra ID's error (or the lack of a code). */
  private async refused(
    onboarding: Onboarding,
    query: CallbackQuery,
  ): Promise<CallbackOutcome> {
    const reason = query.error
      ? `Microsoft Entra ID answered ${query.error}${
          query.error_description ? `: ${query.error_description}` : ''
        }`
      : 'Microsoft Entra ID sent no authorization code.';
    await this.fail(onboarding, reason);
    return {
      type: 'error',
      status: 400,
      title:
        query.error === 'access_denied'
          ? 'Consent was not given'
          : 'The sign-in failed',
      message: `${reason} Nothing was registered.`,
    };
  }

  async getOnboarding(id: string): Promise<Onboarding | undefined> {
    const now = this.now();
    await this.options.store.endAbandonedOnboardings(
      now,
      new Date(now.getTime() - ABANDONED_AFTER_MS),
    );
    return this.options.store.getOnboarding(id);
  }

  /** Resolves when every onboarding job started so far has ended; for shutdown and tests. */
  async drain(): Promise<void> {
    while (this.running.size > 0) {
      await Promise.all([...this.running]);
    }
  }

  private track(job: Promise<void>) {
    this.running.add(job);
    job.finally(() => this.running.delete(job));
  }

  private async fail(onboarding: Onboarding, reason: string) {
    await this.options.store.completeOnboarding(onboarding.id, {
      status: 'failed',
      error: reason,
      results: [],
      completedAt: this.now(),
    });
    const audit = await this.options.auditor.createEvent({
      eventId: 'tenant-onboarding',
      severityLevel: 'medium',
      meta: { onboardingId: onboarding.id, startedBy: onboarding.startedBy },
    });
    await audit.fail({ error: new Error(reason) });
  }

  private async runJob(onboarding: Onboarding, delegated: DelegatedArmToken) {
    const { store, connection, roles, auditor } = this.options;
    // Every line of the job names the onboarding and its tenant, here and in the role assignments.
    const logger = this.options.logger.child({
      onboardingId: onboarding.id,
      tenantId: delegated.tenantId,
    });
    const audit = await auditor.createEvent({
      eventId: 'tenant-onboarding',
      severityLevel: 'high',
      meta: {
        onboardingId: onboarding.id,
        startedBy: onboarding.startedBy,
        tenantId: delegated.tenantId,
      },
    });
    let report: TenantOnboardingReport;
    try {
      report = await runTenantOnboarding(delegated, {
        connection,
        roles,
        logger,
        principalNotFoundRetries:
          connection.config.onboarding.principalNotFoundRetries,
        principalNotFoundRetryDelayMs:
          connection.config.onboarding.principalNotFoundRetryDelayMs,
      });
    } catch (error) {
      const reason = `Onboarding tenant ${delegated.tenantId} failed: ${
        (error as Error)?.message ?? String(error)
      }`;
      logger.warn(reason, azureErrorFields(error));
      await store.completeOnboarding(onboarding.id, {
        status: 'failed',
        tenantId: delegated.tenantId,
        error: reason,
        results: [],
        completedAt: this.now(),
      });
      await audit.fail({ error: new Error(reason) });
      return;
    }

    const at = this.now();
    const onboarded = report.subscriptions
      .map(subscription => {
        const granted = subscription.results
          .filter(
            r => r.outcome === 'assigned' || r.outcome === 'already-present',
          )
          .map(r => r.roleName);
        let roleStatus: RoleStatus = 'missing';
        if (granted.length === roles.length) roleStatus = 'granted';
        else if (granted.length > 0) roleStatus = 'partial';
        return { subscription, granted, roleStatus };
      })
      // A subscription where the portal holds none of its roles cannot be synced, so it is not registered.
      .filter(({ granted }) => granted.length > 0);

    await store.register(
      {
        tenantId: report.tenantId,
        displayName: report.tenantDisplayName,
        source: 'onboarding',
        servicePrincipalId: report.servicePrincipalId,
        connectedBy: onboarding.startedBy,
        at,
      },
      onboarded.map(({ subscription, granted, roleStatus }) => ({
        subscriptionId: subscription.subscriptionId,
        tenantId: report.tenantId,
        displayName: subscription.displayName,
        state: subscription.state,
        source: 'onboarding' as const,
        grantedRoles: granted,
        roleStatus,
        initialSyncMode: DEFAULT_SYNC_MODE,
        at,
      })),
    );
    // Consent was just given and the roles assigned: a lost access to the tenant, or a removed role, is back. The
    // token cached before may belong to a service principal that was deleted since; the next call gets a new one.
    connection.renewAppCredential(report.tenantId);
    await store.clearAccessProblem(
      { tenantId: report.tenantId },
      { problems: ['consent-revoked'] },
    );
    for (const { subscription, roleStatus } of onboarded) {
      if (roleStatus !== 'granted') continue;
      await store.clearAccessProblem(
        { subscriptionId: subscription.subscriptionId },
        { problems: ['read-denied', 'tag-write-denied'] },
      );
    }
    // The first sync of what was just connected (after a reconnect, at once rather than after the back-off).
    for (const { subscription } of onboarded) {
      await store.requestSync(subscription.subscriptionId, at);
    }
    if (onboarded.length > 0) {
      await this.options.onSubscriptionsRegistered?.();
    }

    const results = report.subscriptions.flatMap(s => s.results);
    await store.completeOnboarding(onboarding.id, {
      status: 'succeeded',
      tenantId: report.tenantId,
      partnerAdminLink: report.partnerAdminLink,
      results,
      completedAt: this.now(),
    });
    const count = (outcome: string) =>
      results.filter(r => r.outcome === outcome).length;
    await audit.success({
      meta: {
        servicePrincipalId: report.servicePrincipalId,
        subscriptionsRegistered: onboarded.map(
          o => o.subscription.subscriptionId,
        ),
        assigned: count('assigned'),
        alreadyPresent: count('already-present'),
        skippedNotOwner: count('skipped-not-owner'),
        failed: count('failed'),
        partnerAdminLink: report.partnerAdminLink ?? null,
      },
    });
    logger.info(
      `Onboarded tenant ${report.tenantId}: ${onboarded.length} of ${report.subscriptions.length} subscriptions registered`,
      {
        subscriptionsRegistered: onboarded.length,
        subscriptionsSeen: report.subscriptions.length,
      },
    );
  }
}
