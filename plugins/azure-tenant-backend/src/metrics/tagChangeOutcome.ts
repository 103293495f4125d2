import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { isAzureAccessError } from '../azure/accessProblems';
import { isTagConflictError } from '../tags/tagErrors';
import { TagChangeOutcome } from './azureTenantMetrics';

/**
 * How a tag change that threw ended, as a metric attribute: `conflict` (a tag changed since the editor read it),
 * `invalid` (Azure's tag rules), `refused` (the sync mode, or Azure's 409), `denied` (a missing role, or lost access), `not-found`,
 * or `failed` (Azure or the portal could not answer).
 */
export function tagChangeOutcome(error: unknown): TagChangeOutcome {
  if (isTagConflictError(error)) return 'conflict';
  if (error instanceof InputError) return 'invalid';
  if (error instanceof ConflictError) return 'refused';
  if (error instanceof NotAllowedError || isAzureAccessError(error)) {
    return 'denied';
  }
  if (error instanceof NotFoundError) return 'not-found';
  return 'failed';
}
