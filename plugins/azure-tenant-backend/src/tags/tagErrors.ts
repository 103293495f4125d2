import { isRestError } from '@azure/core-rest-pipeline';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { TagProblem } from '@azure-tenant/plugin-azure-tenant-common';
import { isAzureAccessError } from '../azure/accessProblems';

/** A change that breaks Azure's tag rules: a 400 whose message names each offending tag. */
export class TagValidationError extends InputError {
  readonly problems: TagProblem[];
  constructor(problems: TagProblem[]) {
    super(
      `Invalid tags: ${problems
        .map(p => `'${p.tag}': ${p.message}`)
        .join(' ')}`,
    );
    this.problems = problems;
  }
}

/**
 * The editor saw other values than Azure (or the portal, under `read-tags`) holds now: a 409, and nothing was
 * written.
 */
export class TagConflictError extends ConflictError {
  /** The current value of each tag named in `expected`; `null` when the tag is absent. */
  readonly current: Record<string, string | null>;
  /** The resource's current tags, all of them. */
  readonly tags: Record<string, string>;
  constructor(
    resourceId: string,
    conflicts: string[],
    current: Record<string, string | null>,
    tags: Record<string, string>,
  ) {
    // The current values are in the message too: an action's caller (an agent) gets only the message, not `current`.
    super(
      `The tags ${conflicts
        .map(name => {
          const value = current[name];
          return `'${name}' (now ${
            value === null || value === undefined ? 'absent' : `'${value}'`
          })`;
        })
        .join(
          ', ',
        )} of ${resourceId} changed since you read them; nothing was written. Review the current values and try again.`,
    );
    this.current = current;
    this.tags = tags;
  }
}

/** Whether an error is a {@link TagConflictError}. */
export function isTagConflictError(error: unknown): error is TagConflictError {
  return error instanceof TagConflictError;
}

/** Whether an error is a {@link TagValidationError}. */
export function isTagValidationError(
  error: unknown,
): error is TagValidationError {
  return error instanceof TagValidationError;
}

/**
 * Turns an error from Azure's tags API into one of `@backstage/errors`, keeping only Azure's code and message: the
 * SDK's error carries the request, and with it a bearer token.
 */
export function fromAzureTagsError(error: unknown, resourceId: string): Error {
  if (isAzureAccessError(error)) {
    // Lost access: a role removed is a 403; credentials refused or a subscription that Azure does not serve is a
    // 503, until an administrator reconnects the tenant or the subscription is back. Both say what to do.
    const { problem, message } = error.finding;
    return problem === 'read-denied' || problem === 'tag-write-denied'
      ? new NotAllowedError(message)
      : new ServiceUnavailableError(message);
  }
  if (!isRestError(error)) {
    const name = (error as Error)?.name;
    if (
      name === 'AuthenticationRequiredError' ||
      name === 'AuthenticationError'
    ) {
      // Entra ID did not issue the portal's token, for a reason that is not lost access (it answered 5xx, say). Its
      // error carries scopes and tracing options: only a sentence goes on.
      return new ServiceUnavailableError(
        `Microsoft Entra ID did not issue the portal's token to reach ${resourceId}; try again in a few minutes.`,
      );
    }
    return error as Error;
  }
  const code = error.code ?? 'Unknown';
  const message = `Azure refused the tag change on ${resourceId}: ${code}: ${error.message}`;
  switch (error.statusCode) {
    case 400:
      return new InputError(message);
    case 401:
    case 403:
      return new NotAllowedError(
        `The portal's service principal may not change tags on ${resourceId} (${code}). It needs the Tag Contributor role on the subscription; a subscription Owner can grant it with "Add more subscriptions".`,
      );
    case 404:
      return new NotFoundError(
        `Azure has no resource ${resourceId} (${code}); it may have been deleted since the last sync.`,
      );
    case 409:
      return new ConflictError(message);
    default:
      return new ServiceUnavailableError(message);
  }
}
