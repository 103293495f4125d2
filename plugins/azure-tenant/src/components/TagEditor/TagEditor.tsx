import { useCallback, useEffect, useMemo, useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  findTag,
  ownTag,
  ResourceTags,
  SYNC_MODE_DESCRIPTIONS,
  TagProblem,
  TagUpdateResult,
} from '@azure-tenant/plugin-azure-tenant-common';
import {
  azureTenantApiRef,
  isTagConflictError,
  isTagValidationError,
  TagConflictError,
} from '../../api';
import { useResourceTags } from '../../hooks/useResourceTags';
import { StaleDataNotice } from '../AccessStatus';
import { InlineError } from '../InlineError';
import { TagChips } from '../TagChips';
import { TagConflictDialog } from './TagConflictDialog';
import { TagProblemList } from './TagProblemList';
import { TagRowFields } from './TagRowFields';
import {
  draftProblems,
  draftRows,
  editableTags,
  isEmptyChange,
  newRowKey,
  pendingChange,
  PendingTagChange,
  rowProblems,
  TagDraftRow,
} from './tagDraft';

/** Options of the {@link TagEditor}. */
export interface TagEditorProps {
  /** The Azure resource id of the resource whose tags are edited. */
  resourceId: string;
  /** Called with the backend's answer after a save. */
  onSaved: (result: TagUpdateResult) => void;
  onCancel: () => void;
}

/** Why the tags cannot be edited, and what the sync mode means. */
export function TagsReadOnlyNotice(props: { tags: ResourceTags }) {
  const { tags } = props;
  return (
    <Box role="note" aria-label="Read-only" mb={2}>
      <Typography variant="subtitle2">Read-only</Typography>
      <Typography variant="body2">
        {tags.reason?.message ?? 'You cannot edit these tags.'}
      </Typography>
      {tags.reason?.code === 'sync-mode' && (
        <Typography variant="body2" color="textSecondary">
          Sync mode {SYNC_MODE_DESCRIPTIONS[tags.syncMode].title}:{' '}
          {SYNC_MODE_DESCRIPTIONS[tags.syncMode].description} An admin can
          change the sync mode on the Azure tenants page.
        </Typography>
      )}
    </Box>
  );
}

/**
 * Edits one resource's tags: change values, add and remove tags, with Azure's rules checked as the user types.
 * Reads the resource's tags first, for whether the user may edit them and for the values `expected` reports. Under
 * `read-tags` edits are kept as portal-only tags, and only those can be removed. Tags the portal could not refresh
 * (it lost access) come with why and since when.
 */
export function TagEditor(props: TagEditorProps) {
  const state = useResourceTags(props.resourceId);
  // Bumped by "Take theirs", so that the draft starts over even when the reloaded tags are the same.
  const [generation, setGeneration] = useState(0);

  if (state.loading && !state.value) return <Progress />;
  if (state.error) {
    return (
      <>
        <InlineError title="Could not load the tags" error={state.error} />
        <Button onClick={props.onCancel}>Cancel</Button>
      </>
    );
  }
  if (!state.value) return null;
  const staleness = state.value.staleness && (
    <Box mb={2}>
      <StaleDataNotice staleness={state.value.staleness} what="tags" />
    </Box>
  );
  if (!state.value.canEdit) {
    return (
      <>
        {staleness}
        <TagsReadOnlyNotice tags={state.value} />
        <TagChips
          label="Tags"
          tags={state.value.tags}
          portalTags={state.value.portalTags}
        />
        <Box mt={2}>
          <Button onClick={props.onCancel}>Close</Button>
        </Box>
      </>
    );
  }
  return (
    <>
      {staleness}
      <TagDraftEditor
        key={`${generation}:${JSON.stringify(state.value)}`}
        tags={state.value}
        reload={() => {
          setGeneration(n => n + 1);
          state.reload();
        }}
        onSaved={props.onSaved}
        onCancel={props.onCancel}
      />
    </>
  );
}

