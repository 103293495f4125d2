import Typography from '@material-ui/core/Typography';
import { ResponseError } from '@backstage/errors';

/**
 * The message a user should read for an error. A `ResponseError`'s own message only names the status code, while
 * its cause carries the backend's explanation.
 */
export function describeError(error: Error): string {
  if (error instanceof ResponseError && error.cause?.message) {
    return error.cause.message;
  }
  return error.message;
}

/** A one-line error next to the control that caused it, announced to screen readers. */
export function InlineError(props: { title: string; error: Error }) {
  return (
    <Typography role="alert" color="error" variant="body2">
      {props.title}: {describeError(props.error)}
    </Typography>
  );
}
