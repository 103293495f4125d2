import { useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { TagFixJob } from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../api';

/** How often a running bulk fix's progress is read, by default. */
export const TAG_FIX_JOB_POLL_MS = 2000;

/** Whether a bulk fix has stopped for good: its counts no longer change. */
export function isTagFixJobFinished(job: TagFixJob): boolean {
  return (
    job.state === 'done' || job.state === 'failed' || job.state === 'cancelled'
  );
}

/** The progress of a bulk fix as last read, and the error of the last read when it failed. */
export interface TagFixJobState {
  job?: TagFixJob;
  error?: Error;
}

/**
 * Follows a bulk fix: reads its progress every `pollMs` until it is done, failed or cancelled. A failed read is shown
 * and read again at the next turn: the job goes on in the backend whatever the page's connection does.
 *
 * @param started - the job as `applyTagFixes` answered, or undefined while none is started.
 */
export function useTagFixJob(
  started: TagFixJob | undefined,
  pollMs: number = TAG_FIX_JOB_POLL_MS,
): TagFixJobState {
  const api = useApi(azureTenantApiRef);
  const [state, setState] = useState<TagFixJobState>({ job: started });

  useEffect(() => {
    setState({ job: started });
    if (!started || isTagFixJobFinished(started)) {
      return undefined;
    }
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const job = await api.getTagFixJob(started.id);
        if (stopped) return;
        setState({ job });
        if (isTagFixJobFinished(job)) return;
      } catch (e) {
        if (stopped) return;
        setState(current => ({ job: current.job, error: e as Error }));
      }
      timer = setTimeout(poll, pollMs);
    };
    timer = setTimeout(poll, pollMs);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [api, started, pollMs]);

  return state;
}
