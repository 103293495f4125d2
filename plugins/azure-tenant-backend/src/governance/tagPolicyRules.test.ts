import { TagPolicy } from '@azure-tenant/plugin-azure-tenant-common';
import { InputError } from '@backstage/errors';
import {
  OTHER_SUBSCRIPTION,
  owners,
  subject,
  SUBSCRIPTION,
  tagPolicy,
} from './__testUtils__/tagPolicyRulesFixture';
import {
  compileTagPolicies,
  evaluateTagPolicies,
  policyApplies,
  TagPolicyContext,
  TagPolicySubject,
  tagPoliciesFingerprint,
} from './tagPolicyRules';

function evaluate(
  policies: TagPolicy[],
  tags: Record<string, string> | undefined,
  ctx: Partial<TagPolicyContext> = {},
  overrides: Partial<TagPolicySubject> = {},
) {
  return evaluateTagPolicies(
    subject(tags, overrides),
    compileTagPolicies(policies),
    { owners, ...ctx },
  );
}

describe('evaluateTagPolicies', () => {
  describe('required keys', () => {
    const required = tagPolicy({ key: 'owner', required: true });

    it('reports a required key that is absent', () => {
      expect(evaluate([required], { env: 'prod' })).toEqual([
        {
          policyId: 'policy-owner',
          policyName: 'owner policy',
          key: 'owner',
          code: 'missing',
          message: "The required tag 'owner' is missing.",
        },
      ]);
    });

    it('accepts a resource with the key and any value when there is no value rule', () => {
      expect(evaluate([required], { owner: 'anything' })).toEqual([]);
    });

    it('says nothing about an absent key that is not required', () => {
      expect(evaluate([tagPolicy({ key: 'owner' })], {})).toEqual([]);
    });

    it('reports nothing for a resource whose tags are not kept', () => {
      expect(evaluate([required], undefined)).toEqual([]);
    });
  });

  describe('canonical keys', () => {
    const policy = tagPolicy({
      key: 'owner',
      aliases: ['owned-by', 'Team'],
      required: true,
    });

    it('reads a key in another case as the key, but reports its spelling', () => {
      expect(evaluate([policy], { Owner: 'platform' })).toEqual([
        expect.objectContaining({
          code: 'non-canonical-key',
          found: { key: 'Owner', value: 'platform' },
          message: "The tag 'Owner' should be spelled 'owner'.",
        }),
      ]);
    });

    it('reads an alias in any case as the key, and says it should be renamed', () => {
      expect(evaluate([policy], { TEAM: 'platform' })).toEqual([
        expect.objectContaining({
          code: 'non-canonical-key',
          found: { key: 'TEAM', value: 'platform' },
          message:
            "The tag 'TEAM' is another name of 'owner' and should be renamed 'owner'.",
        }),
      ]);
    });

    it('compares names in Unicode NFC', () => {
      const accented = tagPolicy({ key: 'propri\u00e9taire', required: true });
      expect(
        evaluate([accented], { 'proprie\u0301taire': 'platform' }),
      ).toEqual([expect.objectContaining({ code: 'non-canonical-key' })]);
    });

    it('prefers the exact canonical spelling when several tags match', () => {
      expect(
        evaluate([policy], {
          'owned-by': 'web',
          owner: 'platform',
          Owner: 'x',
        }),
      ).toEqual([]);
    });

    it('checks the value rule on a tag found under another spelling', () => {
      const listed = tagPolicy({
        ...policy,
        values: { kind: 'list', values: ['platform'] },
      });
      expect(
        evaluate([listed], { 'owned-by': 'web' }).map(v => v.code),
      ).toEqual(['non-canonical-key', 'value-not-allowed']);
    });
  });

  describe('value rules', () => {
    it('allows a listed value in any case unless the list is case-sensitive', () => {
      const values = ['prod', 'test'];
      const insensitive = tagPolicy({
        key: 'env',
        values: { kind: 'list', values },
      });
      const sensitive = tagPolicy({
        key: 'env',
        values: { kind: 'list', values, caseSensitive: true },
      });
      expect(evaluate([insensitive], { env: 'PROD' })).toEqual([]);
      expect(evaluate([sensitive], { env: 'prod' })).toEqual([]);
      expect(evaluate([sensitive], { env: 'PROD' })).toEqual([
        expect.objectContaining({
          code: 'value-not-allowed',
          found: { key: 'env', value: 'PROD' },
          message:
            "The value 'PROD' of the tag 'env' is not one of the allowed values 'prod', 'test' (case-sensitive).",
        }),
      ]);
    });

    it('names the first values of a long list and how many more there are', () => {
      const values = Array.from({ length: 12 }, (_, i) => `v${i}`);
      const [violation] = evaluate(
        [tagPolicy({ key: 'env', values: { kind: 'list', values } })],
        { env: 'other' },
      );
      expect(violation.message).toContain("'v9' and 2 more.");
      expect(violation.message).not.toContain('v10');
    });

    it('requires a pattern to match the whole value', () => {
      const policy = tagPolicy({
        key: 'costCenter',
        values: { kind: 'pattern', pattern: 'cc-\\d{4}' },
      });
      expect(evaluate([policy], { costCenter: 'cc-1234' })).toEqual([]);
      expect(evaluate([policy], { costCenter: 'x-cc-12345' })).toEqual([
        expect.objectContaining({
          code: 'value-pattern-mismatch',
          message:
            "The value 'x-cc-12345' of the tag 'costCenter' does not match the pattern cc-\\d{4}.",
        }),
      ]);
    });

    it('keeps alternatives of a pattern anchored', () => {
      const policy = tagPolicy({
        key: 'env',
        values: { kind: 'pattern', pattern: 'prod|test' },
      });
      expect(evaluate([policy], { env: 'test' })).toEqual([]);
      expect(evaluate([policy], { env: 'production' })).toHaveLength(1);
    });

    it('requires a catalog-entity value to name a catalog group or user', () => {
      const policy = tagPolicy({
        key: 'owner',
        values: { kind: 'catalog-entity' },
      });
      expect(evaluate([policy], { owner: 'team-platform' })).toEqual([]);
      expect(evaluate([policy], { owner: 'jane@example.com' })).toEqual([]);
      expect(evaluate([policy], { owner: 'nobody' })).toEqual([
        expect.objectContaining({
          code: 'value-not-catalog-entity',
          message:
            "The value 'nobody' of the tag 'owner' names no catalog group or user.",
        }),
      ]);
    });

    it('accepts only the entity kinds the policy names', () => {
      const groups = tagPolicy({
        key: 'owner',
        values: { kind: 'catalog-entity', entityKinds: ['group'] },
      });
      expect(evaluate([groups], { owner: 'Platform' })).toEqual([]);
      expect(evaluate([groups], { owner: 'jane' })).toEqual([
        expect.objectContaining({
          code: 'value-not-catalog-entity',
          message:
            "The value 'jane' of the tag 'owner' names user:default/jane, but the policy allows only a catalog group.",
        }),
      ]);
    });

    it("asks the context for a ref's kind when it can tell", () => {
      const users = tagPolicy({
        key: 'owner',
        values: { kind: 'catalog-entity', entityKinds: ['user'] },
      });
      expect(
        evaluate(
          [users],
          { owner: 'platform' },
          {
            owners: {
              resolve: owners.resolve.bind(owners),
              kindOf: () => 'user',
            },
          },
        ),
      ).toEqual([]);
    });
  });

  describe('inheritance', () => {
    const rgTags = { Owner: 'platform' };
    const subscriptionTags = { owner: 'finance' };

    it('reports a key the resource group has but the resource lacks, even when not required', () => {
      const policy = tagPolicy({ key: 'owner', inherit: 'resource-group' });
      expect(evaluate([policy], {}, { resourceGroupTags: rgTags })).toEqual([
        expect.objectContaining({
          code: 'not-inherited',
          message:
            "The tag 'owner' is missing, but its resource group rg-web has Owner=platform for it to inherit.",
        }),
      ]);
    });

    it('looks only at the parent the policy names', () => {
      const fromSubscription = tagPolicy({
        key: 'owner',
        required: true,
        inherit: 'subscription',
      });
      expect(
        evaluate([fromSubscription], {}, { resourceGroupTags: rgTags }).map(
          v => v.code,
        ),
      ).toEqual(['missing']);
      expect(
        evaluate(
          [fromSubscription],
          {},
          {
            resourceGroupTags: rgTags,
            subscriptionTags,
          },
        ),
      ).toEqual([
        expect.objectContaining({
          code: 'not-inherited',
          message: expect.stringContaining(
            `its subscription ${SUBSCRIPTION} has owner=finance`,
          ),
        }),
      ]);
    });

    it('tries the resource group, then the subscription', () => {
      const policy = tagPolicy({
        key: 'owner',
        aliases: ['team'],
        inherit: 'resource-group-then-subscription',
      });
      const [fromGroup] = evaluate(
        [policy],
        {},
        {
          resourceGroupTags: { team: 'web' },
          subscriptionTags,
        },
      );
      expect(fromGroup.message).toContain('resource group rg-web has team=web');
      const [fromSubscription] = evaluate([policy], {}, { subscriptionTags });
      expect(fromSubscription.message).toContain('has owner=finance');
    });

    it('says nothing when the resource has the key', () => {
      const policy = tagPolicy({ key: 'owner', inherit: 'resource-group' });
      expect(
        evaluate([policy], { owner: 'web' }, { resourceGroupTags: rgTags }),
      ).toEqual([]);
    });
  });

  describe('scope', () => {
    const required = (scope: TagPolicy['scope']) =>
      tagPolicy({ key: 'owner', required: true, scope });

    it('applies to the subscriptions it names, in any case', () => {
      const policy = required({
        subscriptionIds: [SUBSCRIPTION.toUpperCase()],
      });
      expect(evaluate([policy], {})).toHaveLength(1);
      expect(
        evaluate([policy], {}, {}, { subscriptionId: OTHER_SUBSCRIPTION }),
      ).toEqual([]);
    });

    it('matches resource group names against a glob, whole and case-insensitively', () => {
      const [policy] = compileTagPolicies([
        required({ resourceGroupPattern: 'rg-prod-*' }),
      ]);
      const inGroup = (resourceGroup: string) =>
        policyApplies(policy, subject({}, { resourceGroup }));
      expect(inGroup('RG-PROD-web')).toBe(true);
      expect(inGroup('rg-prod-')).toBe(true);
      expect(inGroup('my-rg-prod-web')).toBe(false);
      expect(inGroup('rg-test-web')).toBe(false);

      const [single] = compileTagPolicies([
        required({ resourceGroupPattern: 'rg-(a).?' }),
      ]);
      expect(
        policyApplies(single, subject({}, { resourceGroup: 'rg-(a).1' })),
      ).toBe(true);
      expect(
        policyApplies(single, subject({}, { resourceGroup: 'rg-(a)x1' })),
      ).toBe(false);
      expect(
        policyApplies(single, subject({}, { resourceGroup: 'rg-(a).12' })),
      ).toBe(false);
    });

    it('applies to the resource types it names, in any case', () => {
      const policy = required({
        resourceTypes: ['microsoft.compute/virtualMachines'],
      });
      expect(
        evaluate(
          [policy],
          {},
          {},
          { type: 'Microsoft.Compute/virtualMachines' },
        ),
      ).toHaveLength(1);
      expect(evaluate([policy], {})).toEqual([]);
    });

    it('needs every part of the scope to match', () => {
      const policy = required({
        subscriptionIds: [SUBSCRIPTION],
        resourceGroupPattern: 'rg-*',
        resourceTypes: ['Microsoft.Storage/storageAccounts'],
      });
      expect(evaluate([policy], {})).toEqual([]);
      expect(
        evaluate(
          [policy],
          {},
          {},
          { type: 'Microsoft.Storage/storageAccounts' },
        ),
      ).toHaveLength(1);
    });
  });

  it('lists the violations of several policies in their order', () => {
    const violations = evaluate(
      [
        tagPolicy({ key: 'owner', required: true }),
        tagPolicy({ key: 'env', values: { kind: 'list', values: ['prod'] } }),
      ],
      { Env: 'dev' },
    );
    expect(violations.map(v => [v.policyId, v.code])).toEqual([
      ['policy-owner', 'missing'],
      ['policy-env', 'non-canonical-key'],
      ['policy-env', 'value-not-allowed'],
    ]);
  });
});

