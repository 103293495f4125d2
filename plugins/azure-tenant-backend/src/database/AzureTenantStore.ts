import {
  AzureAccessProblem,
  AzureAccessStatus,
  AzureSubscription,
  AzureTenant,
  Onboarding,
  OnboardingKind,
  RoleAssignmentResult,
  RoleStatus,
  SyncMode,
} from '@azure-tenant/plugin-azure-tenant-common';

/** A new onboarding, waiting for the user to come back from Microsoft Entra ID. */
export interface NewOnboarding {
  id: string;
  kind: OnboardingKind;
  /** SHA-256 of the OAuth state; the state itself is never stored. */
  stateHash: string;
  startedBy: string;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * The answer to a callback's claim of an onboarding by its state:
 * - `claimed`: it was pending and unexpired, and is now running; only one claim of a state ever gets this;
 * - `unknown`: no onboarding has this state (forged, or from another portal);
 * - `used`: the state was claimed before (a replayed callback);
 * - `expired`: the user came back too late.
 */
export type OnboardingClaim =
  | { claim: 'claimed'; onboarding: Onboarding }
  | { claim: 'unknown' }
  | { claim: 'used'; onboarding: Onboarding }
  | { claim: 'expired'; onboarding: Onboarding };

/** How an onboarding ended. */
export interface OnboardingOutcome {
  status: 'succeeded' | 'failed';
  tenantId?: string;
  error?: string;
  partnerAdminLink?: Onboarding['partnerAdminLink'];
  results: RoleAssignmentResult[];
  completedAt: Date;
}

/** A tenant to register or refresh. */
export interface TenantRegistration {
  tenantId: string;
  displayName?: string;
  source: AzureTenant['source'];
  servicePrincipalId?: string;
  connectedBy?: string;
  at: Date;
}

/** A subscription to register or refresh. Its sync mode is kept when it exists already. */
export interface SubscriptionRegistration {
  subscriptionId: string;
  tenantId: string;
  displayName: string;
  state?: string;
  source: AzureSubscription['source'];
  grantedRoles: string[];
  roleStatus: RoleStatus;
  /** The sync mode of a new subscription. */
  initialSyncMode: SyncMode;
  at: Date;
}

/** How one resource sync of a subscription ended. */
export type SyncOutcome = {
  subscriptionId: string;
  startedAt: Date;
  finishedAt: Date;
} & (
  | {
      status: 'succeeded';
      resourceCount: number;
      /** The subscription's name as Azure has it now; replaces the one it was registered with. */
      displayName?: string;
      /**
       * The subscription's own tags as Azure has them now (`{}` when it has none); absent under the sync modes
       * `no-tags` and `none`, which keep none, so that the stored ones are cleared.
       */
      tags?: Record<string, string>;
    }
  | { status: 'failed'; error: string }
);

/** Where an access problem was seen: a whole tenant, or one subscription. */
export type AccessTarget = { tenantId: string } | { subscriptionId: string };

/** An access problem seen now, to keep on a tenant or a subscription. */
export interface AccessObservation {
  problem: AzureAccessProblem;
  /** A sentence a person can act on; never the raw error. */
  message: string;
  at: Date;
  /**
   * How long syncs wait before the next try, given how many syncs in a row met the problem (1 for the first).
   * Absent when syncs need not back off (a `Warned` subscription is still read).
   */
  retryDelayMs?: (attempts: number) => number;
}

/**
 * The Azure tenant plugin's tenants, subscriptions and onboardings. It is the one writer of the tables `tenants`,
 * `subscriptions`, `onboardings` and `onboarding_results` (see src/database/README.md).
 */
export interface AzureTenantStore {
  createOnboarding(onboarding: NewOnboarding): Promise<void>;
  /** Atomically moves a pending onboarding to running, so that a state is used at most once. */
  claimOnboarding(stateHash: string, now: Date): Promise<OnboardingClaim>;
  setOnboardingTenant(id: string, tenantId: string): Promise<void>;
  completeOnboarding(id: string, outcome: OnboardingOutcome): Promise<void>;
  getOnboarding(id: string): Promise<Onboarding | undefined>;
  /**
   * Ends onboardings that can no longer finish: pending past their expiry, and running ones left behind by a backend
   * that stopped in the middle (older than `runningCutoff`). Returns how many it ended.
   */
  endAbandonedOnboardings(now: Date, runningCutoff: Date): Promise<number>;

  /** Registers tenants and subscriptions together: either all of them are stored, or none. */
  register(
    tenant: TenantRegistration,
    subscriptions: SubscriptionRegistration[],
  ): Promise<void>;
  listTenants(): Promise<AzureTenant[]>;
  listSubscriptions(filter?: {
    tenantId?: string;
  }): Promise<AzureSubscription[]>;
  getSubscription(
    subscriptionId: string,
  ): Promise<AzureSubscription | undefined>;
  /** The subscriptions with these ids (exactly as stored: lower case); unknown ids are left out. */
  getSubscriptions(subscriptionIds: string[]): Promise<AzureSubscription[]>;
  /** Returns the updated subscription, or undefined when there is none with that id. */
  setSyncMode(
    subscriptionId: string,
    syncMode: SyncMode,
    at: Date,
  ): Promise<AzureSubscription | undefined>;
  /** Records that a sync was asked for. Returns the updated subscription, or undefined when there is none. */
  requestSync(
    subscriptionId: string,
    at: Date,
  ): Promise<AzureSubscription | undefined>;
  /**
   * Records how a subscription's resource sync ended. A request for a sync made while it ran asks for another run, so
   * only the requests made before `startedAt` are answered. A failure keeps the last resource count.
   */
  recordSyncOutcome(outcome: SyncOutcome): Promise<void>;

  /**
   * Keeps an access problem on a tenant or a subscription: `since` stays while the same problem persists, the count of
   * syncs in a row that met it grows, and `nextAttemptAt` moves by the back-off. Returns the stored status, or
   * undefined when there is no such tenant or subscription.
   */
  recordAccessProblem(
    target: AccessTarget,
    observation: AccessObservation,
  ): Promise<AzureAccessStatus | undefined>;
  /**
   * Clears the access problem of a tenant or a subscription (access is back). With `problems`, only when the stored
   * problem is one of them. With `seenBefore`, only when the problem was last met at or before that time: a read that
   * started before the problem was seen proves nothing about it, so a sync that began before access was lost and
   * ended after does not clear what a later one found. Returns whether something was cleared.
   */
  clearAccessProblem(
    target: AccessTarget,
    options?: { problems?: AzureAccessProblem[]; seenBefore?: Date },
  ): Promise<boolean>;
  /** The subscriptions the tenant's service principal can read that are not registered, as last listed. */
  setUnregisteredSubscriptions(
    tenantId: string,
    subscriptions: Array<{ subscriptionId: string; displayName: string }>,
  ): Promise<void>;
}
