import { InputError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { containsControlCharacter } from '../tags/resourceIdentifier';
import { isGuid } from '../azure/guid';

/** Items of a page when the caller does not say. */
export const DEFAULT_RESOURCE_PAGE_SIZE = 100;
/** The most items of a page. */
export const MAX_RESOURCE_PAGE_SIZE = 500;

// Azure's limits: 512 characters for a tag name, 256 for a value; types and group names are shorter.
const MAX_FILTER_LENGTH = 512;
// A catalog cursor holds the catalog query it continues, so it is longer than any filter.
const MAX_CURSOR_LENGTH = 8192;

/**
 * Where the next page starts. Without an owner it is the last resource key of the previous page; with an owner the
 * pages follow the catalog's pages of the entities the owner owns, so it is the catalog's cursor, kept with the
 * owner it belongs to (a catalog cursor carries its own filter, and would go on with the old owner).
 */
export type ResourceSearchCursor =
  | { afterKey: string }
  | { owner: string; catalogCursor: string };

/** A checked search for resources; see {@link parseResourceSearch}. */
export interface ResourceSearchQuery {
  /** Lower case, as stored. */
  subscriptionId?: string;
  resourceGroup?: string;
  type?: string;
  tagKey?: string;
  tagValue?: string;
  missingTag?: string;
  /** Resources whose name holds this text, compared case-insensitively. */
  name?: string;
  /** A group or user entity ref, in full and lower case, as the catalog keeps relations. */
  owner?: string;
  cursor?: ResourceSearchCursor;
  limit: number;
}

/** The search as a caller gives it: query strings of the REST API, or an action's input. */
export interface ResourceSearchInput {
  subscriptionId?: unknown;
  resourceGroup?: unknown;
  type?: unknown;
  tagKey?: unknown;
  tagValue?: unknown;
  missingTag?: unknown;
  name?: unknown;
  owner?: unknown;
  cursor?: unknown;
  limit?: unknown;
}

function text(
  input: ResourceSearchInput,
  name: keyof ResourceSearchInput,
  maxLength: number = MAX_FILTER_LENGTH,
) {
  const value = input[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new InputError(`${name} must be given once, as text`);
  }
  if (value.length > maxLength) {
    throw new InputError(`${name} is longer than ${maxLength} characters`);
  }
  // PostgreSQL cannot compare a text with a NUL, and no Azure name holds a control character.
  if (containsControlCharacter(value)) {
    throw new InputError(
      `${name} must not hold a control character, got '${JSON.stringify(
        value,
      ).slice(1, -1)}'`,
    );
  }
  return value;
}

/** A filter that must name something when given: an empty type or tag name would find nothing, silently. */
function nonEmpty(input: ResourceSearchInput, key: keyof ResourceSearchInput) {
  const value = text(input, key);
  if (value !== undefined && value.trim() === '') {
    throw new InputError(`${key} must not be empty`);
  }
  return value;
}

function pageSize(value: unknown): number {
  if (value === undefined) return DEFAULT_RESOURCE_PAGE_SIZE;
  const limit =
    typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
  if (
    typeof limit !== 'number' ||
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > MAX_RESOURCE_PAGE_SIZE
  ) {
    throw new InputError(
      `limit must be a whole number from 1 to ${MAX_RESOURCE_PAGE_SIZE}, got '${value}'`,
    );
  }
  return limit;
}

/**
 * The owner as the catalog names the target of an `ownedBy` relation: a group (the default kind) or a user. Also the
 * owner filter of the showback.
 */
export function ownerRef(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let ref: string;
  try {
    ref = stringifyEntityRef(
      parseEntityRef(value, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    ).toLowerCase();
  } catch (error) {
    throw new InputError(
      `owner must be an entity reference of a group or user, such as group:default/platform: ${
        (error as Error).message
      }`,
    );
  }
  if (!ref.startsWith('group:') && !ref.startsWith('user:')) {
    throw new InputError(
      `owner must be a group or a user, such as group:default/platform, got '${value}'`,
    );
  }
  return ref;
}

/** The refusal of a cursor that no search of these filters returned. */
export const CURSOR_REFUSAL =
  'cursor is not a nextCursor that this search returned; start again without a cursor';

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The opaque `nextCursor` a caller passes back as `cursor`. */
export function encodeResourceSearchCursor(
  cursor: ResourceSearchCursor,
): string {
  return 'afterKey' in cursor
    ? encode({ k: cursor.afterKey })
    : encode({ o: cursor.owner, c: cursor.catalogCursor });
}

/**
 * Reads a cursor that {@link encodeResourceSearchCursor} made. Anything else is refused rather than read as "from
 * the start" or "nothing left", either of which a caller would take for a complete answer.
 */
function decodeCursor(
  value: string | undefined,
  owner: string | undefined,
): ResourceSearchCursor | undefined {
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
  const { k, o, c } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof k === 'string' && k.startsWith('/subscriptions/')) {
    if (owner) {
      throw new InputError(
        'cursor comes from a search without owner; give the same filters as the search that returned it',
      );
    }
    return { afterKey: k };
  }
  if (typeof o === 'string' && typeof c === 'string' && c !== '') {
    if (o !== owner) {
      throw new InputError(
        `cursor comes from a search of the resources of ${o}; give the same filters as the search that returned it`,
      );
    }
    return { owner: o, catalogCursor: c };
  }
  throw new InputError(CURSOR_REFUSAL);
}

/**
 * Checks a search for resources, from the REST API's query or an action's input, and throws an `InputError` with a
 * sentence that says what is wrong: a subscription id that is not a GUID, an owner that is not a group or user
 * reference, a limit out of range, a tag value without its tag name, a cursor that this search did not return.
 */
export function parseResourceSearch(
  input: ResourceSearchInput,
): ResourceSearchQuery {
  const subscriptionId = text(input, 'subscriptionId');
  if (subscriptionId !== undefined && !isGuid(subscriptionId)) {
    throw new InputError(
      `subscriptionId must be a subscription id (a GUID), got '${subscriptionId}'`,
    );
  }
  const tagKey = nonEmpty(input, 'tagKey');
  const tagValue = text(input, 'tagValue');
  const missingTag = nonEmpty(input, 'missingTag');
  if (tagValue !== undefined && tagKey === undefined) {
    throw new InputError(
      'tagValue needs tagKey: the name of the tag to compare',
    );
  }
  if (
    tagKey !== undefined &&
    missingTag !== undefined &&
    tagKey.toLowerCase() === missingTag.toLowerCase()
  ) {
    throw new InputError(
      `tagKey and missingTag name the same tag (${tagKey}): no resource both has it and misses it`,
    );
  }
  const owner = ownerRef(text(input, 'owner'));
  return {
    ...(subscriptionId ? { subscriptionId: subscriptionId.toLowerCase() } : {}),
    ...optional('resourceGroup', nonEmpty(input, 'resourceGroup')),
    ...optional('type', nonEmpty(input, 'type')),
    ...optional('tagKey', tagKey),
    ...optional('tagValue', tagValue),
    ...optional('missingTag', missingTag),
    // A blank name filters nothing, as an empty search box does.
    ...optional('name', text(input, 'name')?.trim() || undefined),
    ...optional('owner', owner),
    ...optional(
      'cursor',
      decodeCursor(text(input, 'cursor', MAX_CURSOR_LENGTH), owner),
    ),
    limit: pageSize(input.limit),
  };
}

function optional<K extends string, V>(
  key: K,
  value: V | undefined,
): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
