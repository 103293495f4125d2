import {
  AuditorService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { JsonObject } from '@backstage/types';
import {
  azureTenantTagPolicyManagePermission,
  TagFixJob,
  TagFixPreview,
} from '@azure-tenant/plugin-azure-tenant-common';
import { isGuid } from '../../azure/guid';
import { auditEventOptions, Caller, requireUser } from '../../service/caller';
import { TagFixJobStore } from './TagFixJobStore';
import { TagFixPlanner } from './TagFixPlanner';
import { parseTagFixSelection } from './tagFixSelection';

/** Jobs listed by `GET /tag-fixes`, newest first. */
const MAX_LISTED_JOBS = 100;

/** Options for {@link TagFixOperations}. */
export interface TagFixOperationsOptions {
  planner: TagFixPlanner;
  store: TagFixJobStore;
  permissions: PermissionsService;
  auditor: AuditorService;
  /** The most resources one job may change. */
  maxResources: number;
  /** Starts the runner at once after a job is created (the scheduled task otherwise picks it up within a minute). */
  onJobCreated?: () => Promise<void>;
}

/**
 * Suggested tag fixes, for users only (as tag edits are): a preview (nothing written), a job that applies them in
 * the background, and the jobs' progress. Each resource needs `azure-tenant.tags.update` on its entity for the caller
 * when the job is created; its writes are then made under the caller's name. A job is seen and cancelled by its
 * creator, or by whoever may manage tag policies (`azure-tenant.tag-policy.manage`), who sees everyone's.
 */
export class TagFixOperations {
  constructor(private readonly options: TagFixOperationsOptions) {}

  /** A job by id, or a 404; an id that is no GUID names no job (and never reaches the database). */
  private async findJob(jobId: string): Promise<TagFixJob> {
    const job = isGuid(jobId)
      ? await this.options.store.getJob(jobId.toLowerCase())
      : undefined;
    if (!job) {
      throw new NotFoundError(`No tag fix job ${JSON.stringify(jobId)}`);
    }
    return job;
  }

  private async mayManage(caller: Caller): Promise<boolean> {
    const [decision] = await this.options.permissions.authorize(
      [{ permission: azureTenantTagPolicyManagePermission }],
      { credentials: caller.credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }

  /** What applying a selection would change: per subscription and kind, and a sample. Nothing is written. */
  async preview(caller: Caller, body: unknown): Promise<TagFixPreview> {
    requireUser(caller);
    const selection = parseTagFixSelection(body);
    const plan = await this.options.planner.plan(caller, selection, {
      keepItems: false,
    });
    return plan.preview;
  }

  /** Plans a selection now and stores it as a job, which a runner applies in the background. */
  async apply(caller: Caller, body: unknown): Promise<TagFixJob> {
    const userRef = requireUser(caller);
    const selection = parseTagFixSelection(body);
    const audit = await this.options.auditor.createEvent(
      auditEventOptions(caller, {
        eventId: 'tag-fix-create',
        severityLevel: 'medium',
        meta: { selection: selection as JsonObject },
      }),
    );
    try {
      const plan = await this.options.planner.plan(caller, selection, {
        keepItems: true,
      });
      if (plan.items.length > this.options.maxResources) {
        throw new InputError(
          `The selection would change ${plan.items.length} resources; one job changes at most ${this.options.maxResources}. Narrow it by subscription, policy, kind or owner.`,
        );
      }
      const job = await this.options.store.createJob(
        {
          selection,
          createdBy: userRef,
          leftOut: plan.leftOut,
          items: plan.items,
        },
        new Date(),
      );
      await audit.success({
        meta: { jobId: job.id, total: job.total, leftOut: plan.leftOut },
      });
      if (job.state === 'pending') await this.options.onJobCreated?.();
      return job;
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  }

  /** The caller's jobs, or everyone's for whoever may manage tag policies; newest first. */
  async list(caller: Caller): Promise<TagFixJob[]> {
    const userRef = requireUser(caller);
    const all = await this.mayManage(caller);
    return this.options.store.listJobs({
      ...(all ? {} : { createdBy: userRef }),
      limit: MAX_LISTED_JOBS,
    });
  }

  /** A job the caller may see: theirs, or any for whoever may manage tag policies. */
  async get(caller: Caller, jobId: string): Promise<TagFixJob> {
    const userRef = requireUser(caller);
    const job = await this.findJob(jobId);
    if (job.createdBy !== userRef && !(await this.mayManage(caller))) {
      throw new NotAllowedError(
        `You may not see tag fix job ${jobId}: it was started by someone else`,
      );
    }
    return job;
  }

  /** Stops a job after the items being applied; a job that has not started ends at once. */
  async cancel(caller: Caller, jobId: string): Promise<TagFixJob> {
    const userRef = requireUser(caller);
    const job = await this.findJob(jobId);
    if (job.createdBy !== userRef && !(await this.mayManage(caller))) {
      throw new NotAllowedError(
        `You may not cancel tag fix job ${jobId}: only the user who started it, or one who may manage tag policies`,
      );
    }
    const audit = await this.options.auditor.createEvent(
      auditEventOptions(caller, {
        eventId: 'tag-fix-cancel',
        severityLevel: 'low',
        meta: { jobId: job.id, state: job.state },
      }),
    );
    const cancelled = await this.options.store.requestCancel(
      job.id,
      new Date(),
    );
    await audit.success({ meta: { state: cancelled?.state } });
    return cancelled ?? job;
  }
}
