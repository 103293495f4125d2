import { InputError } from '@backstage/errors';

/** A resource id that names one Azure resource, checked by {@link parseResourceIdentifier}. */
export interface ResourceIdentifier {
  /** As given, in the caller's casing. */
  resourceId: string;
  /** Lower case, as the store keys resources. */
  key: string;
  subscriptionId: string;
}

const GUID =
  '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
// Resource group names: letters, digits, `_ - . ( )`, not ending in a period (Azure's rule).
const GROUP = '[\\p{L}\\p{N}_\\-.()]{0,89}[\\p{L}\\p{N}_\\-()]';
const NAMESPACE = '[A-Za-z][A-Za-z0-9]*(?:\\.[A-Za-z0-9]+)+';
const TYPE = '[A-Za-z][A-Za-z0-9-]*';
// A name segment: no separators, query, fragment, escapes or whitespace; `.` and `..` are refused separately.
const NAME = '[^/\\\\?#%&\\s<>]+';
const RESOURCE_ID = new RegExp(
  `^/subscriptions/(${GUID})/resourceGroups/${GROUP}/providers/${NAMESPACE}/${TYPE}/${NAME}(?:/${TYPE}/${NAME})*$`,
  'iu',
);
const MAX_RESOURCE_ID_LENGTH = 2048;

/**
 * Checks that `value` is the id of one Azure resource: `/subscriptions/{guid}/resourceGroups/{name}/providers/
 * {namespace}/{type}/{name}[/{type}/{name}]*`. Subscription and resource group ids are refused, and so is anything
 * that could reach another scope: `..`, empty segments, query strings, fragments and escapes.
 */
export function parseResourceIdentifier(value: unknown): ResourceIdentifier {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InputError('resourceId is required: an Azure resource id');
  }
  if (value.length > MAX_RESOURCE_ID_LENGTH) {
    throw new InputError(
      `resourceId is longer than ${MAX_RESOURCE_ID_LENGTH} characters`,
    );
  }
  const segments = value.split('/');
  const match = RESOURCE_ID.exec(value);
  if (!match || segments.some(s => s === '.' || s === '..')) {
    throw new InputError(
      `'${value}' is not the id of an Azure resource: tags are edited on resources, /subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name}`,
    );
  }
  return {
    resourceId: value,
    key: value.toLowerCase(),
    subscriptionId: match[1].toLowerCase(),
  };
}

// eslint-disable-next-line no-control-regex -- control characters are what it finds.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * Whether an id holds a control character: an Azure resource name never does, and PostgreSQL cannot even compare a
 * text with a NUL (found by the reliability suite), so such ids are refused before any query.
 */
export function containsControlCharacter(value: string): boolean {
  return CONTROL_CHARACTER.test(value);
}
