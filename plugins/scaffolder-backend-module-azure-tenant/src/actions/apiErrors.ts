import { ResponseError } from '@backstage/errors';

/** An error of the Azure tenant plugin's API, as a template's log and failure show it. */
export interface ApiFailure {
  /** The HTTP status the API answered, or 0 when it could not be reached. */
  status: number;
  /** The error's name, e.g. `NotAllowedError` or `ConflictError`. */
  name: string;
  /** The API's own sentence, which says why and what to do. */
  message: string;
}

/**
 * What a call to the API failed with: the status and the API's error (never the raw response, which may echo the
 * request). An error that is not an answer of the API, such as a refused connection, keeps its own message.
 */
export function apiFailure(error: unknown): ApiFailure {
  if (
    error instanceof ResponseError ||
    (error as Error)?.name === 'ResponseError'
  ) {
    const { statusCode, cause } = error as ResponseError;
    return { status: statusCode, name: cause.name, message: cause.message };
  }
  const { name = 'Error', message = String(error) } = (error ?? {}) as Error;
  return { status: 0, name, message };
}
