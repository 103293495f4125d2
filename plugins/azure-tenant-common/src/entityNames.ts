/**
 * Catalog entity names for Azure subscriptions and resources. They are stable (the same Azure id always gives the
 * same name) and valid for any Azure name: Backstage names allow `[a-zA-Z0-9-_.]`, at most 63 characters, starting
 * and ending with a letter or digit. They are computed the same way in the backend, the catalog module and the
 * frontend, so this file must stay isomorphic (no Node APIs).
 */

/**
 * The namespace of every entity the Azure tenant plugins provide.
 *
 * @public
 */
export const AZURE_ENTITY_NAMESPACE = 'default';

const MAX_NAME_LENGTH = 63;
const HASH_LENGTH = 16;

/**
 * A 64-bit FNV-1a hash of a string's UTF-16 code units, as 16 hex digits. It works on two 32-bit halves rather than
 * BigInt, which is several times faster: the catalog module names 100,000 resources in one full run.
 */
function fnv1a64(text: string): string {
  // The offset basis 0xcbf29ce484222325, in halves.
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < text.length; i++) {
    lo = (lo ^ text.charCodeAt(i)) >>> 0;
    // Multiply by the prime 2^40 + 0x1b3, modulo 2^64: lo * 0x1b3 fits a double exactly (< 2^41).
    const low = lo * 0x1b3;
    hi =
      (Math.imul(hi, 0x1b3) + Math.floor(low / 0x100000000) + (lo << 8)) >>> 0;
    lo = low >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

function slug(text: string, maxLength: number): string {
  const cleaned = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/g, '');
  return cleaned;
}

/**
 * The entity name of an Azure subscription: `azure-subscription-{id}`.
 *
 * @public
 */
export function azureSubscriptionEntityName(subscriptionId: string): string {
  return `azure-subscription-${subscriptionId.toLowerCase()}`;
}

/**
 * The entity reference of an Azure subscription, e.g. `resource:default/azure-subscription-{id}`.
 *
 * @public
 */
export function azureSubscriptionEntityRef(subscriptionId: string): string {
  return `resource:${AZURE_ENTITY_NAMESPACE}/${azureSubscriptionEntityName(
    subscriptionId,
  )}`;
}

/**
 * The entity name of an Azure resource: its name made safe, then a hash of its (case-insensitive) resource id, so that
 * two resources with the same name in different groups never collide.
 *
 * @public
 */
export function azureResourceEntityName(resourceId: string): string {
  const id = resourceId.toLowerCase();
  const name = id.split('/').filter(Boolean).pop() ?? 'resource';
  const hash = fnv1a64(id);
  const prefix = slug(name, MAX_NAME_LENGTH - HASH_LENGTH - 1);
  return prefix ? `${prefix}-${hash}` : `azure-${hash}`;
}

/**
 * The entity reference of an Azure resource.
 *
 * @public
 */
export function azureResourceEntityRef(resourceId: string): string {
  return `resource:${AZURE_ENTITY_NAMESPACE}/${azureResourceEntityName(
    resourceId,
  )}`;
}
