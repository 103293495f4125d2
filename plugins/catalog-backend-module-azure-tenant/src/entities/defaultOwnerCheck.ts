import { LoggerService } from '@backstage/backend-plugin-api';
import { AZURE_TENANT_CATALOG_CONFIG_KEY } from '../config/AzureTenantCatalogConfig';
import { AzureOwnerDirectory } from '@azure-tenant/plugin-azure-tenant-node';
import { AZURE_TENANT_UNOWNED_GROUP_REF } from './unownedGroupEntity';

/**
 * Says in the log what the default owner of Azure entities will be, and wraps the loading of the owner directory so
 * that a configured default owner that is not in the catalog is reported: every entity owned by it would show
 * relations to an entity that cannot be found. Reported once until it appears, and only while the catalog has
 * groups and users at all, since at startup it may not have read them yet.
 */
export function checkDefaultOwner(options: {
  defaultOwner?: string;
  loadOwners: () => Promise<AzureOwnerDirectory>;
  logger: LoggerService;
}): () => Promise<AzureOwnerDirectory> {
  const { defaultOwner, loadOwners, logger } = options;
  if (!defaultOwner) {
    logger.warn(
      `${AZURE_TENANT_CATALOG_CONFIG_KEY}.defaultOwner is not set: Azure subscriptions, and resources whose owner tag names no known group or user, are owned by ${AZURE_TENANT_UNOWNED_GROUP_REF}, a group this module adds to the catalog. Set defaultOwner to a group or user of your catalog.`,
    );
    return loadOwners;
  }
  let reported = false;
  return async () => {
    const owners = await loadOwners();
    const missing =
      owners.fingerprint !== AzureOwnerDirectory.empty().fingerprint &&
      !owners.has(defaultOwner);
    if (missing && !reported) {
      logger.warn(
        `${AZURE_TENANT_CATALOG_CONFIG_KEY}.defaultOwner is ${defaultOwner}, which is not in the catalog: every entity it owns shows a relation to an entity that cannot be found. Set it to a group or user of your catalog.`,
      );
    }
    reported = missing;
    return owners;
  };
}