describe('compileTagPolicies', () => {
  it('matches a pattern that would make a backtracking engine run for ages, as RE2 does, at once', () => {
    const policy = tagPolicy({
      key: 'env',
      values: { kind: 'pattern', pattern: '(a+)+$' },
    });
    // With JavaScript's RegExp this value would not finish matching before the test times out.
    expect(
      evaluate([policy], { env: `${'a'.repeat(255)}b` }).map(v => v.code),
    ).toEqual(['value-pattern-mismatch']);
    expect(evaluate([policy], { env: 'aaaa' })).toEqual([]);
  });

  it('names the policy whose pattern is not a regular expression', () => {
    const bad = tagPolicy({
      id: 'p1',
      name: 'Cost centre',
      key: 'costCenter',
      values: { kind: 'pattern', pattern: 'a)(b' },
    });
    expect(() => compileTagPolicies([bad])).toThrow(InputError);
    expect(() => compileTagPolicies([bad])).toThrow(
      /tag policy 'Cost centre' \(p1\) has a value pattern/,
    );
  });
});

describe('tagPoliciesFingerprint', () => {
  const policy = tagPolicy({
    key: 'owner',
    aliases: ['team'],
    values: { kind: 'list', values: ['a', 'b'] },
    scope: { subscriptionIds: [SUBSCRIPTION] },
  });
  const other = tagPolicy({ key: 'env', required: true });
  const fingerprint = tagPoliciesFingerprint([policy, other]);

  it('changes when anything that affects evaluation changes', () => {
    const changes: Array<Partial<TagPolicy>> = [
      { name: 'renamed' },
      { key: 'Owner' },
      { aliases: ['team', 'owned-by'] },
      { required: true },
      { values: { kind: 'list', values: ['a', 'c'] } },
      { values: { kind: 'list', values: ['a', 'b'], caseSensitive: true } },
      { values: { kind: 'pattern', pattern: 'a|b' } },
      { inherit: 'resource-group' },
      { scope: { subscriptionIds: [OTHER_SUBSCRIPTION] } },
      { scope: { resourceGroupPattern: 'rg-*' } },
      { scope: { resourceTypes: ['Microsoft.Web/sites'] } },
      { id: 'another-id' },
    ];
    const fingerprints = changes.map(change =>
      tagPoliciesFingerprint([{ ...policy, ...change }, other]),
    );
    for (const changed of fingerprints) expect(changed).not.toBe(fingerprint);
    expect(new Set(fingerprints).size).toBe(changes.length);
    expect(tagPoliciesFingerprint([policy])).not.toBe(fingerprint);
  });

  it('stays the same for changes that do not affect evaluation', () => {
    expect(tagPoliciesFingerprint([other, policy])).toBe(fingerprint);
    expect(
      tagPoliciesFingerprint([
        {
          ...policy,
          description: 'Who to call',
          updatedAt: '2026-02-01T00:00:00.000Z',
          required: false,
          values: { kind: 'list', values: ['a', 'b'], caseSensitive: false },
          scope: { subscriptionIds: [SUBSCRIPTION.toUpperCase()] },
        },
        other,
      ]),
    ).toBe(fingerprint);
  });
});
