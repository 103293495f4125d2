import { compileTagValuePattern } from './tagValuePattern';

describe('compileTagValuePattern', () => {
  it('matches whole values only', () => {
    const pattern = compileTagValuePattern('cc-[0-9]{4}|none');
    expect(pattern.matches('cc-1234')).toBe(true);
    expect(pattern.matches('none')).toBe(true);
    expect(pattern.matches('x-cc-1234')).toBe(false);
    expect(pattern.matches('cc-12345')).toBe(false);
  });

  it('answers the same for a value it has seen before', () => {
    const pattern = compileTagValuePattern('prod|dev');
    expect([1, 2, 3].map(() => pattern.matches('prod'))).toEqual([
      true,
      true,
      true,
    ]);
    expect([1, 2].map(() => pattern.matches('Prod'))).toEqual([false, false]);
  });

  it('matches a pattern that makes a backtracking engine run for ages at once', () => {
    expect(
      compileTagValuePattern('(a+)+$').matches(`${'a'.repeat(255)}b`),
    ).toBe(false);
  });

  it.each([
    [
      '(?=prod)p.*',
      /invalid or unsupported Perl syntax.*no lookarounds or backreferences/,
    ],
    ['(a)\\1', /no lookarounds or backreferences/],
    ['^(prod', /missing closing \)/],
    ['.{0,1000}', /the repetition \{0,1000\} counts beyond 256/],
    ['a{300,}', /the repetition \{300,\} counts beyond 256/],
  ])('refuses %s, saying why', (pattern, message) => {
    expect(() => compileTagValuePattern(pattern)).toThrow(message);
  });

  it('accepts counts up to the longest tag value', () => {
    expect(compileTagValuePattern('.{1,256}').matches('x'.repeat(256))).toBe(
      true,
    );
  });
});
