/**
 * Whether an onboarding connects a tenant for the first time or adds more of its subscriptions. Both run the same
 * flow; the difference is what the portal says.
 *
 * @public
 */
export type OnboardingKind = 'connect' | 'add-subscriptions';

/**
 * Where an onboarding is:
 * - `pending`: the user was sent to Microsoft Entra ID and has not come back yet;
 * - `running`: consent was given, and roles are being assigned;
 * - `succeeded`: every subscription has a result (some may be skipped or failed: see the results);
 * - `failed`: the whole onboarding failed (consent denied, sign-in failed, or an error before any subscription);
 * - `expired`: the user did not come back within 10 minutes.
 *
 * @public
 */
export type OnboardingStatus =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'expired';

/**
 * What happened to one role on one subscription:
 * - `assigned`: the portal's service principal now has the role;
 * - `already-present`: it had the role already;
 * - `skipped-not-owner`: the consenting user is neither Owner nor User Access Administrator of the subscription, so
 *   the portal could not assign anything there;
 * - `failed`: Azure refused or failed; `reason` says why.
 *
 * @public
 */
export type RoleAssignmentOutcome =
  | 'assigned'
  | 'already-present'
  | 'skipped-not-owner'
  | 'failed';

/**
 * The result of one role on one subscription in an onboarding.
 *
 * @public
 */
export interface RoleAssignmentResult {
  subscriptionId: string;
  subscriptionName: string;
  /** The role's name, e.g. `Reader` or `Tag Contributor`. */
  roleName: string;
  outcome: RoleAssignmentOutcome;
  /** Why it was skipped or failed, in plain words. */
  reason?: string;
}

/**
 * One run of the consent and role-assignment flow, as `GET /onboardings/{id}` returns it.
 *
 * @public
 */
export interface Onboarding {
  id: string;
  kind: OnboardingKind;
  status: OnboardingStatus;
  /** The Backstage user who started it. */
  startedBy: string;
  /** The Entra ID tenant, once the user has signed in. */
  tenantId?: string;
  /** ISO 8601 timestamps. */
  createdAt: string;
  completedAt?: string;
  /** Why the whole onboarding failed or expired. */
  error?: string;
  /** Whether the portal associated its Partner Admin Link id in the tenant (only when one is configured). */
  partnerAdminLink?: 'associated' | 'already-associated' | 'failed';
  results: RoleAssignmentResult[];
}

/**
 * The answer of `POST /onboarding/start`: where to send the user's browser.
 *
 * @public
 */
export interface OnboardingStartResponse {
  onboardingId: string;
  authorizeUrl: string;
  /** ISO 8601: the sign-in must come back before this. */
  expiresAt: string;
}
