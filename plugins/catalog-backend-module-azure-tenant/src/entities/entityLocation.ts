import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
} from '@backstage/catalog-model';

/**
 * The location key of every entity of a subscription, so that entities of one subscription never collide with
 * another provider's entities of the same name.
 *
 * @public
 */
export function azureTenantLocationKey(subscriptionId: string): string {
  return `azure-tenant:${subscriptionId.toLowerCase()}`;
}

/** The `managed-by-location` and `managed-by-origin-location` annotations of an entity shown at a portal URL. */
export function azureLocationAnnotations(
  portalUrl: string,
): Record<string, string> {
  const location = `url:${portalUrl}`;
  return {
    [ANNOTATION_LOCATION]: location,
    [ANNOTATION_ORIGIN_LOCATION]: location,
  };
}
