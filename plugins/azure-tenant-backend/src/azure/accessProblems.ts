import { isRestError } from '@azure/core-rest-pipeline';
import {
  AzureAccessAction,
  AzureAccessProblem,
  AzureAccessStatus,
} from '@azure-tenant/plugin-azure-tenant-common';

/**
 * What the portal was doing when Azure refused: a read (sync, spend, live tags), a tag write, or getting its own
 * app-only token. A 403 on a read means the Reader role is gone; on a tag write, the Tag Contributor role.
 */
export type AzureOperation = 'read' | 'tag-write' | 'token';

/**
 * A lost-access problem found in an answer of Azure: the problem, whether it concerns the whole tenant or one
 * subscription, Azure's error code, and a sentence a person can act on. It holds nothing else of the error: the
 * SDKs' error objects carry the request (a bearer token), scopes and tracing options.
 */
export interface AccessProblemFinding {
  problem: AzureAccessProblem;
  scope: 'tenant' | 'subscription';
  /** Azure's error code (`AADSTS7000229`, `AuthorizationFailed`, `SubscriptionNotFound`, ...). */
  code: string;
  message: string;
}

/** Entra ID's answers that say the portal's service principal cannot get a token in the tenant. */
const CONSENT_AADSTS = [
  // The client application is missing service principal in the tenant (deleted, or consent never given).
  'AADSTS7000229',
  // Application not found in the directory (consent revoked: the enterprise app was removed).
  'AADSTS700016',
  // The service principal is disabled in the tenant.
  'AADSTS7000112',
  // The user or administrator has not consented to use the application.
  'AADSTS65001',
];
const CONSENT_ERRORS = ['invalid_client', 'unauthorized_client'];

/** What an administrator can do about each problem. */
export const ACCESS_ACTIONS: Record<AzureAccessProblem, AzureAccessAction> = {
  'consent-revoked': 'reconnect',
  'read-denied': 'reconnect',
  'tag-write-denied': 'reconnect',
  'subscription-disabled': 'enable-subscription',
  'subscription-warned': 'enable-subscription',
  'subscription-deleted': 'none',
  'subscription-moved': 'none',
};

/**
 * Problems whose syncs back off: every problem but `subscription-warned` (Azure still answers reads) and
 * `tag-write-denied` (reads work; only tag writes are refused).
 */
export function stopsSync(problem: AzureAccessProblem): boolean {
  return problem !== 'subscription-warned' && problem !== 'tag-write-denied';
}

/**
 * Whether a sync waits rather than asks Azure now: access was lost with a problem that stops syncs, and its next
 * attempt is not due yet. The stored data stays, shown as stale.
 */
export function backsOff(access: AzureAccessStatus, now: Date): boolean {
  return (
    !!access.nextAttemptAt &&
    stopsSync(access.problem) &&
    Date.parse(access.nextAttemptAt) > now.getTime()
  );
}

/** The sentence for each problem, naming the tenant or the subscription it concerns. */
export function accessProblemMessage(
  problem: AzureAccessProblem,
  target: { tenantId?: string; subscriptionId?: string },
  code?: string,
): string {
  const subscription = `subscription ${target.subscriptionId ?? ''}`.trim();
  const tenant = `tenant ${target.tenantId ?? ''}`.trim();
  const because = code ? ` (Azure answered ${code})` : '';
  switch (problem) {
    case 'consent-revoked':
      return `Microsoft Entra ID refuses the portal's credentials in ${tenant}${because}: admin consent was revoked or the portal's service principal was deleted. An administrator can reconnect the tenant on the Azure tenants page.`;
    case 'read-denied':
      return `The portal's service principal no longer has the Reader role on ${subscription}${because}; an administrator can reconnect the tenant on the Azure tenants page.`;
    case 'tag-write-denied':
      return `The portal's service principal no longer has the Tag Contributor role on ${subscription}${because}; an administrator can reconnect the tenant on the Azure tenants page.`;
    case 'subscription-disabled':
      return `Azure has disabled ${subscription}${because}; the portal shows its last synced state until an owner re-enables it in Azure.`;
    case 'subscription-warned':
      return `Azure has put ${subscription} in the Warned state${because} and will disable it unless its owner acts (for example on its payment method) in Azure.`;
    case 'subscription-deleted':
      return `Azure has deleted ${subscription}${because}; the portal keeps its last synced state.`;
    case 'subscription-moved':
    default:
      return `${subscription[0].toUpperCase()}${subscription.slice(
        1,
      )} was moved to another Microsoft Entra tenant${because}; connect that tenant to sync it again.`;
  }
}

