import { randomUUID } from 'node:crypto';
import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { TagFixJob } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantStore } from '../../database/AzureTenantStore';
import { isTagConflictError } from '../../tags/tagErrors';
import { TagService } from '../../tags/TagService';
import { ArmTokenBuckets } from './ArmTokenBuckets';
import { TagFixItem, TagFixJobStore } from './TagFixJobStore';

/** Options for {@link TagFixRunner}. */
export interface TagFixRunnerOptions {
  store: TagFixJobStore;
  /** The tag write path: sync mode, conflict check through `expected`, Merge and Delete, the stored result. */
  tagService: Pick<TagService, 'update'>;
  /** For the sync mode of each item's subscription: only writes to Azure take tokens. */
  subscriptions: Pick<AzureTenantStore, 'getSubscription'>;
  /** Azure Resource Manager's limits per subscription: each write to Azure takes a read (the tags are read again
   * just before) and a write per PATCH. */
  buckets: { reads: ArmTokenBuckets; writes: ArmTokenBuckets };
  auditor: AuditorService;
  logger: LoggerService;
  /** This runner's name in a job's lease. Defaults to a new GUID. */
  owner?: string;
  /** How long a lease lasts unless renewed; it is renewed before each batch of items. Defaults to 2 minutes. */
  leaseMs?: number;
  /** Items applied at once. Defaults to 4. */
  concurrency?: number;
}

type ItemOutcome = {
  status: 'applied' | 'skipped' | 'failed';
  message?: string;
};

/**
 * Applies the items of bulk tag fix jobs. A runner takes a job's lease (a job pending, or one whose runner's lease
 * expired: that runner died), renews it before each batch of `concurrency` items, and applies each pending item
 * through the tag write path under the job creator's name (audit event `tag-fix-apply`), waiting for Azure Resource
 * Manager's write tokens of the item's subscription first. A conflict (a tag changed since the plan) or a change that
 * finds nothing to do is skipped; an item leaves `pending` once, so a resumed job applies no item twice. A job asked
 * to stop ends after the items being applied; a runner that loses its lease stops.
 */
export class TagFixRunner {
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private stopped = false;
  private running?: Promise<void>;

  constructor(private readonly options: TagFixRunnerOptions) {
    this.owner = options.owner ?? randomUUID();
    this.leaseMs = Math.max(1000, options.leaseMs ?? 120_000);
    this.concurrency = Math.max(1, options.concurrency ?? 4);
  }

