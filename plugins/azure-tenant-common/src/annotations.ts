import type { AzureAccessProblem } from './access';

/**
 * The Azure resource id of the resource (or subscription) that an entity stands for. The same key as the community
 * azure-resources module, so that the two plugins can work on the same entities.
 *
 * @public
 */
export const ANNOTATION_AZURE_RESOURCE_ID = 'management.azure.com/resourceId';

/**
 * The id of the Azure subscription that an entity belongs to.
 *
 * @public
 */
export const ANNOTATION_AZURE_SUBSCRIPTION_ID =
  'management.azure.com/subscriptionId';

/**
 * The id of the Microsoft Entra ID tenant that an entity belongs to.
 *
 * @public
 */
export const ANNOTATION_AZURE_TENANT_ID = 'management.azure.com/tenantId';

/**
 * The sync mode of the subscription an entity belongs to, as the catalog module last saw it.
 *
 * @public
 */
export const ANNOTATION_AZURE_SYNC_MODE = 'azure-tenant.io/sync-mode';

/**
 * On a subscription entity: the result of its last sync, `succeeded` or `failed`.
 *
 * @public
 */
export const ANNOTATION_AZURE_LAST_SYNC_STATUS =
  'azure-tenant.io/last-sync-status';

/**
 * On a subscription entity: when its last sync failed (ISO 8601). A successful sync sets no time, so that a sync
 * that changed nothing rewrites no entity; the Azure tenants page shows every sync's time.
 *
 * @public
 */
export const ANNOTATION_AZURE_LAST_SYNC_AT = 'azure-tenant.io/last-sync-at';

/**
 * On a subscription entity: why its last sync failed.
 *
 * @public
 */
export const ANNOTATION_AZURE_LAST_SYNC_ERROR =
  'azure-tenant.io/last-sync-error';

/**
 * On a subscription entity: the {@link AzureAccessProblem} while the portal has lost access to it; absent otherwise.
 * The entity then keeps its last good state.
 *
 * @public
 */
export const ANNOTATION_AZURE_ACCESS_PROBLEM = 'azure-tenant.io/access-problem';

/**
 * On a subscription entity: since when (ISO 8601) the portal has lost access, with
 * {@link ANNOTATION_AZURE_ACCESS_PROBLEM}.
 *
 * @public
 */
export const ANNOTATION_AZURE_ACCESS_SINCE = 'azure-tenant.io/access-since';

/**
 * On a resource or subscription entity: where its `spec.owner` came from. `tag` when the value of the owner tag
 * resolved to a catalog group or user; `default` when the entity fell back to the configured default owner (no owner
 * tag, a value that names no group or user, or a sync mode that keeps no tags). Showback counts an entity's spend
 * as its owner's only when it is `tag`: a default owner is a catch-all, not a team that claimed the resource.
 *
 * @public
 */
export const ANNOTATION_AZURE_OWNER_SOURCE = 'azure-tenant.io/owner-source';

/**
 * Label of a resource entity: its compliance with the portal's tag policies, `compliant`, `non-compliant` or
 * `unknown` (its subscription keeps no tags). A label, so that the catalog can filter on it
 * (`metadata.labels.azure-tenant.io/tag-compliance=non-compliant`).
 *
 * @public
 */
export const LABEL_AZURE_TAG_COMPLIANCE = 'azure-tenant.io/tag-compliance';

/**
 * Annotation of a non-compliant resource entity: the policies it breaks, as `key:code` pairs separated by commas, e.g.
 * `owner:missing,env:value-not-allowed`.
 *
 * @public
 */
export const ANNOTATION_AZURE_TAG_VIOLATIONS = 'azure-tenant.io/tag-violations';
