import { AzureAccessProblem } from '@azure-tenant/plugin-azure-tenant-common';
import {
  AzureOperation,
  classifyAccessProblem,
  isAzureAccessError,
} from '../azure/accessProblems';

/**
 * Why a call to Azure (or a sync built on such calls) failed, in a few words that an alert can group by. The set is
 * closed, so that a metric attribute made from it stays of bounded cardinality:
 *
 * - a lost-access problem ({@link AzureAccessProblem}: `consent-revoked`, `read-denied`, `tag-write-denied`,
 *   `subscription-disabled`, `subscription-deleted`, `subscription-moved`), as `classifyAccessProblem` finds it;
 * - `authentication`: any other failure to get a token;
 * - `access-denied`: any other 401 or 403;
 * - `not-found`: any other 404;
 * - `throttled`: 429, after the pipeline's retries;
 * - `timeout`, `network`: no answer in time, or no connection;
 * - `azure-error`: Azure answered 5xx;
 * - `bad-request`: Azure answered another 4xx (an api-version it does not support, a malformed query);
 * - `bad-response`: Azure's answer could not be read;
 * - `internal`: anything else, for example the plugin's database.
 */
export type AzureFailureReason =
  | AzureAccessProblem
  | 'authentication'
  | 'access-denied'
  | 'not-found'
  | 'throttled'
  | 'timeout'
  | 'network'
  | 'azure-error'
  | 'bad-request'
  | 'bad-response'
  | 'internal';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'REQUEST_SEND_ERROR',
]);

const AUTHENTICATION_ERRORS = new Set([
  'AuthenticationError',
  'AuthenticationRequiredError',
  'CredentialUnavailableError',
  'AggregateAuthenticationError',
]);

/**
 * What may be logged about an error from an Azure SDK: its name, Azure's code and the HTTP status. Never the error
 * itself: it carries the request (and with it a bearer token) and the credential's options.
 */
export type AzureErrorFields = {
  errorName: string;
  errorCode?: string;
  statusCode?: number;
};

function fieldsOf(error: unknown): {
  name?: string;
  code?: string;
  statusCode?: number;
} {
  if (!error || typeof error !== 'object') return {};
  const e = error as {
    name?: unknown;
    code?: unknown;
    statusCode?: unknown;
  };
  const statusCode =
    typeof e.statusCode === 'number' ? e.statusCode : undefined;
  return {
    name: typeof e.name === 'string' ? e.name : undefined,
    code: typeof e.code === 'string' ? e.code : undefined,
    statusCode,
  };
}

/** The loggable fields of an error: see {@link AzureErrorFields}. */
export function azureErrorFields(error: unknown): AzureErrorFields {
  const { name, code, statusCode } = fieldsOf(error);
  return {
    errorName: name ?? typeof error,
    ...(code ? { errorCode: code } : {}),
    ...(statusCode !== undefined ? { statusCode } : {}),
  };
}

/**
 * Sorts an error into an {@link AzureFailureReason}: first as lost access (`classifyAccessProblem`, the one place
 * that decides it), then by its kind. `operation` says what the portal was doing (a 403 on a tag write is
 * `tag-write-denied`, on a read `read-denied`).
 */
export function azureFailureReason(
  error: unknown,
  operation: AzureOperation = 'read',
): AzureFailureReason {
  if (isAzureAccessError(error)) return error.finding.problem;
  const access = classifyAccessProblem(error, operation, { tenantId: '' });
  if (access) return access.problem;
  const { name, code, statusCode } = fieldsOf(error);
  if (name && AUTHENTICATION_ERRORS.has(name)) return 'authentication';
  if (statusCode === 401 || statusCode === 403) return 'access-denied';
  if (statusCode === 404) return 'not-found';
  if (statusCode === 429) return 'throttled';
  if (code === 'ETIMEDOUT' || name === 'TimeoutError') return 'timeout';
  if (code && NETWORK_CODES.has(code)) return 'network';
  if (statusCode !== undefined && statusCode >= 500) return 'azure-error';
  if (statusCode !== undefined && statusCode >= 400) return 'bad-request';
  if (code === 'PARSE_ERROR' || name === 'CostManagementError') {
    return 'bad-response';
  }
  return 'internal';
}
