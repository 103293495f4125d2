/**
 * Azure's rules for resource tags, so that the portal can refuse a change before Azure does, and name each tag at
 * fault. Isomorphic: the backend validates every change with it, and the frontend as the user types.
 */

/**
 * At most this many tags on one resource.
 *
 * @public
 */
export const MAX_TAGS_PER_RESOURCE = 50;

/**
 * The longest tag name Azure accepts, in characters.
 *
 * @public
 */
export const MAX_TAG_NAME_LENGTH = 512;

/**
 * The longest tag value Azure accepts, in characters.
 *
 * @public
 */
export const MAX_TAG_VALUE_LENGTH = 256;

/**
 * Characters Azure refuses in tag names (control characters are refused too).
 *
 * @public
 */
export const FORBIDDEN_TAG_NAME_CHARACTERS = '<>%&\\?/';

// eslint-disable-next-line no-control-regex -- Azure refuses control characters in tag names.
const FORBIDDEN_NAME_PATTERN = /[<>%&\\?/\u0000-\u001f\u007f]/;

// Characters that show nothing or turn the text's direction: a name holding one looks like another tag's name
// (`owner` and `owner` + U+200B), so it is refused even though Azure would store it.
const INVISIBLE_OR_BIDI_PATTERN =
  /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]/;

