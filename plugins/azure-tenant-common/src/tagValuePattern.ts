import { RE2JS } from 're2js';

/**
 * A compiled value pattern of a tag policy (`{ kind: 'pattern' }`).
 *
 * @public
 */
export interface TagValuePattern {
  /** Whether the whole value matches. */
  matches(value: string): boolean;
}

/**
 * Compiles a tag policy's value pattern. Patterns are RE2 regular expressions (JavaScript's syntax without lookarounds
 * and backreferences), matched in time linear in the value's length: a pattern such as `(a+)+$` cannot stall the
 * compliance evaluation of hundreds of thousands of resources. The whole value must match. Throws an `Error` whose
 * message says what is wrong with the pattern.
 *
 * The same function checks a pattern in the portal's policy dialog and in the backend, so both accept the same ones.
 *
 * @public
 */
export function compileTagValuePattern(pattern: string): TagValuePattern {
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
  return { matches: value => compiled.matches(value) };
}
