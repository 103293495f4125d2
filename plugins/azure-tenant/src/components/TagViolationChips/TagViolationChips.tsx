import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import CheckCircleOutlineIcon from '@material-ui/icons/CheckCircleOutline';
import { makeStyles } from '@material-ui/core/styles';
import {
  TagComplianceStatus,
  TagViolation,
  TagViolationCode,
} from '@azure-tenant/plugin-azure-tenant-common';

/** A few words per kind of violation, short enough for a chip beside the key. */
export const violationCodeLabels: Record<TagViolationCode, string> = {
  missing: 'missing',
  'not-inherited': 'not inherited',
  'non-canonical-key': 'misspelled key',
  'value-not-allowed': 'value not allowed',
  'value-pattern-mismatch': 'value format',
  'value-not-catalog-entity': 'no such team',
};

const useStyles = makeStyles(theme => ({
  list: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5),
    listStyle: 'none',
    margin: 0,
    padding: 0,
  },
  compliant: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    color: theme.palette.success.main,
  },
}));

/**
 * A resource's tag compliance in a table cell: a chip per violation, `key: short label`, whose tooltip (and
 * accessible description) is the violation's message; a "compliant" mark; or words for a status not known.
 */
export function TagViolationChips(props: {
  /** Undefined: not evaluated (yet). */
  status?: TagComplianceStatus;
  violations?: TagViolation[];
  /** The accessible name of the list of violations. */
  label: string;
}) {
  const classes = useStyles();
  const { status, violations = [], label } = props;
  if (status === 'compliant') {
    return (
      <Typography
        variant="body2"
        component="span"
        className={classes.compliant}
      >
        <CheckCircleOutlineIcon fontSize="small" aria-hidden />
        compliant
      </Typography>
    );
  }
  if (status === 'unknown') {
    return (
      <Typography variant="body2" color="textSecondary">
        Unknown: tags not kept
      </Typography>
    );
  }
  if (status === undefined || violations.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        Not evaluated yet
      </Typography>
    );
  }
  return (
    <Box component="ul" className={classes.list} aria-label={label}>
      {violations.map(violation => {
        const text = `${violation.key}: ${violationCodeLabels[violation.code]}`;
        return (
          <li
            key={`${violation.policyId}-${violation.code}`}
            aria-label={`${text}. ${violation.message}`}
          >
            <Tooltip title={violation.message}>
              <Chip
                size="small"
                color="secondary"
                variant="outlined"
                label={text}
              />
            </Tooltip>
          </li>
        );
      })}
    </Box>
  );
}
