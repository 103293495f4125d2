import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import {
  TagChange,
  TagFixJob,
  TagFixSelection,
} from '@azure-tenant/plugin-azure-tenant-common';
import { chunks } from '../../database/batches';
import {
  NewTagFixJob,
  TagFixItem,
  TagFixJobStore,
  TagFixLease,
} from './TagFixJobStore';

const JOBS = 'tag_fix_jobs';
const ITEMS = 'tag_fix_items';

/** At most this many failures are listed with a job. */
const MAX_FAILURES = 50;
/** Items per multi-row insert: 7 columns each, well below SQLite's oldest limit of 999 bound parameters. */
const ITEM_INSERT_BATCH = 100;

type JobRow = {
  id: string;
  selection: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  state: TagFixJob['state'];
  total: number | string;
  applied: number | string;
  skipped: number | string;
  failed: number | string;
  cancel_requested: boolean | number;
  lease_owner: string | null;
  lease_expires_at: string | null;
};

type ItemRow = {
  job_id: string;
  seq: number;
  resource_key: string;
  resource_id: string;
  subscription_id: string;
  change: string;
  status: TagFixItem['status'];
  message: string | null;
};

const COUNTERS = {
  applied: 'applied',
  skipped: 'skipped',
  failed: 'failed',
} as const;

function fromItemRow(row: ItemRow): TagFixItem {
  return {
    seq: Number(row.seq),
    resourceId: row.resource_id,
    subscriptionId: row.subscription_id,
    change: JSON.parse(row.change) as Required<TagChange>,
    status: row.status,
    ...(row.message ? { message: row.message } : {}),
  };
}

/** The bulk tag fix jobs on the plugin's database: the one writer of `tag_fix_jobs` and `tag_fix_items`. */
export class DatabaseTagFixJobStore implements TagFixJobStore {
  constructor(private readonly db: Knex) {}

  private async toJob(row: JobRow): Promise<TagFixJob> {
    const failures = await this.db<ItemRow>(ITEMS)
      .where({ job_id: row.id, status: 'failed' })
      .orderBy('seq')
      .limit(MAX_FAILURES)
      .select('resource_id', 'message');
    return {
      id: row.id,
      selection: JSON.parse(row.selection) as TagFixSelection,
      createdBy: row.created_by,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      state: row.state,
      // PostgreSQL's driver may answer a number as a string.
      total: Number(row.total),
      applied: Number(row.applied),
      skipped: Number(row.skipped),
      failed: Number(row.failed),
      failures: failures.map(f => ({
        resourceId: f.resource_id,
        message: f.message ?? '',
      })),
    };
  }

  async createJob(job: NewTagFixJob, at: Date): Promise<TagFixJob> {
    const id = randomUUID();
    const now = at.toISOString();
    await this.db.transaction(async tx => {
      await tx<JobRow>(JOBS).insert({
        id,
        selection: JSON.stringify(job.selection),
        created_by: job.createdBy,
        created_at: now,
        updated_at: now,
        state: job.items.length === 0 ? 'done' : 'pending',
        total: job.items.length + job.leftOut,
        applied: 0,
        skipped: job.leftOut,
        failed: 0,
        cancel_requested: false,
        lease_owner: null,
        lease_expires_at: null,
      });
      const rows: ItemRow[] = job.items.map((item, index) => ({
        job_id: id,
        seq: index + 1,
        resource_key: item.resourceId.toLowerCase(),
        resource_id: item.resourceId,
        subscription_id: item.subscriptionId.toLowerCase(),
        change: JSON.stringify(item.change),
        status: 'pending',
        message: null,
      }));
      for (const batch of chunks(rows, ITEM_INSERT_BATCH)) {
        await tx<ItemRow>(ITEMS).insert(batch);
      }
    });
    return (await this.getJob(id))!;
  }

  async getJob(id: string): Promise<TagFixJob | undefined> {
    const row = await this.db<JobRow>(JOBS).where({ id }).first();
    return row ? this.toJob(row) : undefined;
  }

