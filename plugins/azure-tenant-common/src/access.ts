/**
 * Why the portal cannot do its work in a tenant or a subscription, as it last saw:
 *
 * - `consent-revoked`: Entra ID refuses the portal's credentials in the tenant (`AADSTS7000229`, `invalid_client`,
 *   `unauthorized_client`): consent was revoked or the portal's service principal was deleted. Tenant-wide.
 * - `read-denied`: ARM answers 403 `AuthorizationFailed` to reads: the Reader role was removed.
 * - `tag-write-denied`: reads work, tag writes answer 403: the Tag Contributor role was removed.
 * - `subscription-disabled`, `subscription-warned`, `subscription-deleted`: Azure's state of the subscription.
 *   `Warned` still works (read only); it is shown so that someone acts before Azure disables it.
 * - `subscription-moved`: the subscription now belongs to another tenant.
 *
 * @public
 */
export type AzureAccessProblem =
  | 'consent-revoked'
  | 'read-denied'
  | 'tag-write-denied'
  | 'subscription-disabled'
  | 'subscription-warned'
  | 'subscription-deleted'
  | 'subscription-moved';

/**
 * What an administrator can do about an {@link AzureAccessProblem}: `reconnect` runs admin consent again for the
 * tenant and re-assigns the missing roles; `enable-subscription` and `none` are done in Azure, not in the portal.
 *
 * @public
 */
export type AzureAccessAction = 'reconnect' | 'enable-subscription' | 'none';

/**
 * A lost-access state kept for a tenant or a subscription, with its reason and since when. Absent when the portal
 * has access.
 *
 * @public
 */
export interface AzureAccessStatus {
  problem: AzureAccessProblem;
  /** A sentence a person can act on; never a token, a secret or a raw error object. */
  message: string;
  /** ISO 8601: when the portal first saw the problem. */
  since: string;
  /** ISO 8601: when the portal last checked and still saw it. */
  checkedAt: string;
  action: AzureAccessAction;
  /** ISO 8601: the next time a sync will try again (syncs back off while access is lost). */
  nextAttemptAt?: string;
}

/**
 * How old the data an answer is built from is, when the portal could not refresh it: the access problem that
 * stops the sync, and when the data was last refreshed. Absent when the data is current.
 *
 * @public
 */
export interface AzureDataStaleness {
  access: AzureAccessStatus;
  /** ISO 8601: the last successful sync, if there was one. */
  lastSuccessfulSyncAt?: string;
}