function TagDraftEditor(props: {
  tags: ResourceTags;
  reload: () => void;
  onSaved: (result: TagUpdateResult) => void;
  onCancel: () => void;
}) {
  const { tags } = props;
  const api = useApi(azureTenantApiRef);
  const portalMode = tags.syncMode === 'read-tags';
  const base = useMemo(() => editableTags(tags), [tags]);
  const [rows, setRows] = useState<TagDraftRow[]>(() => draftRows(base));
  const [saving, setSaving] = useState(false);
  const [serverProblems, setServerProblems] = useState<TagProblem[]>([]);
  const [saveError, setSaveError] = useState<Error>();
  const [conflict, setConflict] = useState<{
    error: TagConflictError;
    change: PendingTagChange;
  }>();

  const change = useMemo(() => pendingChange(rows, base), [rows, base]);
  const problems = useMemo(
    () => draftProblems(rows, base, change),
    [rows, base, change],
  );
  const shownProblems = [...problems, ...serverProblems];
  const rowKeys = new Set(rows.map(row => row.original ?? row.name));
  const unplacedProblems = shownProblems.filter(p => !rowKeys.has(p.tag));

  useEffect(() => {
    // A server's verdict is about what was sent; once the user edits, it no longer applies.
    setServerProblems([]);
    setSaveError(undefined);
  }, [rows]);

  // Stable, so that a keystroke re-renders only the row it changes (TagRowFields is memoized).
  const update = useCallback(
    (key: string, patch: Partial<TagDraftRow>) =>
      setRows(current =>
        current.map(row => (row.key === key ? { ...row, ...patch } : row)),
      ),
    [],
  );
  const discard = useCallback(
    (key: string) => setRows(current => current.filter(r => r.key !== key)),
    [],
  );

  const save = async (toSend: PendingTagChange) => {
    setSaving(true);
    setSaveError(undefined);
    try {
      const result = await api.updateTags({
        resourceId: tags.resourceId,
        ...(Object.keys(toSend.set).length > 0 && { set: toSend.set }),
        ...(toSend.remove.length > 0 && { remove: toSend.remove }),
        expected: toSend.expected,
      });
      setConflict(undefined);
      props.onSaved(result);
    } catch (error) {
      if (isTagConflictError(error)) {
        setConflict({ error, change: toSend });
      } else if (isTagValidationError(error)) {
        setConflict(undefined);
        setServerProblems(error.problems);
      } else {
        setConflict(undefined);
        setSaveError(error as Error);
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <Box
      component="form"
      aria-label="Edit tags"
      onSubmit={e => e.preventDefault()}
    >
      <Typography variant="body2" color="textSecondary" paragraph>
        {portalMode
          ? `Sync mode ${SYNC_MODE_DESCRIPTIONS['read-tags'].title}: your edits stay in the portal as portal-only tags and are never written to Azure. Only portal-only tags can be removed.`
          : `Sync mode ${
              SYNC_MODE_DESCRIPTIONS[tags.syncMode].title
            }: your edits are written to Azure.`}
      </Typography>
      {rows.map(row => {
        const isNew = row.original === undefined;
        const isPortal =
          !isNew && findTag(tags.portalTags, row.original!) !== undefined;
        return (
          <TagRowFields
            key={row.key}
            row={row}
            isPortal={isPortal}
            removable={isNew || !portalMode || isPortal}
            problems={rowProblems(row, shownProblems)}
            baseValue={isNew ? undefined : ownTag(base, row.original!)}
            onUpdate={update}
            onDiscard={discard}
          />
        );
      })}
      <TagProblemList problems={unplacedProblems} alert />
      {saveError && (
        <InlineError title="Could not save the tags" error={saveError} />
      )}
      <Box display="flex" mt={2} style={{ gap: 8 }}>
        <Button
          onClick={() =>
            setRows(current => [
              ...current,
              { key: newRowKey(), name: '', value: '', removed: false },
            ])
          }
        >
          Add tag
        </Button>
        <Box flexGrow={1} />
        <Button onClick={props.onCancel} disabled={saving}>
          Cancel
        </Button>
        <Button
          type="submit"
          color="primary"
          variant="contained"
          disabled={saving || problems.length > 0 || isEmptyChange(change)}
          onClick={() => save(change)}
        >
          Save
        </Button>
      </Box>
      {conflict && (
        <TagConflictDialog
          conflict={conflict.error}
          change={conflict.change}
          saving={saving}
          onKeepMine={save}
          onSaveMerged={save}
          onTakeTheirs={() => {
            setConflict(undefined);
            props.reload();
          }}
          onClose={() => setConflict(undefined)}
        />
      )}
    </Box>
  );
}
