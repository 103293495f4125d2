import { AuthService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_AZURE_OWNER_SOURCE,
  ANNOTATION_AZURE_RESOURCE_ID,
} from '@azure-tenant/plugin-azure-tenant-common';
import { entityOwnerRef } from '../catalog/entityOwnerRef';

/** Entities per catalog page. */
const PAGE_SIZE = 1000;

const SUBSCRIPTION_ID = /^\/subscriptions\/([^/]+)\/?$/i;

/** Who owns what for showback: only owners that came from an owner tag. */
export interface ShowbackOwnership {
  /** The owner of each resource, by lower-cased resource id. */
  resources: Map<string, string>;
  /** The owner of each subscription's entity, by lower-cased subscription id: it gets the cost not tied to a resource. */
  subscriptions: Map<string, string>;
}

/** Options for {@link readShowbackOwnership}. */
export interface ShowbackOwnershipOptions {
  catalog: Pick<CatalogService, 'queryEntities'>;
  /** For the plugin's own credentials: ownership is read whole, and what a caller sees is decided afterwards. */
  auth: Pick<AuthService, 'getOwnServiceCredentials'>;
}

/**
 * Reads, in pages, the Azure resource and subscription entities whose owner came from an owner tag
 * (`azure-tenant.io/owner-source: tag`), with only the fields showback needs. Those with a default owner are not
 * read at all: their spend is unallocated, as is the spend of resources that have no entity.
 */
export async function readShowbackOwnership(
  options: ShowbackOwnershipOptions,
): Promise<ShowbackOwnership> {
  const { catalog, auth } = options;
  const credentials = await auth.getOwnServiceCredentials();
  const fields = ['metadata.namespace', 'metadata.annotations', 'spec.owner'];
  const ownership: ShowbackOwnership = {
    resources: new Map(),
    subscriptions: new Map(),
  };
  let cursor: string | undefined;
  do {
    const page = await catalog.queryEntities(
      cursor
        ? { cursor, limit: PAGE_SIZE, fields }
        : {
            filter: {
              kind: 'resource',
              [`metadata.annotations.${ANNOTATION_AZURE_OWNER_SOURCE}`]: 'tag',
            },
            limit: PAGE_SIZE,
            fields,
            totalItems: 'exclude',
          },
      { credentials },
    );
    for (const entity of page.items) {
      const annotations = entity.metadata?.annotations ?? {};
      const resourceId = annotations[ANNOTATION_AZURE_RESOURCE_ID];
      // An owner the catalog could not relate to anything is nobody's for showback.
      const owner = entityOwnerRef(entity);
      // The filter matches values case-insensitively; the annotation is written in lower case.
      if (
        !resourceId ||
        !owner ||
        annotations[ANNOTATION_AZURE_OWNER_SOURCE] !== 'tag'
      ) {
        continue;
      }
      const subscription = SUBSCRIPTION_ID.exec(resourceId);
      if (subscription) {
        ownership.subscriptions.set(subscription[1].toLowerCase(), owner);
      } else {
        ownership.resources.set(resourceId.toLowerCase(), owner);
      }
    }
    cursor = page.pageInfo.nextCursor;
  } while (cursor);
  return ownership;
}
