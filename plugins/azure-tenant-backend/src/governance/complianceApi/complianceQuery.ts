import { InputError } from '@backstage/errors';
import { makeValidator, parseEntityRef } from '@backstage/catalog-model';
import { TagComplianceStatus } from '@azure-tenant/plugin-azure-tenant-common';
import { isGuid } from '../../azure/guid';
import { textProblem } from '../../budgets/budgetInput';
import { ownerRef } from '../../resources/resourceSearchParameters';
import {
  containsControlCharacter,
  parseResourceIdentifier,
} from '../../tags/resourceIdentifier';

/** Days of history when the caller does not say. */
export const DEFAULT_COMPLIANCE_DAYS = 30;
/** The most days of history one answer holds: a year and a bit, to compare with the same month last year. */
export const MAX_COMPLIANCE_DAYS = 400;
/** Resources of a page when the caller does not say. */
export const DEFAULT_COMPLIANCE_PAGE_SIZE = 100;
/** The most resources of a page. */
export const MAX_COMPLIANCE_PAGE_SIZE = 500;

/** The statuses a list may be filtered by. */
export const TAG_COMPLIANCE_STATUSES: TagComplianceStatus[] = [
  'compliant',
  'non-compliant',
  'unknown',
];

// Policy ids are GUIDs or `config:<id>`; far shorter than this. Entity refs are shorter than 512 characters too.
const MAX_ID_LENGTH = 512;
// A cursor holds one resource key, at most 2048 characters, in base64url.
const MAX_CURSOR_LENGTH = 4096;

/** What a caller gives: query strings of the REST API (text), or an action's input (numbers, text). */
export type ComplianceInput = Record<string, unknown>;

/** A checked `GET /tag-compliance/summary`. */
export interface ComplianceSummaryQuery {
  /** Lower case. */
  subscriptionId?: string;
  /** A group or user, in full and lower case. */
  ownerRef?: string;
  days: number;
}

/** A checked `GET /tag-compliance/resources`. */
export interface ComplianceListQuery {
  subscriptionId?: string;
  ownerRef?: string;
  policyId?: string;
  status?: TagComplianceStatus;
  /** The key of the last resource of the previous page. */
  afterKey?: string;
  limit: number;
}

function text(input: ComplianceInput, name: string, maxLength = MAX_ID_LENGTH) {
  const value = input[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new InputError(`${name} must be given once, as text`);
  }
  if (value.trim() === '') {
    throw new InputError(`${name} must not be empty`);
  }
  if (value.length > maxLength) {
    throw new InputError(`${name} is longer than ${maxLength} characters`);
  }
  // PostgreSQL cannot compare a text with a NUL, and no id the portal makes holds a control character or half a
  // surrogate pair.
  const problem = textProblem(value);
  if (problem) {
    throw new InputError(
      `${name} ${problem}, got '${JSON.stringify(value.slice(0, 200)).slice(
        1,
        -1,
      )}'`,
    );
  }
  return value;
}

/** A whole number from `min` to `max`, given as a number (an action) or as digits (a query string). */
function wholeNumber(
  input: ComplianceInput,
  name: string,
  { min, max, fallback }: { min: number; max: number; fallback: number },
): number {
  const value = input[name];
  if (value === undefined) return fallback;
  const number =
    typeof value === 'string' && /^[0-9]{1,9}$/.test(value)
      ? Number(value)
      : value;
  if (
    typeof number !== 'number' ||
    !Number.isInteger(number) ||
    number < min ||
    number > max
  ) {
    throw new InputError(
      `${name} must be a whole number from ${min} to ${max}, got '${String(
        value,
      ).slice(0, 40)}'`,
    );
  }
  return number;
}

function subscriptionId(input: ComplianceInput): string | undefined {
  const value = text(input, 'subscriptionId');
  if (value === undefined) return undefined;
  if (!isGuid(value)) {
    throw new InputError(
      `subscriptionId must be a subscription id (a GUID), got '${value}'`,
    );
  }
  return value.toLowerCase();
}

const validator = makeValidator();

/** A group or user (kind group when omitted), as the catalog names the owner in an `ownedBy` relation. */
function owner(input: ComplianceInput): string | undefined {
  const value = text(input, 'ownerRef');
  let ref: string | undefined;
  try {
    ref = ownerRef(value);
  } catch (error) {
    // The resource search's check, whose messages call the field `owner`.
    throw new InputError(
      (error as Error).message.replace(/^owner/, 'ownerRef'),
    );
  }
  if (ref === undefined) return undefined;
  // As showback's owner: the catalog names entities with letters, digits, - _ and . only, so a look-alike (or text a
  // query string could not decode, left percent-encoded) would get an empty figure that reads as "owns nothing".
  const { namespace, name } = parseEntityRef(ref);
  if (
    !validator.isValidNamespace(namespace) ||
    !validator.isValidEntityName(name)
  ) {
    throw new InputError(
      `ownerRef must name a catalog group or user, such as group:default/platform; '${JSON.stringify(
        ref.slice(0, 200),
      ).slice(1, -1)}' is not a valid entity reference`,
    );
  }
  return ref;
}