// Half of a surrogate pair on its own: not well-formed Unicode, so it cannot be stored or sent as UTF-8.
const LONE_SURROGATE_PATTERN =
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The name as tags are compared: Unicode NFC, lower case. */
function comparable(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/**
 * A change to the tags of one resource. Tag names are case-insensitive: setting `Owner` replaces `owner`.
 *
 * @public
 */
export interface TagChange {
  /** Tags to add or change, by name. */
  set?: Record<string, string>;
  /** Names of tags to remove. */
  remove?: string[];
  /**
   * The values the editor saw, by name: `null` for a tag that was absent. When Azure's current value differs, the
   * change is refused with a conflict and nothing is written.
   */
  expected?: Record<string, string | null>;
}

/**
 * Why a tag breaks one of Azure's rules.
 *
 * @public
 */
export type TagProblemCode =
  | 'empty-name'
  | 'name-too-long'
  | 'forbidden-characters'
  | 'value-too-long'
  | 'invalid-value'
  | 'duplicate-name'
  | 'too-many-tags';

/**
 * A tag that a change cannot have, and why.
 *
 * @public
 */
export interface TagProblem {
  /** The tag's name as the change spells it. */
  tag: string;
  code: TagProblemCode;
  message: string;
}

/**
 * Sets a tag as an own property of `tags`. Every name Azure allows must survive, `__proto__` too: an assignment
 * (`tags[name] = value`) would set the object's prototype instead, and the tag would be lost without a word.
 *
 * @public
 */
export function putTag<T>(
  tags: Record<string, T>,
  name: string,
  value: T,
): void {
  Object.defineProperty(tags, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * The value of the tag named exactly `name`, when `tags` has it as its own. A bare `tags[name]` would answer
 * `Object.prototype`'s members for names such as `constructor` or `toString`.
 *
 * @public
 */
export function ownTag<T>(
  tags: Record<string, T> | undefined,
  name: string,
): T | undefined {
  return tags && Object.prototype.hasOwnProperty.call(tags, name)
    ? tags[name]
    : undefined;
}

/**
 * The name of a tag in `tags` equal to `name` but for case, or undefined when there is none.
 *
 * @public
 */
export function findTag(
  tags: Record<string, string> | undefined,
  name: string,
): string | undefined {
  if (!tags) return undefined;
  if (Object.prototype.hasOwnProperty.call(tags, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(tags).find(existing => existing.toLowerCase() === lower);
}

/**
 * The tags after a change, the way Azure merges: a set tag replaces any tag whose name differs only in case, and a
 * removal removes it whatever its case. Removals apply first.
 *
 * @public
 */
export function applyTagChange(
  current: Record<string, string> | undefined,
  change: Pick<TagChange, 'set' | 'remove'>,
): Record<string, string> {
  const next: Record<string, string> = { ...current };
  for (const name of change.remove ?? []) {
    const existing = findTag(next, name);
    if (existing !== undefined) delete next[existing];
  }
  for (const [name, value] of Object.entries(change.set ?? {})) {
    const existing = findTag(next, name);
    if (existing !== undefined) delete next[existing];
    putTag(next, name, value);
  }
  return next;
}

function nameProblems(name: string): TagProblem[] {
  if (!name.trim()) {
    return [
      {
        tag: name,
        code: 'empty-name',
        message: 'A tag name cannot be empty or only whitespace.',
      },
    ];
  }
  const problems: TagProblem[] = [];
  if (name.length > MAX_TAG_NAME_LENGTH) {
    problems.push({
      tag: name,
      code: 'name-too-long',
      message: `The tag name is ${name.length} characters long; Azure allows at most ${MAX_TAG_NAME_LENGTH}.`,
    });
  }
  if (FORBIDDEN_NAME_PATTERN.test(name)) {
    problems.push({
      tag: name,
      code: 'forbidden-characters',
      message: `The tag name contains one of ${FORBIDDEN_TAG_NAME_CHARACTERS.split(
        '',
      ).join(' ')} or a control character, which Azure does not allow.`,
    });
  }
  const invisible = INVISIBLE_OR_BIDI_PATTERN.exec(name);
  if (invisible) {
    problems.push({
      tag: name,
      code: 'forbidden-characters',
      message: `The tag name contains the invisible or text-direction character U+${invisible[0]
        .charCodeAt(0)
        .toString(16)
        .toUpperCase()
        .padStart(4, '0')}, which would make it look like another name.`,
    });
  }
  if (LONE_SURROGATE_PATTERN.test(name)) {
    problems.push({
      tag: name,
      code: 'forbidden-characters',
      message:
        'The tag name is not well-formed Unicode: it holds half of a surrogate pair.',
    });
  }
  return problems;
}

/**
 * Checks a change against Azure's rules: at most {@link MAX_TAGS_PER_RESOURCE} tags after the change, names of at
 * most {@link MAX_TAG_NAME_LENGTH} characters without {@link FORBIDDEN_TAG_NAME_CHARACTERS}, values of at most
 * {@link MAX_TAG_VALUE_LENGTH} characters, and no two names in the change that are equal but for case (names are
 * case-insensitive). Only the tags the change touches are checked: tags already on the resource are Azure's.
 * Returns one problem per tag and rule; an empty list means the change is valid.
 *
 * @public
 */
export function validateTagChange(options: {
  current?: Record<string, string>;
  set?: Record<string, unknown>;
  remove?: unknown[];
}): TagProblem[] {
  const problems: TagProblem[] = [];
  const set = options.set ?? {};
  const remove = options.remove ?? [];
  const seen = new Map<string, string>();
  const touch = (name: string, how: string) => {
    const lower = comparable(name);
    const earlier = seen.get(lower);
    if (earlier !== undefined) {
      problems.push({
        tag: name,
        code: 'duplicate-name',
        message: `The tag '${name}' ${how}, but the change already names '${earlier}': tag names are case-insensitive, and names that differ only in how their accents are encoded (Unicode NFC and NFD) look the same.`,
      });
      return false;
    }
    seen.set(lower, name);
    return true;
  };

  for (const [name, value] of Object.entries(set)) {
    problems.push(...nameProblems(name));
    if (typeof value !== 'string') {
      problems.push({
        tag: name,
        code: 'invalid-value',
        message: 'A tag value must be a string.',
      });
    } else if (LONE_SURROGATE_PATTERN.test(value)) {
      problems.push({
        tag: name,
        code: 'invalid-value',
        message:
          'The value is not well-formed Unicode: it holds half of a surrogate pair.',
      });
    } else if (value.length > MAX_TAG_VALUE_LENGTH) {
      problems.push({
        tag: name,
        code: 'value-too-long',
        message: `The value is ${value.length} characters long; Azure allows at most ${MAX_TAG_VALUE_LENGTH}.`,
      });
    }
    if (name.trim()) touch(name, 'is set');
    // A name that looks like an existing tag's but is encoded otherwise would add a look-alike tag.
    const existing = findTag(options.current, name);
    const lookalike =
      existing === undefined
        ? Object.keys(options.current ?? {}).find(
            tag => comparable(tag) === comparable(name),
          )
        : undefined;
    if (lookalike !== undefined) {
      problems.push({
        tag: name,
        code: 'duplicate-name',
        message: `The tag '${name}' looks the same as the resource's tag '${lookalike}' but its accents are encoded otherwise (Unicode NFC and NFD): set '${lookalike}' instead.`,
      });
    }
  }
  for (const name of remove) {
    if (typeof name !== 'string' || !name.trim()) {
      problems.push({
        tag: typeof name === 'string' ? name : String(name),
        code: 'empty-name',
        message: 'A tag to remove must be named.',
      });
      continue;
    }
    touch(name, 'is removed');
  }

  if (problems.length === 0) {
    const next = applyTagChange(options.current, {
      set: set as Record<string, string>,
      remove: remove as string[],
    });
    const count = Object.keys(next).length;
    if (count > MAX_TAGS_PER_RESOURCE) {
      // Name the tags this change adds: those are the ones to drop.
      const added = Object.keys(set).filter(
        name => findTag(options.current, name) === undefined,
      );
      for (const name of added) {
        problems.push({
          tag: name,
          code: 'too-many-tags',
          message: `The resource would have ${count} tags; Azure allows at most ${MAX_TAGS_PER_RESOURCE}.`,
        });
      }
    }
  }
  return problems;
}
