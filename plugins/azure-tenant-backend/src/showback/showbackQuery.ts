import { InputError } from '@backstage/errors';
import { makeValidator, parseEntityRef } from '@backstage/catalog-model';
import { DateTime } from 'luxon';
import { ownerRef } from '../resources/resourceSearchParameters';
import { containsControlCharacter } from '../tags/resourceIdentifier';

/** The most months one showback covers: two years, enough to compare a year with the one before. */
export const MAX_SHOWBACK_MONTHS = 24;

// Longer than any entity ref the catalog accepts (kind, namespace and name of at most 63 characters each).
const MAX_OWNER_LENGTH = 512;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

const validator = makeValidator();

/** A showback query as a caller gives it: the REST API's query string, or an action's input. */
export interface ShowbackQueryInput {
  from?: unknown;
  to?: unknown;
  owner?: unknown;
}

/** A checked showback query. */
export interface ShowbackQuery {
  /** First and last month, `YYYY-MM`, inclusive. */
  from: string;
  to: string;
  /** The first day of `from` and the last day of `to`, `YYYY-MM-DD`, as spend is stored. */
  firstDay: string;
  lastDay: string;
  /** One owner's rows only: a group or user entity ref, in full and lower case. */
  owner?: string;
}

function month(value: unknown, name: 'from' | 'to'): DateTime {
  if (value === undefined) {
    throw new InputError(`${name} is required: a month, YYYY-MM`);
  }
  if (typeof value !== 'string') {
    throw new InputError(`${name} must be given once, as a month YYYY-MM`);
  }
  const match = MONTH.exec(value);
  if (!match) {
    throw new InputError(
      `${name} must be a month YYYY-MM, such as 2026-01, got '${JSON.stringify(
        value.slice(0, 40),
      ).slice(1, -1)}'`,
    );
  }
  return DateTime.utc(Number(match[1]), Number(match[2]), 1);
}

/** Text with every character outside printable ASCII written as `\uXXXX`, so that a message shows what is there. */
const visible = (text: string) =>
  text.replace(
    /[^\x20-\x7e]/g,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

function owner(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new InputError('owner must be given once, as an entity reference');
  }
  if (value.length > MAX_OWNER_LENGTH) {
    throw new InputError(`owner is longer than ${MAX_OWNER_LENGTH} characters`);
  }
  // The catalog names no entity with a control character, and PostgreSQL cannot compare text holding a NUL.
  if (containsControlCharacter(value)) {
    throw new InputError('owner must not hold a control character');
  }
  const ref = ownerRef(value)!;
  // The catalog names its entities with letters, digits, - _ and . only: an owner otherwise owns nothing, and a
  // look-alike (a zero-width space, a homoglyph) would get an empty showback that reads as "spends nothing".
  const { namespace, name } = parseEntityRef(ref);
  if (
    !validator.isValidNamespace(namespace) ||
    !validator.isValidEntityName(name)
  ) {
    throw new InputError(
      `owner must name a catalog group or user, such as group:default/platform; '${visible(
        ref,
      )}' is not a valid entity reference`,
    );
  }
  return ref;
}

/**
 * Checks a showback query and throws an `InputError` that names the problem: months that are not `YYYY-MM`, `from`
 * after `to`, more than {@link MAX_SHOWBACK_MONTHS} months, or an owner that is not a group or user reference.
 */
export function parseShowbackQuery(input: ShowbackQueryInput): ShowbackQuery {
  const first = month(input.from, 'from');
  const last = month(input.to, 'to');
  const from = first.toFormat('yyyy-MM');
  const to = last.toFormat('yyyy-MM');
  if (first > last) {
    throw new InputError(`from (${from}) must not be after to (${to})`);
  }
  const months = Math.round(last.diff(first, 'months').months) + 1;
  if (months > MAX_SHOWBACK_MONTHS) {
    throw new InputError(
      `A showback covers at most ${MAX_SHOWBACK_MONTHS} months; from ${from} to ${to} is ${months} months`,
    );
  }
  const ownerFilter = owner(input.owner);
  return {
    from,
    to,
    firstDay: first.toISODate()!,
    lastDay: last.endOf('month').toISODate()!,
    ...(ownerFilter ? { owner: ownerFilter } : {}),
  };
}
