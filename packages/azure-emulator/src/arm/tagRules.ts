import { ArmError } from '../errors/ArmError';

/** Azure's tag limits. */
export const TAG_LIMITS = {
  maxTags: 50,
  maxNameLength: 512,
  maxValueLength: 256,
  // eslint-disable-next-line no-control-regex -- Azure refuses control characters in tag names.
  forbiddenNameCharacters: /[<>%&\\?/]|[\u0000-\u001f]/,
} as const;

/**
 * Validates a complete tag set the way ARM does, throwing ARM's error codes:
 * `InvalidTags` (more than 50), `InvalidTagName` (empty or longer than 512, or names equal but
 * for case), `InvalidTagNameCharacters` (`<>%&\?/` or control characters) and
 * `InvalidTagValueLength` (longer than 256).
 */
export function validateTags(
  tags: Record<string, unknown>,
): Record<string, string> {
  const entries = Object.entries(tags);
  if (entries.length > TAG_LIMITS.maxTags) {
    throw new ArmError(
      400,
      'InvalidTags',
      `Too many tags specified. Requested tag count - '${entries.length}'. Maximum number of tags allowed - '${TAG_LIMITS.maxTags}'.`,
    );
  }
  const seen = new Map<string, string>();
  const invalidCharacters: string[] = [];
  const tooLongNames: string[] = [];
  const tooLongValues: string[] = [];
  for (const [name, value] of entries) {
    if (!name.trim()) {
      throw new ArmError(
        400,
        'InvalidTagName',
        'The tag name must be non-null, non-empty and non-whitespace only. Please provide an actual value.',
      );
    }
    if (typeof value !== 'string') {
      throw new ArmError(
        400,
        'InvalidRequestContent',
        `The request content was invalid: the value of tag '${name}' must be a string.`,
      );
    }
    const lower = name.toLowerCase();
    if (seen.has(lower)) {
      throw new ArmError(
        400,
        'InvalidTagName',
        `The tag names '${seen.get(
          lower,
        )}' and '${name}' are the same when compared case-insensitively. Tag names are case-insensitive.`,
      );
    }
    seen.set(lower, name);
    if (TAG_LIMITS.forbiddenNameCharacters.test(name))
      invalidCharacters.push(name);
    if (name.length > TAG_LIMITS.maxNameLength) tooLongNames.push(name);
    if (value.length > TAG_LIMITS.maxValueLength) tooLongValues.push(value);
  }
  if (invalidCharacters.length) {
    throw new ArmError(
      400,
      'InvalidTagNameCharacters',
      `The tag names '${invalidCharacters.join(
        ', ',
      )}' have reserved characters '<,>,%,&,\\,?,/' or control characters.`,
    );
  }
  if (tooLongNames.length) {
    throw new ArmError(
      400,
      'InvalidTagName',
      `Tag key too large. Following tag name '${tooLongNames.join(
        ', ',
      )}' exceeded the maximum length. Maximum allowed length for tag name - '${
        TAG_LIMITS.maxNameLength
      }' characters.`,
    );
  }
  if (tooLongValues.length) {
    throw new ArmError(
      400,
      'InvalidTagValueLength',
      `Tag value too large. Following tag value '${tooLongValues.join(
        ', ',
      )}' exceeded the maximum length. Maximum allowed length for tag value - '${
        TAG_LIMITS.maxValueLength
      }' characters.`,
    );
  }
  return tags as Record<string, string>;
}

/** Sets a tag, replacing any existing tag whose name differs only in case. */
export function setTag(
  tags: Record<string, string>,
  name: string,
  value: string,
): void {
  for (const existing of Object.keys(tags)) {
    if (existing.toLowerCase() === name.toLowerCase()) delete tags[existing];
  }
  // Defined, not assigned: `tags['__proto__'] = value` would set the prototype and drop a name Azure allows.
  Object.defineProperty(tags, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Applies a PATCH `operation` (Merge, Replace or Delete) to a tag set. */
export function applyTagPatch(
  current: Record<string, string>,
  operation: string,
  patch: Record<string, string>,
): Record<string, string> {
  switch (operation.toLowerCase()) {
    case 'replace':
      return { ...patch };
    case 'merge': {
      const merged = { ...current };
      for (const [name, value] of Object.entries(patch))
        setTag(merged, name, value);
      return merged;
    }
    case 'delete': {
      const remaining = { ...current };
      for (const [name, value] of Object.entries(patch)) {
        for (const existing of Object.keys(remaining)) {
          if (
            existing.toLowerCase() === name.toLowerCase() &&
            (!value || remaining[existing] === value)
          ) {
            delete remaining[existing];
          }
        }
      }
      return remaining;
    }
    default:
      throw new ArmError(
        400,
        'InvalidRequestContent',
        `The request content was invalid: operation '${operation}' is not one of Merge, Replace or Delete.`,
      );
  }
}
