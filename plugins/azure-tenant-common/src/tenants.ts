import { AzureAccessStatus } from './access';
import { SyncMode } from './syncMode';

/**
 * A connected Microsoft Entra ID tenant, as `GET /tenants` returns it.
 *
 * @public
 */
export interface AzureTenant {
  tenantId: string;
  displayName?: string;
  /** `onboarding` when connected through the portal, `config` when declared in app-config. */
  source: 'onboarding' | 'config';
  /** The object id of the portal's service principal in this tenant. */
  servicePrincipalId?: string;
  connectedBy?: string;
  /** ISO 8601. */
  connectedAt: string;
  subscriptionCount: number;
  /** Set while the portal has lost access to the whole tenant (consent revoked, service principal deleted). */
  access?: AzureAccessStatus;
  /**
   * Subscriptions of the tenant that the portal's service principal can read but that are not registered, and
   * subscriptions newly owned by the consenting user seen at the last consent: offered to add.
   */
  unregisteredSubscriptions?: Array<{
    subscriptionId: string;
    displayName: string;
  }>;
}

/**
 * Whether the portal's service principal holds the roles it needs on a subscription, as far as the portal knows:
 * `granted` (all of them), `partial`, `missing` (none), or `unknown` (declared in config, never checked).
 *
 * @public
 */
export type RoleStatus = 'granted' | 'partial' | 'missing' | 'unknown';

/**
 * The outcome of the last sync of a subscription.
 *
 * @public
 */
export interface SyncResultSummary {
  status: 'succeeded' | 'failed';
  /** ISO 8601. */
  finishedAt: string;
  error?: string;
}

/**
 * An onboarded subscription, as `GET /subscriptions` returns it.
 *
 * @public
 */
export interface AzureSubscription {
  subscriptionId: string;
  tenantId: string;
  displayName: string;
  /** Azure's state of the subscription, e.g. `Enabled`. */
  state?: string;
  syncMode: SyncMode;
  roleStatus: RoleStatus;
  /** The roles the portal's service principal holds there, by name. */
  grantedRoles: string[];
  source: 'onboarding' | 'config';
  lastSync?: SyncResultSummary;
  /** ISO 8601: when someone asked for a sync that has not run yet. */
  syncRequestedAt?: string;
  /** Set while the portal has lost access to this subscription (or to its whole tenant). */
  access?: AzureAccessStatus;
  /** ISO 8601: the last successful resource sync; the catalog keeps that state while access is lost. */
  lastSuccessfulSyncAt?: string;
  /**
   * The subscription's own Azure tags (from `GET /subscriptions/{id}`), as of the last sync; absent under the sync
   * modes `no-tags` and `none`. Resources inherit from them under a tag policy's `inherit`.
   */
  tags?: Record<string, string>;
}