/** Days of history: 1 to {@link MAX_COMPLIANCE_DAYS}, {@link DEFAULT_COMPLIANCE_DAYS} when not given. */
export function parseComplianceDays(input: ComplianceInput): number {
  return wholeNumber(input, 'days', {
    min: 1,
    max: MAX_COMPLIANCE_DAYS,
    fallback: DEFAULT_COMPLIANCE_DAYS,
  });
}

/**
 * Checks a summary's scope and days: at most one of `subscriptionId` and `ownerRef` (neither: everything), and throws
 * an `InputError` naming the field that is wrong.
 */
export function parseComplianceSummaryQuery(
  input: ComplianceInput,
): ComplianceSummaryQuery {
  const subscription = subscriptionId(input);
  const ownerFilter = owner(input);
  if (subscription && ownerFilter) {
    throw new InputError(
      'Give at most one of subscriptionId and ownerRef: a summary is of one subscription, one owner, or everything',
    );
  }
  return {
    ...(subscription ? { subscriptionId: subscription } : {}),
    ...(ownerFilter ? { ownerRef: ownerFilter } : {}),
    days: parseComplianceDays(input),
  };
}

/** The opaque `nextCursor` of a page that ended at `resourceKey`. */
export function encodeComplianceCursor(resourceKey: string): string {
  return Buffer.from(JSON.stringify({ k: resourceKey }), 'utf8').toString(
    'base64url',
  );
}

const CURSOR_REFUSAL =
  'cursor is not a nextCursor that this list returned; start again without a cursor';

/**
 * The resource key a cursor of {@link encodeComplianceCursor} holds. Anything else is refused rather than read as
 * "from the start", which a caller following pages would take for a complete answer.
 */
function decodeCursor(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    const json = Buffer.from(value, 'base64url').toString('utf8');
    if (Buffer.from(json, 'utf8').toString('base64url') !== value) {
      throw new InputError(CURSOR_REFUSAL);
    }
    parsed = JSON.parse(json);
  } catch {
    throw new InputError(CURSOR_REFUSAL);
  }
  const key = (parsed as { k?: unknown } | null)?.k;
  if (
    typeof key !== 'string' ||
    !key.startsWith('/subscriptions/') ||
    key !== key.toLowerCase() ||
    containsControlCharacter(key)
  ) {
    throw new InputError(CURSOR_REFUSAL);
  }
  return key;
}

/** Checks a list's filters, cursor and limit, and throws an `InputError` naming the field that is wrong. */
export function parseComplianceListQuery(
  input: ComplianceInput,
): ComplianceListQuery {
  const status = text(input, 'status');
  if (
    status !== undefined &&
    !TAG_COMPLIANCE_STATUSES.includes(status as TagComplianceStatus)
  ) {
    throw new InputError(
      `status must be one of ${TAG_COMPLIANCE_STATUSES.join(
        ', ',
      )}, got '${status}'`,
    );
  }
  const subscription = subscriptionId(input);
  const ownerFilter = owner(input);
  const policyId = text(input, 'policyId');
  const afterKey = decodeCursor(text(input, 'cursor', MAX_CURSOR_LENGTH));
  return {
    ...(subscription ? { subscriptionId: subscription } : {}),
    ...(ownerFilter ? { ownerRef: ownerFilter } : {}),
    ...(policyId ? { policyId } : {}),
    ...(status ? { status: status as TagComplianceStatus } : {}),
    ...(afterKey ? { afterKey } : {}),
    limit: wholeNumber(input, 'limit', {
      min: 1,
      max: MAX_COMPLIANCE_PAGE_SIZE,
      fallback: DEFAULT_COMPLIANCE_PAGE_SIZE,
    }),
  };
}

/** A resource id, lower-cased as compliance is keyed; the message names `resourceId`. */
export function parseComplianceResourceId(value: unknown): {
  resourceId: string;
  key: string;
} {
  if (value === undefined || value === '') {
    throw new InputError('resourceId is required: an Azure resource id');
  }
  if (typeof value !== 'string') {
    throw new InputError('resourceId must be given once, as text');
  }
  // An Azure name never holds either, and PostgreSQL cannot compare a text with a NUL.
  const problem = textProblem(value);
  if (problem) {
    throw new InputError(
      `resourceId ${problem}, got '${JSON.stringify(value.slice(0, 200)).slice(
        1,
        -1,
      )}'`,
    );
  }
  try {
    const { resourceId, key } = parseResourceIdentifier(value);
    return { resourceId, key };
  } catch {
    throw new InputError(
      `resourceId must be the id of an Azure resource, /subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name}, got '${JSON.stringify(
        value.slice(0, 200),
      ).slice(1, -1)}'`,
    );
  }
}
