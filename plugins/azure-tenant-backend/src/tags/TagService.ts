import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { EventsService } from '@backstage/plugin-events-node';
import pLimit from 'p-limit';
import {
  applyTagChange,
  AZURE_TENANT_EVENTS_TOPIC,
  AzureResourceRecord,
  AzureSubscription,
  AzureTenantEvent,
  findTag,
  putTag,
  SYNC_MODE_DESCRIPTIONS,
  TagChange,
  validateTagChange,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  AzureAccessError,
  isAzureAccessError,
  stopsSync,
} from '../azure/accessProblems';
import { AzureTenantStore } from '../database/AzureTenantStore';
import {
  AzureTenantMetrics,
  TagChangeOutcome,
} from '../metrics/azureTenantMetrics';
import { tagChangeOutcome } from '../metrics/tagChangeOutcome';
import { AzureTagsClient } from './azureTagsClient';
import { parseResourceIdentifier } from './resourceIdentifier';
import { ResourceTags, TagEditRefusal, TagUpdateResult } from './ResourceTags';
import {
  fromAzureTagsError,
  TagConflictError,
  TagValidationError,
} from './tagErrors';
import { TagStore } from './TagStore';
import {
  changeApplied,
  checkExpected,
  describeOutcome,
  mayHaveReachedAzure,
  roleRefusal,
  sameTags,
  syncModeRefusal,
} from './tagChangeRules';

export { parseTagChange, syncModeRefusal } from './tagChangeRules';

/** Options for {@link TagService}. */
export interface TagServiceOptions {
  /** The subscriptions and their sync modes. */
  store: Pick<AzureTenantStore, 'getSubscription'>;
  tags: TagStore;
  /** Undefined when `azureTenant` is not configured: nothing can be read from or written to Azure. */
  azure?: AzureTagsClient;
  events: EventsService;
  logger: LoggerService;
  /** Counts tag changes by outcome, and conflicts. */
  metrics?: AzureTenantMetrics;
  /** How many resources of a bulk change are edited at once. Defaults to 4. */
  bulkConcurrency?: number;
  /**
   * Keeps the lost-access problems that tag reads and writes meet (a removed Tag Contributor role is seen only
   * here), and clears a tag-write problem when a write works again.
   */
  access?: Pick<AzureTenantStore, 'recordAccessProblem' | 'clearAccessProblem'>;
}

/** A change's result for one resource of a bulk change. */
export type BulkTagResult =
  | { resourceId: string; ok: true; result: TagUpdateResult }
  | { resourceId: string; ok: false; error: Error };

/** At most this many resources in one bulk change. */
export const MAX_BULK_RESOURCES = 500;

/**
 * Reads and edits the tags of synced resources under each subscription's sync mode:
 * - `read-write-tags`: re-reads the tags from Azure, refuses the change when a tag differs from what the editor saw,
 *   and otherwise sends only the changed keys (PATCH `Merge` for sets, `Delete` for removals), then stores Azure's
 *   answer with a new feed revision;
 * - `read-tags`: keeps the change as portal-only tags, never calling Azure;
 * - `no-tags` and `none`: refuses.
 *
 * Changes to one resource take turns in this process, so that the read, the check and the write of one change are
 * not interleaved with another's; Merge and Delete keep what others change in Azure meanwhile.
 */
