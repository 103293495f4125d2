import {
  ANNOTATION_AZURE_SUBSCRIPTION_ID,
  ANNOTATION_AZURE_SYNC_MODE,
} from '@azure-tenant/plugin-azure-tenant-common';
import { Entity } from '@backstage/catalog-model';
import { CatalogProcessor } from '@backstage/plugin-catalog-node';
import { JsonObject } from '@backstage/types';
import { syncModeKeepsTags } from '../entities/resourceEntity';
import { AzureSubscriptionSyncModes } from './AzureSubscriptionSyncModes';

/**
 * The options of {@link AzureTenantSyncModeProcessor}.
 *
 * @public
 */
export interface AzureTenantSyncModeProcessorOptions {
  /** Where the current sync mode of each subscription comes from. */
  syncModes: Pick<AzureSubscriptionSyncModes, 'get'>;
}

/**
 * How old a listing of sync modes may be when it disagrees with the mode the provider built the entity with: the
 * provider rebuilds every entity of a subscription as soon as its mode changes, and a listing kept from before the
 * change would put the old mode back on them until the catalog processes them again (minutes later).
 */
const DISAGREEING_LISTING_MAX_AGE_MS = 1000;

/**
 * Applies the current sync mode of an entity's subscription when the catalog processes it, so that a change of mode
 * takes effect before the next Azure sync: under `no-tags` and `none` the entity loses `spec.azure.tags` and
 * `spec.azure.portalTags`, and its sync-mode annotation always shows the current mode. Entities without the
 * subscription annotation, or whose subscription the backend does not know, are left alone; so is every entity when
 * the backend cannot be reached (the failure is logged).
 *
 * @public
 */
export class AzureTenantSyncModeProcessor implements CatalogProcessor {
  private readonly syncModes: Pick<AzureSubscriptionSyncModes, 'get'>;

  constructor(options: AzureTenantSyncModeProcessorOptions) {
    this.syncModes = options.syncModes;
  }

  getProcessorName(): string {
    return 'AzureTenantSyncModeProcessor';
  }

  async preProcessEntity(entity: Entity): Promise<Entity> {
    const subscriptionId =
      entity.metadata.annotations?.[ANNOTATION_AZURE_SUBSCRIPTION_ID];
    if (!subscriptionId) {
      return entity;
    }
    const annotated = entity.metadata.annotations?.[ANNOTATION_AZURE_SYNC_MODE];
    let syncMode;
    try {
      syncMode = await this.syncModes.get(subscriptionId);
      if (annotated && syncMode && annotated !== syncMode) {
        syncMode = await this.syncModes.get(subscriptionId, {
          maxAgeMs: DISAGREEING_LISTING_MAX_AGE_MS,
        });
      }
    } catch {
      // Logged by the sync modes, once per attempt rather than once per entity.
      return entity;
    }
    if (!syncMode) {
      return entity;
    }

    const azure = entity.spec?.azure;
    const stripTags =
      !syncModeKeepsTags(syncMode) &&
      isObject(azure) &&
      ('tags' in azure || 'portalTags' in azure);
    if (!stripTags && annotated === syncMode) {
      return entity;
    }

    const result: Entity = {
      ...entity,
      metadata: {
        ...entity.metadata,
        annotations: {
          ...entity.metadata.annotations,
          [ANNOTATION_AZURE_SYNC_MODE]: syncMode,
        },
      },
    };
    if (stripTags) {
      const { tags: _tags, portalTags: _portalTags, ...rest } = azure;
      result.spec = { ...entity.spec, azure: rest };
    }
    return result;
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
