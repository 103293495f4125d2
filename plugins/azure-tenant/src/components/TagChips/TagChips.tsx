import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  list: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5),
    listStyle: 'none',
    margin: 0,
    padding: 0,
  },
  portalOnly: {
    borderStyle: 'dashed',
    borderColor: theme.palette.secondary.main,
  },
  portalLabel: {
    marginLeft: theme.spacing(0.5),
    fontSize: '0.7em',
    textTransform: 'uppercase',
    color: theme.palette.secondary.main,
  },
}));

/** Tags sorted by name, case-insensitively, the way Azure treats names. */
export function sortedTags(tags: Record<string, string> | undefined) {
  return Object.entries(tags ?? {}).sort(([a], [b]) =>
    a.localeCompare(b, undefined, { sensitivity: 'base' }),
  );
}

/**
 * Tags as chips, `name: value`. Portal-only tags (`read-tags`) are outlined with a dashed border and labelled
 * "portal only", so that no one takes them for Azure's.
 */
export function TagChips(props: {
  tags?: Record<string, string>;
  portalTags?: Record<string, string>;
  /** The accessible name of the list. */
  label: string;
  /** Shown when there is no tag at all. */
  emptyText?: string;
}) {
  const classes = useStyles();
  const azure = sortedTags(props.tags);
  const portal = sortedTags(props.portalTags);
  if (azure.length === 0 && portal.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        {props.emptyText ?? 'No tags'}
      </Typography>
    );
  }
  return (
    <Box component="ul" className={classes.list} aria-label={props.label}>
      {azure.map(([name, value]) => (
        <li key={`azure-${name}`} aria-label={`${name}: ${value}`}>
          <Chip size="small" label={`${name}: ${value}`} />
        </li>
      ))}
      {portal.map(([name, value]) => (
        <li
          key={`portal-${name}`}
          aria-label={`${name}: ${value}, portal only`}
        >
          <Chip
            size="small"
            variant="outlined"
            className={classes.portalOnly}
            label={
              <>
                {`${name}: ${value}`}
                <span className={classes.portalLabel}>portal only</span>
              </>
            }
          />
        </li>
      ))}
    </Box>
  );
}
