import {
  applyTagChange,
  findTag,
  MAX_TAG_NAME_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MAX_TAGS_PER_RESOURCE,
  ownTag,
  validateTagChange,
} from './tagRules';

const manyTags = (count: number, prefix = 't') =>
  Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`${prefix}${i}`, 'v']),
  );

describe('validateTagChange', () => {
  it('accepts a valid change', () => {
    expect(
      validateTagChange({
        current: { owner: 'team-a' },
        set: { 'cost-center': '4711', Owner: 'team-b' },
        remove: ['env'],
      }),
    ).toEqual([]);
  });

  it('refuses names longer than 512 characters, and accepts 512', () => {
    const long = 'n'.repeat(MAX_TAG_NAME_LENGTH + 1);
    const exact = 'm'.repeat(MAX_TAG_NAME_LENGTH);
    const problems = validateTagChange({ set: { [long]: 'v', [exact]: 'v' } });
    expect(problems).toEqual([
      expect.objectContaining({ tag: long, code: 'name-too-long' }),
    ]);
  });

  it('refuses values longer than 256 characters, and accepts 256', () => {
    const problems = validateTagChange({
      set: {
        a: 'v'.repeat(MAX_TAG_VALUE_LENGTH + 1),
        b: 'v'.repeat(MAX_TAG_VALUE_LENGTH),
      },
    });
    expect(problems).toEqual([
      expect.objectContaining({ tag: 'a', code: 'value-too-long' }),
    ]);
  });

  it.each(['<', '>', '%', '&', '\\', '?', '/', '\u0007'])(
    'refuses %j in a name',
    character => {
      const name = `cost${character}center`;
      expect(validateTagChange({ set: { [name]: 'v' } })).toEqual([
        expect.objectContaining({ tag: name, code: 'forbidden-characters' }),
      ]);
    },
  );

  it('allows those characters in values', () => {
    expect(
      validateTagChange({ set: { url: 'https://a/b?c=1&d=%20' } }),
    ).toEqual([]);
  });

  it('refuses empty and whitespace-only names, to set or to remove', () => {
    expect(
      validateTagChange({ set: { '': 'v', '  ': 'w' }, remove: [''] }).map(
        p => [p.tag, p.code],
      ),
    ).toEqual([
      ['', 'empty-name'],
      ['  ', 'empty-name'],
      ['', 'empty-name'],
    ]);
  });

  it('refuses values that are not strings', () => {
    expect(validateTagChange({ set: { n: 42 } })).toEqual([
      expect.objectContaining({ tag: 'n', code: 'invalid-value' }),
    ]);
  });

  it('refuses names that differ only in case within one change', () => {
    expect(
      validateTagChange({ set: { Owner: 'a', owner: 'b' } }).map(p => [
        p.tag,
        p.code,
      ]),
    ).toEqual([['owner', 'duplicate-name']]);
    expect(
      validateTagChange({ set: { Env: 'prod' }, remove: ['ENV'] }).map(p => [
        p.tag,
        p.code,
      ]),
    ).toEqual([['ENV', 'duplicate-name']]);
  });

  it('refuses more than 50 tags after the change, naming the added ones', () => {
    const current = manyTags(MAX_TAGS_PER_RESOURCE - 1);
    expect(validateTagChange({ current, set: { new1: 'v' } })).toEqual([]);
    const problems = validateTagChange({
      current,
      set: { new1: 'v', new2: 'v', t0: 'changed' },
    });
    expect(problems.map(p => [p.tag, p.code])).toEqual([
      ['new1', 'too-many-tags'],
      ['new2', 'too-many-tags'],
    ]);
  });

  it('counts tags case-insensitively: replacing a tag in another case adds none', () => {
    const current = manyTags(MAX_TAGS_PER_RESOURCE);
    expect(validateTagChange({ current, set: { T0: 'x' } })).toEqual([]);
    expect(
      validateTagChange({ current, set: { extra: 'x' }, remove: ['T1'] }),
    ).toEqual([]);
  });

  it('names every offending tag of a change', () => {
    const problems = validateTagChange({
      set: { 'a/b': 'v', ok: 'v'.repeat(300), fine: 'v' },
    });
    expect(problems.map(p => p.tag)).toEqual(['a/b', 'ok']);
  });
});

describe('findTag', () => {
  it('finds a tag whatever its case', () => {
    expect(findTag({ Owner: 'a' }, 'owner')).toBe('Owner');
    expect(findTag({ Owner: 'a' }, 'Owner')).toBe('Owner');
    expect(findTag({ Owner: 'a' }, 'team')).toBeUndefined();
    expect(findTag(undefined, 'team')).toBeUndefined();
  });
});

