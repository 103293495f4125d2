import { ResponseError } from '@backstage/errors';
import { TagProblem } from '@azure-tenant/plugin-azure-tenant-common';

/**
 * `PATCH /tags` answered 409 because Azure (or the portal, under `read-tags`) holds other values than the editor
 * saw: nothing was written. Carries what the backend sent so that the user can keep theirs, take Azure's or merge.
 *
 * @public
 */
export class TagConflictError extends Error {
  readonly name = 'TagConflictError';
  /** The current value of each tag the change named in `expected`; `null` when the tag is absent. */
  readonly current: Record<string, string | null>;
  /** All of the resource's current tags. */
  readonly tags: Record<string, string>;
  /** The `ResponseError` of the 409, for its status and body. */
  readonly cause: ResponseError;

  constructor(options: {
    message: string;
    current: Record<string, string | null>;
    tags: Record<string, string>;
    cause: ResponseError;
  }) {
    super(options.message);
    this.current = options.current;
    this.tags = options.tags;
    this.cause = options.cause;
  }
}

/**
 * `PATCH /tags` or `POST /tags/bulk` answered 400 because the change breaks Azure's tag rules: one problem per tag
 * and rule. Nothing was written.
 *
 * @public
 */
export class TagValidationError extends Error {
  readonly name = 'TagValidationError';
  readonly problems: TagProblem[];
  /** The `ResponseError` of the 400. */
  readonly cause: ResponseError;

  constructor(options: {
    message: string;
    problems: TagProblem[];
    cause: ResponseError;
  }) {
    super(options.message);
    this.problems = options.problems;
    this.cause = options.cause;
  }
}

/**
 * Whether an error is a {@link TagConflictError}.
 *
 * @public
 */
export function isTagConflictError(error: unknown): error is TagConflictError {
  return error instanceof TagConflictError;
}

/**
 * Whether an error is a {@link TagValidationError}.
 *
 * @public
 */
export function isTagValidationError(
  error: unknown,
): error is TagValidationError {
  return error instanceof TagValidationError;
}

/**
 * The error to throw for a failed tags response: a {@link TagConflictError} for a 409 that carries `current`, a
 * {@link TagValidationError} for a 400 that carries `problems`, and the plain `ResponseError` otherwise (a 409 for
 * the sync mode has no `current`). `ResponseError.fromResponse` keeps only `error` from the body, so the body is
 * read here first.
 */
export async function tagResponseError(response: Response): Promise<Error> {
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const cause = await ResponseError.fromResponse(
    new Response(text, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    }),
  );
  const message: string = body?.error?.message ?? cause.message;
  if (
    response.status === 409 &&
    body?.current &&
    typeof body.current === 'object'
  ) {
    return new TagConflictError({
      message,
      current: body.current,
      tags: body.tags ?? {},
      cause,
    });
  }
  if (response.status === 400 && Array.isArray(body?.problems)) {
    return new TagValidationError({ message, problems: body.problems, cause });
  }
  return cause;
}
