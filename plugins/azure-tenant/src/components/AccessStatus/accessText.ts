import {
  AzureAccessProblem,
  AzureAccessStatus,
} from '@azure-tenant/plugin-azure-tenant-common';

/** What happened, in a few words: the heading of a lost-access state. */
export const ACCESS_PROBLEM_TITLES: Record<AzureAccessProblem, string> = {
  'consent-revoked': 'The portal can no longer sign in to this tenant',
  'read-denied': 'The portal can no longer read this subscription',
  'tag-write-denied': 'The portal can no longer write tags to Azure',
  'subscription-disabled': 'The subscription is disabled in Azure',
  'subscription-warned': 'Azure has put the subscription in the Warned state',
  'subscription-deleted': 'The subscription was deleted in Azure',
  'subscription-moved': 'The subscription was moved to another tenant',
};

/** Why, for a problem whose own message is not at hand (an entity carries only the problem and since when). */
const ACCESS_PROBLEM_EXPLANATIONS: Record<AzureAccessProblem, string> = {
  'consent-revoked':
    "Microsoft Entra ID refuses the portal's credentials: admin consent was revoked or the portal's service principal was deleted.",
  'read-denied':
    "Azure refuses to let the portal read the subscription: the Reader role of the portal's service principal was removed.",
  'tag-write-denied':
    "Resources and tags are still read, but Azure refuses tag changes: the Tag Contributor role of the portal's service principal was removed.",
  'subscription-disabled':
    'Azure does not let anyone read a disabled subscription, so the portal cannot sync it.',
  'subscription-warned':
    'The subscription still works, but Azure disables it if nothing is done.',
  'subscription-deleted':
    'Azure no longer has this subscription, so the portal cannot sync it.',
  'subscription-moved':
    "The subscription now belongs to a tenant the portal's service principal is not in.",
};

/** The explanation of a problem, for where the backend's own sentence is not at hand. */
export function explainAccessProblem(problem: AzureAccessProblem): string {
  return (
    ACCESS_PROBLEM_EXPLANATIONS[problem] ??
    'The portal cannot reach this subscription in Azure.'
  );
}

/** The heading of a problem; a problem this version does not know gets a generic one. */
export function accessProblemTitle(problem: string): string {
  return (
    ACCESS_PROBLEM_TITLES[problem as AzureAccessProblem] ??
    'The portal has lost access'
  );
}

/**
 * What an administrator does about a lost-access state. `reconnect` is done with the Reconnect button; the others
 * are done in Azure, so the sentence says what to do there.
 */
export function accessRemedy(
  access: Pick<AzureAccessStatus, 'problem' | 'action'>,
): string {
  if (access.action === 'reconnect') {
    return access.problem === 'consent-revoked'
      ? 'Reconnect the tenant: an administrator of the tenant signs in at Microsoft and grants admin consent again, and the portal assigns its roles again on the subscriptions they own.'
      : 'Reconnect the tenant: an Owner of the subscription signs in at Microsoft, and the portal assigns its missing roles again.';
  }
  if (access.action === 'enable-subscription') {
    return 'In the Azure portal, open Subscriptions and reactivate this subscription (a disabled subscription usually has a billing or spending-limit issue to settle). The portal syncs it again by itself once it is enabled.';
  }
  switch (access.problem) {
    case 'subscription-warned':
      return 'In the Azure portal, open the subscription and settle what Azure warns about (usually billing) before Azure disables it. The portal keeps syncing it meanwhile.';
    case 'subscription-deleted':
      return 'Nothing to do in the portal: its entities keep their last synced state. If the subscription was deleted by mistake, restore it in Azure; the portal syncs it again by itself.';
    case 'subscription-moved':
      return 'Connect the tenant the subscription now belongs to, as an Owner of the subscription there, to sync it again.';
    default:
      return 'This is resolved in Azure, not in the portal. The portal tries again by itself and resumes once access is back.';
  }
}

const RELATIVE_UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['week', 7 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
];

/** A time relative to now in words, e.g. "3 hours ago" or "in 5 minutes". */
export function formatRelativeTime(iso: string, now: number): string {
  const diff = Date.parse(iso) - now;
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, ms] of RELATIVE_UNITS) {
    if (Math.abs(diff) >= ms) {
      return format.format(Math.round(diff / ms), unit);
    }
  }
  return diff < 0 ? 'just now' : 'in less than a minute';
}

/** A time with both forms, e.g. "3 hours ago (2 Jan 2025, 10:00:00)", so it reads at a glance and exactly. */
export function formatTimeBoth(iso: string, now: number): string {
  if (Number.isNaN(Date.parse(iso))) {
    return iso;
  }
  return `${formatRelativeTime(iso, now)} (${new Date(iso).toLocaleString()})`;
}
