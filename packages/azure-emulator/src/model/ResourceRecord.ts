/**
 * One Azure resource as the emulator holds it.
 *
 * @public
 */
export interface ResourceRecord {
  /** `/subscriptions/{s}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}`. */
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  /** The full type, e.g. `Microsoft.Compute/virtualMachines`. */
  type: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  kind?: string;
  sku?: { name: string; tier?: string };
  createdTime: string;
  changedTime: string;
  /** Position in its subscription; stable, used as paging cursor and to seed its costs. */
  index: number;
}

/** Builds a resource id. */
export function buildResourceId(
  subscriptionId: string,
  resourceGroup: string,
  type: string,
  name: string,
): string {
  const slash = type.indexOf('/');
  const namespace = type.slice(0, slash);
  const resourceType = type.slice(slash + 1);
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${namespace}/${resourceType}/${name}`;
}

/** The parts of a resource id. */
export interface ParsedResourceId {
  subscriptionId: string;
  resourceGroup: string;
  type: string;
  name: string;
}

const RESOURCE_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)$/i;

/** Parses a top-level resource id, or returns undefined. */
export function parseResourceId(id: string): ParsedResourceId | undefined {
  const match = RESOURCE_ID.exec(id.startsWith('/') ? id : `/${id}`);
  if (!match) return undefined;
  return {
    subscriptionId: match[1],
    resourceGroup: match[2],
    type: `${match[3]}/${match[4]}`,
    name: match[5],
  };
}