describe('applyTagChange', () => {
  it('merges case-insensitively and removes whatever the case', () => {
    expect(
      applyTagChange(
        { Owner: 'a', env: 'dev', team: 't' },
        { set: { owner: 'b', new: 'n' }, remove: ['ENV'] },
      ),
    ).toEqual({ owner: 'b', team: 't', new: 'n' });
  });
});

// Azure allows these names; `__proto__` was dropped by an assignment (`tags[name] = value`), and the others read as
// Object.prototype's members where a tag was absent.
const NAMES_OF_OBJECT_MEMBERS = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
];

describe('tag names that are names of Object members', () => {
  it.each(NAMES_OF_OBJECT_MEMBERS)(
    'sets, replaces and removes %s like any other tag',
    name => {
      const set = applyTagChange({ env: 'dev' }, { set: { [name]: 'a' } });
      expect(Object.entries(set)).toEqual([
        ['env', 'dev'],
        [name, 'a'],
      ]);
      expect(Object.getPrototypeOf(set)).toBe(Object.prototype);
      expect(JSON.parse(JSON.stringify(set))[name]).toBe('a');

      const replaced = applyTagChange(set, {
        set: { [name.toUpperCase()]: 'b' },
      });
      expect(Object.entries(replaced)).toEqual([
        ['env', 'dev'],
        [name.toUpperCase(), 'b'],
      ]);
      expect(findTag(replaced, name)).toBe(name.toUpperCase());

      expect(Object.entries(applyTagChange(set, { remove: [name] }))).toEqual([
        ['env', 'dev'],
      ]);
    },
  );

  it.each(NAMES_OF_OBJECT_MEMBERS)('accepts %s as a name', name => {
    expect(
      validateTagChange({ current: { env: 'dev' }, set: { [name]: 'v' } }),
    ).toEqual([]);
    expect(validateTagChange({ remove: [name] })).toEqual([]);
  });

  it.each(NAMES_OF_OBJECT_MEMBERS)(
    'does not find %s in tags that lack it',
    name => {
      expect(findTag({ env: 'dev' }, name)).toBeUndefined();
      expect(ownTag({ env: 'dev' }, name)).toBeUndefined();
      expect(ownTag({ [name]: 'v' }, name)).toBe('v');
    },
  );
});

// Found by the reliability suite (packages/backend/src/reliability): these were written to Azure as look-alike tags.
describe('validateTagChange and Unicode', () => {
  it.each([
    ['an RTL override', '\u202eowner'],
    ['a zero-width space', 'own\u200ber'],
    ['a byte order mark', '\ufeffowner'],
    ['a left-to-right mark', 'owner\u200e'],
  ])('refuses a name with %s', (_what, name) => {
    const problems = validateTagChange({ set: { [name]: 'v' } });
    expect(problems.map(p => p.code)).toEqual(['forbidden-characters']);
    expect(problems[0].message).toMatch(/U\+[0-9A-F]{4}/);
  });

  it('refuses names and values that are not well-formed Unicode', () => {
    expect(
      validateTagChange({ set: { 'owner\ud800': 'v' } }).map(p => p.code),
    ).toEqual(['forbidden-characters']);
    expect(
      validateTagChange({ set: { '\udc00x': 'v' } }).map(p => p.code),
    ).toEqual(['forbidden-characters']);
    expect(
      validateTagChange({ set: { env: 'prod\ud83d' } }).map(p => p.code),
    ).toEqual(['invalid-value']);
  });

  it('accepts other scripts, accents and emoji', () => {
    expect(
      validateTagChange({
        set: { café: 'naïve', מחלקה: 'כספים', チーム: '😀', Ωmega: 'x' },
      }),
    ).toEqual([]);
  });

  it('takes names equal but for NFC and NFD for the same name', () => {
    const problems = validateTagChange({
      set: { 'caf\u00e9': 'a', 'cafe\u0301': 'b' },
    });
    expect(problems.map(p => p.code)).toEqual(['duplicate-name']);
    expect(
      validateTagChange({
        current: { 'caf\u00e9': 'a' },
        set: { 'CAFE\u0301': 'b' },
      }).map(p => p.code),
    ).toEqual(['duplicate-name']);
    // The same spelling in another case replaces the tag, as in Azure.
    expect(
      validateTagChange({
        current: { 'caf\u00e9': 'a' },
        set: { 'CAF\u00c9': 'b' },
      }),
    ).toEqual([]);
  });
});
