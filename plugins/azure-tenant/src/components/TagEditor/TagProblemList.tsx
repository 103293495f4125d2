import Typography from '@material-ui/core/Typography';
import { TagProblem } from '@azure-tenant/plugin-azure-tenant-common';

/**
 * Problems with tags, one a line as `tag: message` (just the message when it is about no tag in particular).
 *
 * @param alert - Announce them as they appear (while the user edits); off for a result read afterwards.
 */
export function TagProblemList(props: {
  problems: TagProblem[];
  alert?: boolean;
}) {
  return (
    <>
      {props.problems.map(problem => (
        <Typography
          key={`${problem.tag}-${problem.code}-${problem.message}`}
          color="error"
          variant="body2"
          role={props.alert ? 'alert' : undefined}
        >
          {problem.tag ? `${problem.tag}: ` : ''}
          {problem.message}
        </Typography>
      ))}
    </>
  );
}
