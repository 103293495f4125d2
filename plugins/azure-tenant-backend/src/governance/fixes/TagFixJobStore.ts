import {
  TagChange,
  TagFixJob,
  TagFixSelection,
} from '@azure-tenant/plugin-azure-tenant-common';

/** One resource's change in a new job. */
export interface NewTagFixItem {
  resourceId: string;
  subscriptionId: string;
  change: Required<TagChange>;
}

/** A stored item of a job: its place in the job's order, and where it stands. */
export interface TagFixItem extends NewTagFixItem {
  seq: number;
  status: 'pending' | 'applied' | 'skipped' | 'failed';
  message?: string;
}

/** A new job: what was asked, by whom, and the resources left out at the start (counted as skipped). */
export interface NewTagFixJob {
  selection: TagFixSelection;
  createdBy: string;
  /** Resources that were planned but may not be changed (forbidden sync mode or permission). */
  leftOut: number;
  items: NewTagFixItem[];
}

/** What a runner holding a job's lease learns when it renews it. */
export interface TagFixLease {
  /** Whether the runner still holds the lease; when not, another runner took the job over and this one stops. */
  held: boolean;
  cancelRequested: boolean;
}

/**
 * Bulk tag fix jobs and their items (tables `tag_fix_jobs` and `tag_fix_items`). The one writer of those tables.
 * A job is worked on by the runner that holds its lease; an item leaves `pending` once.
 */
export interface TagFixJobStore {
  /** Stores a job and its items; a job without items is done at once. */
  createJob(job: NewTagFixJob, at: Date): Promise<TagFixJob>;
  getJob(id: string): Promise<TagFixJob | undefined>;
  /** The newest jobs first; only those `createdBy` started when given. */
  listJobs(options: {
    createdBy?: string;
    limit: number;
  }): Promise<TagFixJob[]>;
  /**
   * Asks a job to stop: a job no runner has started is cancelled at once, a running one after the item it is
   * applying. Undefined when there is no such job; a finished job is left as it is.
   */
  requestCancel(id: string, at: Date): Promise<TagFixJob | undefined>;
  /**
   * Takes the lease of the oldest job that is pending, or running under a lease that expired (its runner died), for
   * `leaseMs`. Undefined when there is none.
   */
  claimJob(
    owner: string,
    leaseMs: number,
    at: Date,
  ): Promise<TagFixJob | undefined>;
  /** Extends the lease of a job this runner holds. */
  renewLease(
    id: string,
    owner: string,
    leaseMs: number,
    at: Date,
  ): Promise<TagFixLease>;
  /** The job's pending items after `afterSeq`, in order. */
  pendingItems(
    id: string,
    afterSeq: number,
    limit: number,
  ): Promise<TagFixItem[]>;
  /**
   * Records an item's outcome and counts it, if the item is still pending and `owner` holds the job's lease.
   * Returns whether it was recorded.
   */
  recordItem(
    id: string,
    owner: string,
    seq: number,
    outcome: { status: 'applied' | 'skipped' | 'failed'; message?: string },
    at: Date,
  ): Promise<boolean>;
  /** Ends a job this runner holds (`done`, `failed` or `cancelled`) and lets its lease go. */
  finishJob(
    id: string,
    owner: string,
    state: 'done' | 'failed' | 'cancelled',
    at: Date,
  ): Promise<void>;
  /** Lets a job's lease go without finishing it (a runner that stops), so that another runner may resume it now. */
  releaseLease(id: string, owner: string): Promise<void>;
}
