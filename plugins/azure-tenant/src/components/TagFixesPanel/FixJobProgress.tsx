import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { TagFixJob } from '@azure-tenant/plugin-azure-tenant-common';
import { InlineError } from '../InlineError';
import { resourceNameOf } from './fixText';

const STATE_TEXT: Record<TagFixJob['state'], string> = {
  pending: 'Waiting to start',
  running: 'Applying',
  done: 'Done',
  failed: 'Stopped by an error',
  cancelled: 'Cancelled',
};

/** A bulk fix's progress: a bar, its applied, skipped and failed counts, and the resources that failed, with why. */
export function FixJobProgress(props: { job: TagFixJob; error?: Error }) {
  const { job, error } = props;
  const handled = job.applied + job.skipped + job.failed;
  const percent =
    job.total > 0 ? Math.min(100, (handled / job.total) * 100) : 100;
  return (
    <Box display="flex" flexDirection="column" gridGap={8}>
      <Typography variant="subtitle1" component="p">
        {STATE_TEXT[job.state]}: {handled.toLocaleString()} of{' '}
        {job.total.toLocaleString()} resources
      </Typography>
      <LinearProgress
        variant="determinate"
        value={percent}
        aria-label="Progress of the fixes"
      />
      <Typography variant="body2">
        Applied {job.applied.toLocaleString()}, skipped{' '}
        {job.skipped.toLocaleString()}, failed {job.failed.toLocaleString()}
      </Typography>
      {error && (
        <InlineError title="Could not read the progress" error={error} />
      )}
      {job.failures.length > 0 && (
        <Box component="ul" aria-label="Failures" m={0} pl={2}>
          {job.failures.map(failure => (
            <li key={failure.resourceId}>
              <Typography variant="body2">
                <strong>{resourceNameOf(failure.resourceId)}</strong>:{' '}
                {failure.message}
              </Typography>
            </li>
          ))}
        </Box>
      )}
    </Box>
  );
}