  async listJobs(options: {
    createdBy?: string;
    limit: number;
  }): Promise<TagFixJob[]> {
    const query = this.db<JobRow>(JOBS)
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(options.limit);
    if (options.createdBy) query.where({ created_by: options.createdBy });
    const rows = await query;
    return Promise.all(rows.map(row => this.toJob(row)));
  }

  async requestCancel(id: string, at: Date): Promise<TagFixJob | undefined> {
    const now = at.toISOString();
    // Not started: nobody will apply anything, so it ends now. Running: its runner stops after the current item.
    await this.db<JobRow>(JOBS)
      .where({ id, state: 'pending' })
      .whereNull('lease_owner')
      .update({ state: 'cancelled', cancel_requested: true, updated_at: now });
    await this.db<JobRow>(JOBS)
      .where({ id })
      .whereIn('state', ['pending', 'running'])
      .update({ cancel_requested: true, updated_at: now });
    return this.getJob(id);
  }

  async claimJob(
    owner: string,
    leaseMs: number,
    at: Date,
  ): Promise<TagFixJob | undefined> {
    const now = at.toISOString();
    const claimable = (query: Knex.QueryBuilder) =>
      query
        .whereIn('state', ['pending', 'running'])
        .andWhere(q =>
          q.whereNull('lease_expires_at').orWhere('lease_expires_at', '<', now),
        );
    const candidates: Array<{ id: string }> = await claimable(
      this.db(JOBS).select('id'),
    )
      .orderBy('created_at')
      .limit(10);
    for (const { id } of candidates) {
      // Conditional on the lease still being free: of two runners claiming at once, one gets it.
      const claimed = await claimable(this.db(JOBS).where({ id })).update({
        state: 'running',
        lease_owner: owner,
        lease_expires_at: new Date(at.getTime() + leaseMs).toISOString(),
        updated_at: now,
      });
      if (claimed === 1) return this.getJob(id);
    }
    return undefined;
  }

  async renewLease(
    id: string,
    owner: string,
    leaseMs: number,
    at: Date,
  ): Promise<TagFixLease> {
    const renewed = await this.db<JobRow>(JOBS)
      .where({ id, lease_owner: owner, state: 'running' })
      .update({
        lease_expires_at: new Date(at.getTime() + leaseMs).toISOString(),
      });
    const row = await this.db<JobRow>(JOBS)
      .where({ id })
      .first('cancel_requested');
    return {
      held: renewed === 1,
      cancelRequested: Boolean(Number(row?.cancel_requested ?? 0)),
    };
  }

  async pendingItems(
    id: string,
    afterSeq: number,
    limit: number,
  ): Promise<TagFixItem[]> {
    const rows = await this.db<ItemRow>(ITEMS)
      .where({ job_id: id, status: 'pending' })
      .andWhere('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit);
    return rows.map(fromItemRow);
  }

  async recordItem(
    id: string,
    owner: string,
    seq: number,
    outcome: { status: 'applied' | 'skipped' | 'failed'; message?: string },
    at: Date,
  ): Promise<boolean> {
    return this.db.transaction(async tx => {
      const held = await tx<JobRow>(JOBS)
        .where({ id, lease_owner: owner })
        .first('id');
      if (!held) return false;
      const recorded = await tx<ItemRow>(ITEMS)
        .where({ job_id: id, seq, status: 'pending' })
        .update({ status: outcome.status, message: outcome.message ?? null });
      if (recorded !== 1) return false;
      const counter = COUNTERS[outcome.status];
      await tx(JOBS)
        .where({ id })
        .update({
          [counter]: tx.raw('?? + 1', [counter]),
          updated_at: at.toISOString(),
        });
      return true;
    });
  }

  async finishJob(
    id: string,
    owner: string,
    state: 'done' | 'failed' | 'cancelled',
    at: Date,
  ): Promise<void> {
    await this.db<JobRow>(JOBS).where({ id, lease_owner: owner }).update({
      state,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: at.toISOString(),
    });
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    await this.db<JobRow>(JOBS)
      .where({ id, lease_owner: owner })
      .update({ lease_owner: null, lease_expires_at: null });
  }
}