export class TagService {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly options: TagServiceOptions) {}

  /**
   * A stored resource and its onboarded subscription, or a 404. With `forEdit`, a sync mode that keeps no editable
   * tags is a 409 before the resource is looked for: under `none` the sync removed it, and "not found" would hide
   * the reason and the way out.
   */
  private async resolve(
    resourceId: string,
    options: { forEdit?: boolean } = {},
  ) {
    const id = parseResourceIdentifier(resourceId);
    const subscription = await this.options.store.getSubscription(
      id.subscriptionId,
    );
    if (!subscription) {
      throw new NotFoundError(
        `No onboarded subscription ${id.subscriptionId} for resource ${resourceId}`,
      );
    }
    const refusal = options.forEdit ? syncModeRefusal(subscription) : undefined;
    if (refusal) throw new ConflictError(refusal.message);
    const resource = await this.options.tags.getResource(id.resourceId);
    if (!resource) {
      throw new NotFoundError(
        `No synced resource ${resourceId}; it may not have been synced yet, or its subscription is in mode none`,
      );
    }
    return { subscription, resource };
  }

  /**
   * A resource's tags: the stored Azure tags, the portal-only ones, and with `live`, Azure's current tags. Whether
   * the caller may edit is decided here from the sync mode and role; `permissionAllowed` is the caller's decision
   * for `azure-tenant.tags.update` on the resource's entity.
   */
  async getTags(
    resourceId: string,
    options: { live?: boolean; permissionAllowed: boolean },
  ): Promise<ResourceTags> {
    const { subscription, resource } = await this.resolve(resourceId);
    const modeRefusal = syncModeRefusal(subscription);
    let liveTags: Record<string, string> | undefined;
    if (options.live && !modeRefusal) {
      liveTags = await this.readLive(subscription, resource);
    }
    const reason: TagEditRefusal | undefined = !options.permissionAllowed
      ? {
          code: 'permission',
          message:
            "You may not edit this resource's tags: azure-tenant.tags.update is granted to the entity's owners and admins.",
        }
      : modeRefusal ?? roleRefusal(subscription);
    return {
      resourceId: resource.resourceId,
      subscriptionId: subscription.subscriptionId,
      syncMode: subscription.syncMode,
      ...(resource.tags && !modeRefusal ? { tags: resource.tags } : {}),
      ...(liveTags ? { liveTags } : {}),
      portalTags: resource.portalTags ?? {},
      revision: resource.revision,
      canEdit: !reason,
      ...(reason ? { reason } : {}),
      // The tags shown are the last synced ones while the portal cannot refresh them.
      ...(subscription.access && stopsSync(subscription.access.problem)
        ? {
            staleness: {
              access: subscription.access,
              ...(subscription.lastSuccessfulSyncAt
                ? { lastSuccessfulSyncAt: subscription.lastSuccessfulSyncAt }
                : {}),
            },
          }
        : {}),
    };
  }

  /** Applies a change to one resource. The caller has checked the change's shape and the caller's permission. */
  async update(
    resourceId: string,
    change: Required<TagChange>,
  ): Promise<TagUpdateResult> {
    const key = parseResourceIdentifier(resourceId).key;
    return this.measured(resourceId, () =>
      this.serialized(key, () => this.updateNow(resourceId, change)),
    );
  }

  /** Runs a change and counts how it ended, under its subscription's tenant. */
  private async measured(
    resourceId: string,
    change: () => Promise<TagUpdateResult>,
  ): Promise<TagUpdateResult> {
    let outcome: TagChangeOutcome | undefined;
    try {
      const result = await change();
      outcome = result.outcome;
      return result;
    } catch (error) {
      outcome = tagChangeOutcome(error);
      throw error;
    } finally {
      const tenantId =
        this.options.metrics &&
        (await this.tenantOf(resourceId).catch(() => undefined));
      if (tenantId && outcome) {
        this.options.metrics?.recordTagChange(tenantId, outcome);
      }
    }
  }

  private readonly tenants = new Map<string, string>();

  /** The tenant of a resource's subscription, looked up once per subscription; undefined when not onboarded. */
  private async tenantOf(resourceId: string): Promise<string | undefined> {
    const { subscriptionId } = parseResourceIdentifier(resourceId);
    let tenantId = this.tenants.get(subscriptionId);
    if (!tenantId) {
      tenantId = (await this.options.store.getSubscription(subscriptionId))
        ?.tenantId;
      if (tenantId) this.tenants.set(subscriptionId, tenantId);
    }
    return tenantId;
  }

  /**
   * Applies the same change to many resources, a few at a time. Every resource gets a result; one failure hides
   * none of the others. `run` wraps each resource's update (the router checks permission and audits there).
   */
  async updateMany(
    resourceIds: string[],
    change: Required<TagChange>,
    run: (
      resourceId: string,
      update: () => Promise<TagUpdateResult>,
    ) => Promise<TagUpdateResult> = (_id, update) => update(),
  ): Promise<BulkTagResult[]> {
    const limit = pLimit(Math.max(1, this.options.bulkConcurrency ?? 4));
    return Promise.all(
      resourceIds.map(resourceId =>
        limit(async (): Promise<BulkTagResult> => {
          try {
            const result = await run(resourceId, () =>
              this.update(resourceId, change),
            );
            return { resourceId, ok: true, result };
          } catch (error) {
            return { resourceId, ok: false, error: error as Error };
          }
        }),
      ),
    );
  }

  private async updateNow(
    resourceId: string,
    change: Required<TagChange>,
  ): Promise<TagUpdateResult> {
    const { subscription, resource } = await this.resolve(resourceId, {
      forEdit: true,
    });
    if (subscription.syncMode === 'read-tags') {
      return this.updatePortalTags(subscription, resource, change);
    }
    return this.updateAzureTags(subscription, resource, change);
  }

  /** `read-tags`: portal-only tags, shown over the Azure ones; Azure is never called. */
  private async updatePortalTags(
    subscription: AzureSubscription,
    resource: AzureResourceRecord,
    change: Required<TagChange>,
  ): Promise<TagUpdateResult> {
    const azureTags = resource.tags ?? {};
    const before = resource.portalTags ?? {};
    const effective = { ...azureTags };
    for (const [name, value] of Object.entries(before)) {
      const existing = findTag(effective, name);
      if (existing !== undefined) delete effective[existing];
      putTag(effective, name, value);
    }
    this.check(resource.resourceId, change, effective);
    for (const name of change.remove) {
      if (findTag(before, name) === undefined && findTag(azureTags, name)) {
        throw new InputError(
          `The tag '${name}' is an Azure tag: under the sync mode ${SYNC_MODE_DESCRIPTIONS['read-tags'].title} the portal never changes Azure's tags, and can only remove tags edited in the portal.`,
        );
      }
    }
    const after = applyTagChange(before, change);
    const unchanged = JSON.stringify(after) === JSON.stringify(before);
    const revision = unchanged
      ? resource.revision
      : await this.options.tags.writePortalTags(resource.resourceId, after);
    if (revision === undefined) {
      throw new NotFoundError(`No synced resource ${resource.resourceId}`);
    }
    if (!unchanged) await this.announce(subscription, revision);
    return {
      resourceId: resource.resourceId,
      syncMode: subscription.syncMode,
      outcome: unchanged ? 'unchanged' : 'portal-only',
      before,
      tags: azureTags,
      portalTags: after,
      revision,
    };
  }

  /** `read-write-tags`: re-read, check, then Merge and Delete only the keys that change. */
  private async updateAzureTags(
    subscription: AzureSubscription,
    resource: AzureResourceRecord,
    change: Required<TagChange>,
  ): Promise<TagUpdateResult> {
    const azure = this.requireAzure();
    const scope = {
      tenantId: subscription.tenantId,
      subscriptionId: subscription.subscriptionId,
      resourceId: resource.resourceId,
    };
    const before = await this.readLive(subscription, resource);
    this.check(resource.resourceId, change, before);

    const merge: Record<string, string> = {};
    for (const [name, value] of Object.entries(change.set)) {
      const existing = findTag(before, name);
      // A name that differs only in case is a rename (`Owner` to `owner`): Azure keeps the spelling a Merge gives.
      if (
        existing === undefined ||
        existing !== name ||
        before[existing] !== value
      ) {
        putTag(merge, name, value);
      }
    }
    // Deleting by name and the value just read: a value changed by someone else since is not deleted.
    const removal: Record<string, string> = {};
    for (const name of change.remove) {
      const existing = findTag(before, name);
      if (existing !== undefined) putTag(removal, existing, before[existing]);
    }

    let tags = before;
    let written = false;
    try {
      if (Object.keys(merge).length > 0) {
        tags = await azure.patchTags(scope, 'Merge', merge);
        written = true;
      }
      if (Object.keys(removal).length > 0) {
        tags = await azure.patchTags(scope, 'Delete', removal);
        written = true;
      }
    } catch (error) {
      if (isAzureAccessError(error) && !written) {
        // Refused before anything was written (Azure answers 401/403 without applying a change).
        await this.accessLost(subscription, error);
        throw fromAzureTagsError(error, resource.resourceId);
      }
      const failure = fromAzureTagsError(error, resource.resourceId);
      // What Azure holds now, as far as the portal knows: its answer to the Merge, or after an answer that was lost
      // (a timeout, a reset, a server error, an unreadable body), what it holds when asked again.
      let known: Record<string, string> | undefined = written
        ? tags
        : undefined;
      if (mayHaveReachedAzure(error)) {
        known = (await azure.getTags(scope).catch(() => undefined)) ?? known;
      }
      if (known && changeApplied(known, merge, removal)) {
        // Azure applied the whole change; only its answer was lost.
        this.options.logger.info(
          `Tag change on ${resource.resourceId} got no clear answer from Azure (${failure.message}), but Azure holds it`,
          {
            tenantId: subscription.tenantId,
            subscriptionId: subscription.subscriptionId,
            resourceId: resource.resourceId,
          },
        );
        return {
          resourceId: resource.resourceId,
          syncMode: subscription.syncMode,
          outcome: 'written',
          before,
          tags: known,
          portalTags: resource.portalTags ?? {},
          revision: await this.store(subscription, resource, known),
        };
      }
      if (known) {
        // Keep the portal equal to Azure, and say which part of the change Azure holds.
        if (!sameTags(known, resource.tags ?? {})) {
          await this.store(subscription, resource, known);
        }
        failure.message = `${describeOutcome(
          known,
          merge,
          removal,
        )} The portal shows Azure's current tags. ${failure.message}`;
      } else if (mayHaveReachedAzure(error)) {
        failure.message = `Azure did not confirm the change and its tags could not be read again, so whether it was applied is unknown until the next sync. ${failure.message}`;
      }
      throw failure;
    }

    if (written) await this.accessIsBack(subscription);
    const storedTags = resource.tags ?? {};
    const revision =
      written || JSON.stringify(storedTags) !== JSON.stringify(tags)
        ? await this.store(subscription, resource, tags)
        : resource.revision;
    return {
      resourceId: resource.resourceId,
      syncMode: subscription.syncMode,
      outcome: written ? 'written' : 'unchanged',
      before,
      tags,
      portalTags: resource.portalTags ?? {},
      revision,
    };
  }

  /** Azure's rules against the current tags, then the editor's expectations. */
  private check(
    resourceId: string,
    change: Required<TagChange>,
    current: Record<string, string>,
  ) {
    const problems = validateTagChange({
      current,
      set: change.set,
      remove: change.remove,
    });
    if (problems.length > 0) throw new TagValidationError(problems);
    const expectation = checkExpected(change.expected, current);
    if (expectation.conflicts.length > 0) {
      throw new TagConflictError(
        resourceId,
        expectation.conflicts,
        expectation.current,
        current,
      );
    }
  }

  private async readLive(
    subscription: AzureSubscription,
    resource: AzureResourceRecord,
  ) {
    try {
      return await this.requireAzure().getTags({
        tenantId: subscription.tenantId,
        subscriptionId: subscription.subscriptionId,
        resourceId: resource.resourceId,
      });
    } catch (error) {
      if (isAzureAccessError(error)) await this.accessLost(subscription, error);
      throw fromAzureTagsError(error, resource.resourceId);
    }
  }

  /** Keeps a lost-access problem met by a tag read or write on the subscription, or its tenant. */
  private async accessLost(
    subscription: AzureSubscription,
    error: AzureAccessError,
  ) {
    const { problem, message, scope } = error.finding;
    try {
      await this.options.access?.recordAccessProblem(
        scope === 'tenant'
          ? { tenantId: subscription.tenantId }
          : { subscriptionId: subscription.subscriptionId },
        { problem, message, at: new Date() },
      );
    } catch (recordError) {
      this.options.logger.warn(
        `Could not record lost access to subscription ${
          subscription.subscriptionId
        }: ${(recordError as Error).message}`,
      );
    }
  }

  /** A tag write that worked: the Tag Contributor role is back. */
  private async accessIsBack(subscription: AzureSubscription) {
    if (subscription.access?.problem !== 'tag-write-denied') return;
    try {
      await this.options.access?.clearAccessProblem(
        { subscriptionId: subscription.subscriptionId },
        { problems: ['tag-write-denied'] },
      );
    } catch (error) {
      this.options.logger.warn(
        `Could not clear the access state of subscription ${
          subscription.subscriptionId
        }: ${(error as Error).message}`,
      );
    }
  }

  private async store(
    subscription: AzureSubscription,
    resource: AzureResourceRecord,
    tags: Record<string, string>,
  ): Promise<number> {
    const revision = await this.options.tags.writeAzureTags(
      resource.resourceId,
      tags,
    );
    if (revision === undefined) {
      // The sync removed the resource meanwhile; Azure has the change, and the next sync decides.
      return resource.revision;
    }
    await this.announce(subscription, revision);
    return revision;
  }

  private async announce(subscription: AzureSubscription, revision: number) {
    const eventPayload: AzureTenantEvent = {
      type: 'resources-changed',
      subscriptionId: subscription.subscriptionId,
      revision,
    };
    try {
      await this.options.events.publish({
        topic: AZURE_TENANT_EVENTS_TOPIC,
        eventPayload,
      });
    } catch (error) {
      // The catalog module also polls the feed, so the change still arrives.
      this.options.logger.warn(
        `Could not announce the tag change at revision ${revision}: ${
          (error as Error)?.message ?? String(error)
        }`,
        {
          tenantId: subscription.tenantId,
          subscriptionId: subscription.subscriptionId,
          revision,
        },
      );
    }
  }

  private requireAzure(): AzureTagsClient {
    if (!this.options.azure) {
      throw new ConflictError(
        'azureTenant is not configured, so the portal cannot reach Azure',
      );
    }
    return this.options.azure;
  }

  /** Runs `task` after every earlier task for the same resource, in this process. */
  private serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const current = previous.then(task, task);
    const tail = current.catch(() => undefined);
    this.queues.set(key, tail);
    tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return current;
  }
}
