import { RE2JS } from 're2js';
import { MAX_TAG_VALUE_LENGTH } from './tagRules';

/**
 * A compiled value pattern of a tag policy (`{ kind: 'pattern' }`).
 *
 * @public
 */
export interface TagValuePattern {
  /** Whether the whole value matches. */
  matches(value: string): boolean;
}

// Tag values repeat across a tenant (`env=prod` on thousands of resources): each distinct value is matched once.
const MAX_REMEMBERED_VALUES = 10_000;

/**
 * Compiles a tag policy's value pattern. Patterns are RE2 regular expressions (JavaScript's syntax without lookarounds
 * and backreferences), matched in time linear in the value's length: a pattern such as `(a+)+$` cannot stall the
 * compliance evaluation of hundreds of thousands of resources. A repetition count above 256 (`.{0,1000}`) is refused:
 * no tag value is longer, and large counts make every match slow. The whole value must match. Throws an `Error` whose
 * message says what is wrong with the pattern.
 *
 * The same function checks a pattern in the portal's policy dialog and in the backend, so both accept the same ones.
 *
 * @public
 */
export function compileTagValuePattern(pattern: string): TagValuePattern {
  for (const [count] of pattern.matchAll(/\{\d+(?:,\d*)?\}/g)) {
    const numbers = count.slice(1, -1).split(',').filter(Boolean).map(Number);
    if (numbers.some(n => n > MAX_TAG_VALUE_LENGTH)) {
      throw new Error(
        `the repetition ${count} counts beyond ${MAX_TAG_VALUE_LENGTH}, the longest tag value Azure allows`,
      );
    }
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    throw new Error(
      `${(error as Error).message.replace(
        /^error parsing regexp: /,
        '',
      )} (patterns are RE2 regular expressions: no lookarounds or backreferences)`,
    );
  }
  const remembered = new Map<string, boolean>();
  return {
    matches(value) {
      let matched = remembered.get(value);
      if (matched === undefined) {
        matched = compiled.matches(value);
        if (remembered.size >= MAX_REMEMBERED_VALUES) remembered.clear();
        remembered.set(value, matched);
      }
      return matched;
    },
  };
}