/** The problem that a subscription's state in Azure (`GET /subscriptions/{id}`) means; undefined when enabled. */
export function subscriptionStateProblem(
  state: string | undefined,
  subscriptionId: string,
): AccessProblemFinding | undefined {
  const problem = (
    {
      disabled: 'subscription-disabled',
      warned: 'subscription-warned',
      deleted: 'subscription-deleted',
    } as Record<string, AzureAccessProblem | undefined>
  )[(state ?? '').toLowerCase()];
  if (!problem) return undefined;
  return {
    problem,
    scope: 'subscription',
    code: `state ${state}`,
    message: accessProblemMessage(problem, { subscriptionId }),
  };
}

/** The AADSTS code (or OAuth error) of a token error, found in its message or its cause; undefined otherwise. */
function tokenErrorCode(error: unknown): string | undefined {
  const texts: string[] = [];
  for (
    let current: unknown = error, depth = 0;
    current && depth < 4;
    current = (current as { cause?: unknown }).cause, depth++
  ) {
    const { message, errorCode, name } = current as {
      message?: unknown;
      errorCode?: unknown;
      name?: unknown;
    };
    if (typeof message === 'string') texts.push(message);
    if (typeof errorCode === 'string') texts.push(errorCode);
    if (typeof name === 'string') texts.push(name);
  }
  const text = texts.join(' ');
  const aadsts = CONSENT_AADSTS.find(code => text.includes(code));
  if (aadsts) return aadsts;
  return CONSENT_ERRORS.find(code => new RegExp(`\\b${code}\\b`).test(text));
}

/** Whether an error comes from getting a token (`@azure/identity`), rather than from Azure Resource Manager. */
function isTokenError(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  return (
    name === 'AuthenticationRequiredError' ||
    name === 'AuthenticationError' ||
    name === 'CredentialUnavailableError'
  );
}

/**
 * Classifies what Azure answered into a lost-access problem, in one place for the resource sync, the spend sync
 * and the tag path:
 * - token errors `AADSTS7000229`, `invalid_client`, `unauthorized_client` (and the codes of a removed enterprise
 *   app): the tenant's `consent-revoked`;
 * - ARM 401 `InvalidAuthenticationTokenTenant`: `subscription-moved`; 404 `SubscriptionNotFound`:
 *   `subscription-deleted`;
 * - ARM 403 `AuthorizationFailed`: `read-denied` on a read, `tag-write-denied` on a tag write;
 * - 409 `ReadOnlyDisabledSubscription` / `SubscriptionNotRegistered`-like states on a disabled subscription:
 *   `subscription-disabled`.
 *
 * Anything else (throttling, a timeout, a server error) is not lost access: undefined.
 */
export function classifyAccessProblem(
  error: unknown,
  operation: AzureOperation,
  target: { tenantId: string; subscriptionId?: string },
): AccessProblemFinding | undefined {
  const finding = (
    problem: AzureAccessProblem,
    scope: AccessProblemFinding['scope'],
    code: string,
  ): AccessProblemFinding => ({
    problem,
    scope,
    code,
    message: accessProblemMessage(problem, target, code),
  });

  if (operation === 'token' || isTokenError(error)) {
    const code = tokenErrorCode(error);
    return code ? finding('consent-revoked', 'tenant', code) : undefined;
  }
  if (!isRestError(error)) return undefined;
  const code = error.code ?? '';
  const status = error.statusCode;
  if (code === 'InvalidAuthenticationTokenTenant') {
    return finding('subscription-moved', 'subscription', code);
  }
  if (code === 'SubscriptionNotFound') {
    return finding('subscription-deleted', 'subscription', code);
  }
  if (
    code === 'ReadOnlyDisabledSubscription' ||
    code === 'DisabledSubscription' ||
    code === 'SubscriptionDisabled'
  ) {
    return finding('subscription-disabled', 'subscription', code);
  }
  if (
    status === 403 &&
    (code === 'AuthorizationFailed' ||
      code === 'LinkedAuthorizationFailed' ||
      code === '')
  ) {
    return finding(
      operation === 'tag-write' ? 'tag-write-denied' : 'read-denied',
      'subscription',
      code || 'Forbidden',
    );
  }
  return undefined;
}

/**
 * An Azure call the portal could not make because it lost access. It carries only the finding: never the SDK's
 * error, which holds the request, scopes and tracing options.
 */
export class AzureAccessError extends Error {
  readonly finding: AccessProblemFinding;

  constructor(finding: AccessProblemFinding) {
    super(finding.message);
    this.name = 'AzureAccessError';
    this.finding = finding;
  }
}

/** Whether an error is an {@link AzureAccessError}. */
export function isAzureAccessError(error: unknown): error is AzureAccessError {
  return error instanceof Error && error.name === 'AzureAccessError';
}
