import { InputError } from '@backstage/errors';
import { ownerPolicy } from './__testUtils__/tagPoliciesFixture';
import { parseTagPolicyInput } from './tagPolicyInput';

const GUID = '3F1C2A4E-8B7D-4C6A-9E5F-1A2B3C4D5E6F';

describe('parseTagPolicyInput', () => {
  it('takes a full policy, and gives subscription ids in lower case', () => {
    expect(
      parseTagPolicyInput(
        ownerPolicy({
          description: 'Every resource names its team.\nSee the wiki.',
          inherit: 'resource-group-then-subscription',
          scope: {
            subscriptionIds: [GUID],
            resourceGroupPattern: 'rg-prod-*',
            resourceTypes: ['Microsoft.Compute/virtualMachines'],
          },
        }),
      ),
    ).toEqual({
      name: 'Owner is a catalog team',
      description: 'Every resource names its team.\nSee the wiki.',
      key: 'owner',
      aliases: ['owned-by'],
      required: true,
      values: { kind: 'catalog-entity', entityKinds: ['group'] },
      inherit: 'resource-group-then-subscription',
      scope: {
        subscriptionIds: [GUID.toLowerCase()],
        resourceGroupPattern: 'rg-prod-*',
        resourceTypes: ['Microsoft.Compute/virtualMachines'],
      },
    });
    expect(
      parseTagPolicyInput({
        name: 'Cost center',
        key: 'costCenter',
        values: { kind: 'pattern', pattern: '^CC-\\p{Nd}{4}$' },
      }),
    ).toEqual({
      name: 'Cost center',
      key: 'costCenter',
      values: { kind: 'pattern', pattern: '^CC-\\p{Nd}{4}$' },
    });
  });

  // One body per rule; each is refused with an InputError that names the field and says why.
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      'no name',
      ownerPolicy({ name: undefined }),
      /^Invalid tag policy: name: Required/,
    ],
    ['a blank name', ownerPolicy({ name: '  ' }), /name must not be empty/],
    [
      'a name over 200 characters',
      ownerPolicy({ name: 'n'.repeat(201) }),
      /name must be at most 200/,
    ],
    [
      'a name with a NUL',
      ownerPolicy({ name: 'a\u0000b' }),
      /name must not contain control characters/,
    ],
    [
      'an empty key',
      ownerPolicy({ key: '' }),
      /key: A tag name cannot be empty/,
    ],
    [
      'a key with a forbidden character',
      ownerPolicy({ key: 'cost/center' }),
      /key: The tag name contains one of </,
    ],
    [
      'a key over 512 characters',
      ownerPolicy({ key: 'k'.repeat(513) }),
      /key: The tag name is 513 characters long/,
    ],
    [
      'an alias with a forbidden character',
      ownerPolicy({ aliases: ['team?'] }),
      /aliases\.0: The tag name contains/,
    ],
    [
      'an alias equal to the key but for case',
      ownerPolicy({ aliases: ['Owner'] }),
      /aliases\.0 must not be the key itself/,
    ],
    [
      'an alias given twice',
      ownerPolicy({ aliases: ['team', 'TEAM'] }),
      /aliases\.1 'TEAM' is given twice/,
    ],
    [
      '21 aliases',
      ownerPolicy({
        aliases: Array.from({ length: 21 }, (_, i) => `alias-${i}`),
      }),
      /aliases must hold at most 20 names/,
    ],
    [
      'an empty list of values',
      ownerPolicy({ values: { kind: 'list', values: [] } }),
      /values\.values must hold at least one value/,
    ],
    [
      '201 values',
      ownerPolicy({
        values: {
          kind: 'list',
          values: Array.from({ length: 201 }, (_, i) => `v${i}`),
        },
      }),
      /values\.values must hold at most 200 values/,
    ],
    [
      'a value over 256 characters',
      ownerPolicy({ values: { kind: 'list', values: ['v'.repeat(257)] } }),
      /values\.values\.0 must be at most 256 characters/,
    ],
    [
      'a pattern that does not compile',
      ownerPolicy({ values: { kind: 'pattern', pattern: '^(prod' } }),
      /values\.pattern must be a regular expression: missing closing \)/,
    ],
    [
      'a pattern holding half of a surrogate pair',
      ownerPolicy({ values: { kind: 'pattern', pattern: 'a\ud800' } }),
      /values\.pattern must be well-formed Unicode/,
    ],
    [
      'a pattern counting beyond the longest tag value',
      ownerPolicy({ values: { kind: 'pattern', pattern: '.{0,1000}' } }),
      /values\.pattern must be a regular expression: the repetition \{0,1000\} counts beyond 256/,
    ],
    [
      'a pattern with a lookahead, which RE2 does not run',
      ownerPolicy({ values: { kind: 'pattern', pattern: '(?=prod)p.*' } }),
      /values\.pattern must be a regular expression: .*no lookarounds or backreferences/,
    ],
    [
      'a pattern over 500 characters',
      ownerPolicy({ values: { kind: 'pattern', pattern: 'a'.repeat(501) } }),
      /values\.pattern must be at most 500 characters/,
    ],
    [
      'an entity kind other than group and user',
      ownerPolicy({
        values: { kind: 'catalog-entity', entityKinds: ['component'] },
      }),
      /values\.entityKinds\.0/,
    ],
    [
      'an unknown kind of values',
      ownerPolicy({ values: { kind: 'any' } }),
      /values\.kind/,
    ],
    ['an unknown inherit', ownerPolicy({ inherit: 'tenant' }), /inherit/],
    [
      'a subscription id that is not a GUID',
      ownerPolicy({ scope: { subscriptionIds: ['platform'] } }),
      /scope\.subscriptionIds\.0 must be a subscription id, a GUID/,
    ],
    [
      'a resource group pattern with a slash',
      ownerPolicy({ scope: { resourceGroupPattern: 'rg/*' } }),
      /scope\.resourceGroupPattern must be 1 to 90 characters/,
    ],
    [
      'a resource group pattern over 90 characters',
      ownerPolicy({ scope: { resourceGroupPattern: 'r'.repeat(91) } }),
      /scope\.resourceGroupPattern/,
    ],
    [
      'a resource type without its namespace',
      ownerPolicy({ scope: { resourceTypes: ['virtualMachines'] } }),
      /scope\.resourceTypes\.0 must be a resource type such as Microsoft\.Compute\/virtualMachines/,
    ],
    [
      'an unknown field',
      ownerPolicy({ enforce: true }),
      /Unrecognized key\(s\) in object: 'enforce'/,
    ],
    [
      'an unknown field in the scope',
      ownerPolicy({ scope: { tenantId: GUID } }),
      /scope: Unrecognized key/,
    ],
  ];

  it.each(cases)('refuses %s, naming the field', (_, body, message) => {
    let error: unknown;
    try {
      parseTagPolicyInput(body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses what is not an object', () => {
    expect(() => parseTagPolicyInput(null)).toThrow(InputError);
    expect(() => parseTagPolicyInput([])).toThrow(InputError);
  });
});
