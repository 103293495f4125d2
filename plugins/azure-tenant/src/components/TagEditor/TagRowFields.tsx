import { memo } from 'react';
import Box from '@material-ui/core/Box';
import IconButton from '@material-ui/core/IconButton';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import DeleteIcon from '@material-ui/icons/Delete';
import UndoIcon from '@material-ui/icons/Undo';
import { TagProblem } from '@azure-tenant/plugin-azure-tenant-common';
import { TagDraftRow } from './tagDraft';

interface TagRowFieldsProps {
  row: TagDraftRow;
  /** A portal-only tag (under Read Tags Only). */
  isPortal: boolean;
  removable: boolean;
  /** The problems of this row's tag, shown under its value. */
  problems: TagProblem[];
  /** The tag's value on the resource, restored when the tag is marked for removal; undefined for a new tag. */
  baseValue?: string;
  onUpdate: (key: string, patch: Partial<TagDraftRow>) => void;
  /** Drops a tag being added. */
  onDiscard: (key: string) => void;
}

function sameProblems(a: TagProblem[], b: TagProblem[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (p, i) =>
        p.tag === b[i].tag &&
        p.code === b[i].code &&
        p.message === b[i].message,
    )
  );
}

/**
 * One tag of the editor: its name (editable for a new tag), its value, its problems and a remove or restore button.
 *
 * Memoized: a resource can have 50 tags, and a keystroke in one of them should not re-render the other 49. Its
 * problems are a new list on every render of the editor, so they are compared by content.
 */
export const TagRowFields = memo(
  function TagRow(props: TagRowFieldsProps) {
    const {
      row,
      isPortal,
      removable,
      problems,
      baseValue,
      onUpdate,
      onDiscard,
    } = props;
    const isNew = row.original === undefined;
    const label = row.name.trim() ? row.name : 'new tag';
    return (
      <Box
        role="group"
        aria-label={`Tag ${label}`}
        display="flex"
        alignItems="flex-start"
        mb={1}
        style={{ gap: 8 }}
      >
        {isNew ? (
          <TextField
            id={`${row.key}-name`}
            label="Tag name"
            size="small"
            variant="outlined"
            value={row.name}
            onChange={e => onUpdate(row.key, { name: e.target.value })}
            error={problems.length > 0}
          />
        ) : (
          <Box minWidth={160} pt={1}>
            <Typography
              variant="body2"
              style={
                row.removed ? { textDecoration: 'line-through' } : undefined
              }
            >
              {row.original}
            </Typography>
            {isPortal && (
              <Typography variant="caption" color="secondary">
                portal only
              </Typography>
            )}
          </Box>
        )}
        <Box flexGrow={1}>
          <TextField
            size="small"
            variant="outlined"
            fullWidth
            value={row.value}
            disabled={row.removed}
            onChange={e => onUpdate(row.key, { value: e.target.value })}
            error={problems.length > 0}
            {...(isNew
              ? { label: 'Tag value', id: `${row.key}-value` }
              : {
                  inputProps: {
                    'aria-label': `Value of tag ${row.original}`,
                  },
                })}
          />
          {problems.map(problem => (
            <Typography
              key={`${problem.code}-${problem.message}`}
              color="error"
              variant="caption"
              component="p"
              role="alert"
            >
              {problem.message}
            </Typography>
          ))}
        </Box>
        {row.removed ? (
          <Tooltip title="Keep this tag">
            <IconButton
              aria-label={`Restore tag ${row.original}`}
              onClick={() => onUpdate(row.key, { removed: false })}
            >
              <UndoIcon />
            </IconButton>
          </Tooltip>
        ) : (
          <Tooltip
            title={
              removable
                ? 'Remove this tag'
                : "An Azure tag: under Read Tags Only the portal never changes Azure's tags"
            }
          >
            <span>
              <IconButton
                aria-label={`Remove tag ${label}`}
                disabled={!removable}
                onClick={() =>
                  isNew
                    ? onDiscard(row.key)
                    : onUpdate(row.key, {
                        removed: true,
                        value: baseValue ?? row.value,
                      })
                }
              >
                <DeleteIcon />
              </IconButton>
            </span>
          </Tooltip>
        )}
      </Box>
    );
  },
  (before, after) =>
    before.row === after.row &&
    before.isPortal === after.isPortal &&
    before.removable === after.removable &&
    before.baseValue === after.baseValue &&
    before.onUpdate === after.onUpdate &&
    before.onDiscard === after.onDiscard &&
    sameProblems(before.problems, after.problems),
);