  /**
   * Works on jobs until none is left to claim. A call while a run is in progress joins it; the run looks for jobs
   * again before it ends, so a job created meanwhile is not missed.
   */
  run(): Promise<void> {
    if (!this.running) {
      this.running = this.runJobs().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  /**
   * Stops after the items being applied. With `release`, the leases are let go so that another runner resumes at
   * once; without, they expire as a dead replica's would.
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.releaseOnStop = options.release ?? true;
    await this.running?.catch(() => undefined);
  }

  private releaseOnStop = true;

  private async runJobs(): Promise<void> {
    while (!this.stopped) {
      const job = await this.options.store.claimJob(
        this.owner,
        this.leaseMs,
        new Date(),
      );
      if (!job) return;
      try {
        await this.runJob(job);
      } catch (error) {
        // The job stays with its lease, which expires: a later run, here or elsewhere, resumes it.
        this.options.logger.error(
          `Tag fix job ${job.id} stopped: ${(error as Error).message}`,
          { jobId: job.id },
        );
        return;
      }
    }
  }

  private async runJob(job: TagFixJob): Promise<void> {
    const { store, logger } = this.options;
    const started = Date.now();
    const modes = new Map<string, Promise<string | undefined>>();
    let afterSeq = 0;
    for (;;) {
      if (this.stopped) {
        if (this.releaseOnStop) await store.releaseLease(job.id, this.owner);
        return;
      }
      const lease = await store.renewLease(
        job.id,
        this.owner,
        this.leaseMs,
        new Date(),
      );
      if (!lease.held) {
        logger.warn(
          `Tag fix job ${job.id} was taken over by another runner; this one stops`,
          { jobId: job.id },
        );
        return;
      }
      if (lease.cancelRequested) {
        await store.finishJob(job.id, this.owner, 'cancelled', new Date());
        logger.info(`Tag fix job ${job.id} cancelled`, { jobId: job.id });
        return;
      }
      const items = await store.pendingItems(
        job.id,
        afterSeq,
        this.concurrency,
      );
      if (items.length === 0) {
        const counts = await store.getJob(job.id);
        // A job whose every item failed changed nothing: it failed. One with some failures is done, and says so.
        const state =
          counts && counts.failed > 0 && counts.applied + counts.skipped === 0
            ? 'failed'
            : 'done';
        await store.finishJob(job.id, this.owner, state, new Date());
        logger.info(
          `Tag fix job ${job.id} ${state} in ${Date.now() - started} ms: ${
            counts?.applied
          } applied, ${counts?.skipped} skipped, ${counts?.failed} failed`,
          { jobId: job.id },
        );
        return;
      }
      await Promise.all(
        items.map(async item => {
          const outcome = await this.apply(job, item, modes);
          await store.recordItem(
            job.id,
            this.owner,
            item.seq,
            outcome,
            new Date(),
          );
        }),
      );
      afterSeq = items[items.length - 1].seq;
    }
  }

  private async apply(
    job: TagFixJob,
    item: TagFixItem,
    modes: Map<string, Promise<string | undefined>>,
  ): Promise<ItemOutcome> {
    const { change } = item;
    const audit = await this.options.auditor.createEvent({
      eventId: 'tag-fix-apply',
      severityLevel: 'medium',
      meta: {
        actor: job.createdBy,
        via: 'tag-fix-job',
        jobId: job.id,
        resourceId: item.resourceId,
        set: change.set,
        remove: change.remove,
        expected: change.expected,
      },
    });
    try {
      await this.takeWriteTokens(item, modes);
      const result = await this.options.tagService.update(
        item.resourceId,
        change,
      );
      await audit.success({
        meta: {
          outcome: result.outcome,
          syncMode: result.syncMode,
          before: result.before,
          after:
            result.outcome === 'portal-only' ? result.portalTags : result.tags,
        },
      });
      if (result.outcome === 'unchanged') {
        return {
          status: 'skipped',
          message: 'Nothing to change: the resource has these tags already.',
        };
      }
      return { status: 'applied' };
    } catch (error) {
      const conflict = isTagConflictError(error);
      await audit.fail({
        error: error as Error,
        meta: conflict
          ? { outcome: 'conflict', current: error.current }
          : { outcome: 'failed' },
      });
      const { name, message } = error as Error;
      if (conflict) {
        return {
          status: 'skipped',
          message: `Skipped: the tags changed since the fix was planned. ${message}`,
        };
      }
      // Gone since the plan (404), or its subscription's mode no longer allows edits (409): nothing to do.
      if (name === 'NotFoundError' || name === 'ConflictError') {
        return { status: 'skipped', message: `Skipped: ${message}` };
      }
      return { status: 'failed', message };
    }
  }

  /**
   * Waits for the tokens of the requests an item sends to Azure: the read of its current tags, a Merge for its sets,
   * a Delete for its removals.
   */
  private async takeWriteTokens(
    item: TagFixItem,
    modes: Map<string, Promise<string | undefined>>,
  ): Promise<void> {
    const key = item.subscriptionId.toLowerCase();
    let mode = modes.get(key);
    if (!mode) {
      mode = this.options.subscriptions
        .getSubscription(item.subscriptionId)
        .then(s => s?.syncMode);
      modes.set(key, mode);
    }
    if ((await mode) !== 'read-write-tags') return;
    const writes =
      (Object.keys(item.change.set).length > 0 ? 1 : 0) +
      (item.change.remove.length > 0 ? 1 : 0);
    await this.options.buckets.reads.take(item.subscriptionId, 1);
    await this.options.buckets.writes.take(item.subscriptionId, writes);
  }
}
