/**
 * The Azure portal page of a subscription.
 *
 * @public
 */
export function azureSubscriptionPortalUrl(
  tenantId: string,
  subscriptionId: string,
): string {
  return `https://portal.azure.com/#@${tenantId}/resource/subscriptions/${subscriptionId}/overview`;
}

/**
 * The Azure portal page of a resource, from its resource id in Azure's casing (which starts with `/subscriptions/`).
 *
 * @public
 */
export function azureResourcePortalUrl(
  tenantId: string,
  resourceId: string,
): string {
  return `https://portal.azure.com/#@${tenantId}/resource${resourceId}`;
}
