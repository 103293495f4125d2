import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import MuiTable from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { ownTag } from '@azure-tenant/plugin-azure-tenant-common';
import { TagConflictError } from '../../api';
import {
  changedInAzure,
  isEmptyChange,
  mergedChange,
  PendingTagChange,
} from './tagDraft';

function shown(value: string | null | undefined): string {
  return value === null || value === undefined ? '(absent)' : value;
}

function mine(change: PendingTagChange, name: string): string {
  return change.remove.includes(name)
    ? '(removed)'
    : ownTag(change.set, name) ?? '';
}

/**
 * Azure changed some of the tags the user edited since the editor read them, and nothing was written. Offers to
 * keep the user's values, take Azure's, or merge (the user's edits where Azure changed nothing), showing a merge's
 * result before it is sent.
 */
export function TagConflictDialog(props: {
  conflict: TagConflictError;
  change: PendingTagChange;
  saving: boolean;
  onKeepMine: (change: PendingTagChange) => void;
  onTakeTheirs: () => void;
  onSaveMerged: (change: PendingTagChange) => void;
  onClose: () => void;
}) {
  const { conflict, change, saving } = props;
  const [merging, setMerging] = useState(false);
  const changed = changedInAzure(change, conflict.current);
  const merge = mergedChange(change, conflict.current);

  return (
    <Dialog open onClose={props.onClose} aria-labelledby="tag-conflict-title">
      <DialogTitle id="tag-conflict-title">
        Tags changed in Azure in the meantime
      </DialogTitle>
      <DialogContent>
        <DialogContentText>{conflict.message}</DialogContentText>
        <MuiTable size="small" aria-label="Conflicting tags">
          <TableHead>
            <TableRow>
              <TableCell>Tag</TableCell>
              <TableCell>You saw</TableCell>
              <TableCell>Azure now</TableCell>
              <TableCell>Yours</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {changed.map(name => (
              <TableRow key={name}>
                <TableCell>{name}</TableCell>
                <TableCell>{shown(ownTag(change.expected, name))}</TableCell>
                <TableCell>{shown(ownTag(conflict.current, name))}</TableCell>
                <TableCell>{mine(change, name)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </MuiTable>
        {merging && (
          <section aria-label="Merged change">
            <Typography variant="subtitle2" style={{ marginTop: 16 }}>
              The merge will:
            </Typography>
            <ul>
              {Object.entries(merge.change.set).map(([name, value]) => (
                <li key={`set-${name}`}>
                  set {name} to {value}
                </li>
              ))}
              {merge.change.remove.map(name => (
                <li key={`remove-${name}`}>remove {name}</li>
              ))}
              {merge.taken.map(name => (
                <li key={`take-${name}`}>
                  keep Azure&apos;s {name}:{' '}
                  {shown(ownTag(conflict.current, name))}
                </li>
              ))}
            </ul>
            {isEmptyChange(merge.change) && (
              <Typography variant="body2">
                None of your edits is left to send.
              </Typography>
            )}
          </section>
        )}
      </DialogContent>
      <DialogActions>
        {merging ? (
          <>
            <Button onClick={() => setMerging(false)} disabled={saving}>
              Back
            </Button>
            {isEmptyChange(merge.change) ? (
              <Button color="primary" onClick={props.onTakeTheirs}>
                Take theirs
              </Button>
            ) : (
              <Button
                color="primary"
                variant="contained"
                disabled={saving}
                onClick={() => props.onSaveMerged(merge.change)}
              >
                Save merged change
              </Button>
            )}
          </>
        ) : (
          <>
            <Button onClick={props.onClose} disabled={saving}>
              Cancel
            </Button>
            <Button onClick={props.onTakeTheirs} disabled={saving}>
              Take theirs
            </Button>
            <Button onClick={() => setMerging(true)} disabled={saving}>
              Merge
            </Button>
            <Button
              color="primary"
              variant="contained"
              disabled={saving}
              onClick={() =>
                props.onKeepMine({ ...change, expected: conflict.current })
              }
            >
              Keep mine
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}
