import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import { validateTagChange } from '@azure-tenant/plugin-azure-tenant-common';
import {
  azureTenantApiRef,
  BulkTagUpdateItem,
  BulkTagUpdateResponse,
  isTagValidationError,
} from '../../api';
import { InlineError } from '../InlineError';
import { TagProblemList } from '../TagEditor';
import { resourceCount } from './resourceCount';

/** One resource's result as a user reads it; a failure always with its reason. */
function bulkOutcome(item: BulkTagUpdateItem): string {
  if (item.status !== 'succeeded') {
    return `failed: ${item.error?.message ?? 'unknown error'}`;
  }
  if (item.result?.outcome === 'portal-only')
    return 'succeeded (portal-only tags)';
  if (item.result?.outcome === 'unchanged') return 'succeeded (already had it)';
  return 'succeeded';
}

/** A resource the bulk edit applies to. */
export interface BulkTagTarget {
  resourceId: string;
  /** What the user calls it: the entity's title or name. */
  label: string;
}

/**
 * Sets or removes one tag on many resources at once, then reports each resource's result. Failures are listed with
 * their reason, never hidden behind a count.
 */
export function BulkTagDialog(props: {
  targets: BulkTagTarget[];
  onDone: (response: BulkTagUpdateResponse) => void;
  onClose: () => void;
}) {
  const { targets } = props;
  const api = useApi(azureTenantApiRef);
  const [operation, setOperation] = useState<'set' | 'remove'>('set');
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<Error>();
  const [response, setResponse] = useState<BulkTagUpdateResponse>();

  const change =
    operation === 'set' ? { set: { [name]: value } } : { remove: [name] };
  const problems = validateTagChange(change);
  const labels = new Map(targets.map(t => [t.resourceId, t.label]));

  const apply = async () => {
    setRunning(true);
    setError(undefined);
    try {
      const answer = await api.bulkUpdateTags({
        resourceIds: targets.map(t => t.resourceId),
        ...change,
      });
      setResponse(answer);
      props.onDone(answer);
    } catch (e) {
      setError(e as Error);
    } finally {
      setRunning(false);
    }
  };

  return (
    <Dialog
      open
      onClose={props.onClose}
      aria-labelledby="bulk-tags-title"
      fullWidth
    >
      <DialogTitle id="bulk-tags-title">
        Edit tags of {resourceCount(targets.length)}
      </DialogTitle>
      <DialogContent>
        {response ? (
          <section aria-label="Bulk edit results">
            <Typography variant="subtitle2" role="status">
              {response.succeeded} succeeded, {response.failed} failed
            </Typography>
            <ul>
              {response.results.map(item => (
                <li key={item.resourceId}>
                  {labels.get(item.resourceId) ?? item.resourceId}:{' '}
                  {bulkOutcome(item)}
                  {item.problems && <TagProblemList problems={item.problems} />}
                </li>
              ))}
            </ul>
          </section>
        ) : (
          <>
            <RadioGroup
              row
              aria-label="Change"
              value={operation}
              onChange={e => setOperation(e.target.value as 'set' | 'remove')}
            >
              <FormControlLabel
                value="set"
                control={<Radio />}
                label="Set a tag"
              />
              <FormControlLabel
                value="remove"
                control={<Radio />}
                label="Remove a tag"
              />
            </RadioGroup>
            <TextField
              id="bulk-tag-name"
              label="Tag name"
              value={name}
              onChange={e => setName(e.target.value)}
              fullWidth
              margin="dense"
            />
            {operation === 'set' && (
              <TextField
                id="bulk-tag-value"
                label="Tag value"
                value={value}
                onChange={e => setValue(e.target.value)}
                fullWidth
                margin="dense"
              />
            )}
            {name !== '' &&
              problems.map(p => (
                <Typography
                  key={`${p.code}-${p.message}`}
                  role="alert"
                  color="error"
                  variant="body2"
                >
                  {p.message}
                </Typography>
              ))}
            {error && (
              <>
                <InlineError title="Could not edit the tags" error={error} />
                {isTagValidationError(error) && (
                  <TagProblemList problems={error.problems} />
                )}
              </>
            )}
          </>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>{response ? 'Close' : 'Cancel'}</Button>
        {!response && (
          <Button
            color="primary"
            variant="contained"
            disabled={running || name === '' || problems.length > 0}
            onClick={apply}
          >
            Apply to {resourceCount(targets.length)}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
