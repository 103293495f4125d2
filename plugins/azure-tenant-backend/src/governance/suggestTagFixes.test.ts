import {
  applyTagChange,
  TagFixSuggestion,
  TagPolicy,
  validateTagChange,
} from '@azure-tenant/plugin-azure-tenant-common';
import { checkExpected } from '../tags/tagChangeRules';
import { suggestTagFixes, TagFixContext } from './suggestTagFixes';
import {
  compileTagPolicies,
  evaluateTagPolicies,
  TagPolicySubject,
} from './tagPolicyRules';
import {
  owners,
  subject,
  SUBSCRIPTION,
  tagPolicy,
} from './__testUtils__/tagPolicyRulesFixture';

function suggest(
  policies: TagPolicy[],
  tags: Record<string, string> | undefined,
  ctx: Partial<TagFixContext> = {},
) {
  const s = subject(tags);
  const compiled = compileTagPolicies(policies);
  const context = { owners, ...ctx };
  const violations = evaluateTagPolicies(s, compiled, context);
  return suggestTagFixes(s, violations, compiled, context);
}

/** Applies a suggestion as the tag write path would, after its checks, and evaluates again. */
function applyAndEvaluate(
  policies: TagPolicy[],
  s: TagPolicySubject,
  suggestion: TagFixSuggestion,
  ctx: Partial<TagFixContext> = {},
) {
  const current = s.tags ?? {};
  expect(
    validateTagChange({
      current,
      set: suggestion.change.set,
      remove: suggestion.change.remove,
    }),
  ).toEqual([]);
  expect(checkExpected(suggestion.change.expected, current).conflicts).toEqual(
    [],
  );
  const tags = applyTagChange(current, suggestion.change);
  return {
    tags,
    violations: evaluateTagPolicies(
      { ...s, tags },
      compileTagPolicies(policies),
      { owners, ...ctx },
    ),
  };
}

const ownerPolicy = tagPolicy({
  key: 'owner',
  aliases: ['owned-by'],
  required: true,
  values: { kind: 'catalog-entity' },
});

describe('suggestTagFixes', () => {
  describe('canonical-key', () => {
    it('renames a key spelled in another case by setting the key alone', () => {
      const tags = { Owner: 'platform' };
      const [suggestion] = suggest([ownerPolicy], tags);
      expect(suggestion).toEqual({
        resourceId: subject(tags).resourceId,
        subscriptionId: SUBSCRIPTION,
        policyId: 'policy-owner',
        kind: 'canonical-key',
        change: {
          set: { owner: 'platform' },
          remove: [],
          expected: { owner: 'platform' },
        },
        reason: "The tag 'Owner' is the key 'owner' spelled otherwise.",
      });
      const after = applyAndEvaluate([ownerPolicy], subject(tags), suggestion);
      expect(after.tags).toEqual({ owner: 'platform' });
      expect(after.violations).toEqual([]);
    });

    it('replaces an alias with the key, expecting the key absent and the alias unchanged', () => {
      const tags = { 'Owned-By': 'platform', env: 'prod' };
      const [suggestion] = suggest([ownerPolicy], tags);
      expect(suggestion.kind).toBe('canonical-key');
      expect(suggestion.change).toEqual({
        set: { owner: 'platform' },
        remove: ['Owned-By'],
        expected: { owner: null, 'Owned-By': 'platform' },
      });
      expect(suggestion.reason).toBe(
        "The tag 'Owned-By' is another name of the key 'owner'.",
      );
      const after = applyAndEvaluate([ownerPolicy], subject(tags), suggestion);
      expect(after.tags).toEqual({ env: 'prod', owner: 'platform' });
      expect(after.violations).toEqual([]);
    });

    it("also takes the list's spelling of the value, in one suggestion", () => {
      const env = tagPolicy({
        key: 'env',
        values: { kind: 'list', values: ['prod'], caseSensitive: true },
      });
      const tags = { Env: 'PROD' };
      const suggestions = suggest([env], tags);
      expect(suggestions).toHaveLength(1);
      expect(suggestions[0].change.set).toEqual({ env: 'prod' });
      expect(suggestions[0].reason).toContain(
        "spells its value 'PROD' as 'prod'",
      );
      expect(
        applyAndEvaluate([env], subject(tags), suggestions[0]).violations,
      ).toEqual([]);
    });

    it('keeps a value the rule refuses as it is', () => {
      const [suggestion] = suggest([ownerPolicy], { 'owned-by': 'nobody' });
      expect(suggestion.change.set).toEqual({ owner: 'nobody' });
    });

    it('suggests nothing for a name that only looks like the key (NFD)', () => {
      const accented = tagPolicy({ key: 'propri\u00e9taire', required: true });
      expect(suggest([accented], { 'proprie\u0301taire': 'platform' })).toEqual(
        [],
      );
    });
  });

  describe('canonical-value', () => {
    const env = (caseSensitive: boolean, values = ['prod', 'test']) =>
      tagPolicy({
        key: 'env',
        values: { kind: 'list', values, caseSensitive },
      });

    it("replaces a value with the case-sensitive list's spelling", () => {
      const tags = { env: 'PROD' };
      const [suggestion] = suggest([env(true)], tags);
      expect(suggestion).toEqual(
        expect.objectContaining({
          kind: 'canonical-value',
          change: {
            set: { env: 'prod' },
            remove: [],
            expected: { env: 'PROD' },
          },
          reason:
            "The policy's list spells the value 'PROD' of the tag 'env' as 'prod'.",
        }),
      );
      expect(
        applyAndEvaluate([env(true)], subject(tags), suggestion).violations,
      ).toEqual([]);
    });

    it("offers the list's spelling for a value a case-insensitive list allows in another case", () => {
      expect(suggest([env(false)], { env: 'Prod' })).toEqual([
        expect.objectContaining({
          kind: 'canonical-value',
          change: expect.objectContaining({ set: { env: 'prod' } }),
        }),
      ]);
      expect(suggest([env(false)], { env: 'prod' })).toEqual([]);
    });

    it('suggests nothing for a value in no spelling of the list, or in two', () => {
      expect(suggest([env(true)], { env: 'staging' })).toEqual([]);
      expect(suggest([env(true, ['Prod', 'prod'])], { env: 'PROD' })).toEqual(
        [],
      );
    });
  });

  describe('inherit', () => {
    const inherited = (
      inherit: TagPolicy['inherit'],
      values?: TagPolicy['values'],
    ) => tagPolicy({ key: 'costCenter', inherit, values });

    it("takes the resource group's value, expecting the key still absent", () => {
      const ctx = { resourceGroupTags: { CostCenter: 'cc-1' } };
      const [suggestion] = suggest([inherited('resource-group')], {}, ctx);
      expect(suggestion).toEqual(
        expect.objectContaining({
          kind: 'inherit',
          change: {
            set: { costCenter: 'cc-1' },
            remove: [],
            expected: { costCenter: null },
          },
          reason: 'The resource group rg-web has CostCenter=cc-1.',
        }),
      );
      expect(
        applyAndEvaluate(
          [inherited('resource-group')],
          subject({}),
          suggestion,
          ctx,
        ).violations,
      ).toEqual([]);
    });

    it("takes the subscription's value when the resource group has none", () => {
      const [suggestion] = suggest(
        [inherited('resource-group-then-subscription')],
        {},
        { resourceGroupTags: {}, subscriptionTags: { costCenter: 'cc-2' } },
      );
      expect(suggestion.change.set).toEqual({ costCenter: 'cc-2' });
      expect(suggestion.reason).toBe(
        `The subscription ${SUBSCRIPTION} has costCenter=cc-2.`,
      );
    });

    it("suggests nothing when the parent's value breaks the value rule", () => {
      const pattern = { kind: 'pattern' as const, pattern: 'cc-\\d+' };
      expect(
        suggest(
          [inherited('resource-group', pattern)],
          {},
          {
            resourceGroupTags: { costCenter: 'unknown' },
          },
        ),
      ).toEqual([]);
      // The first parent with the key decides: the subscription's valid value is not taken in its place.
      expect(
        suggest(
          [inherited('resource-group-then-subscription', pattern)],
          {},
          {
            resourceGroupTags: { costCenter: 'unknown' },
            subscriptionTags: { costCenter: 'cc-3' },
          },
        ),
      ).toEqual([]);
    });

    it("writes the list's spelling of the parent's value", () => {
      const [suggestion] = suggest(
        [inherited('resource-group', { kind: 'list', values: ['Web'] })],
        {},
        { resourceGroupTags: { costCenter: 'WEB' } },
      );
      expect(suggestion.change.set).toEqual({ costCenter: 'Web' });
    });
  });

  describe('owner-from-resource-group', () => {
    it("takes a catalog-entity key from the resource group's tag without inherit", () => {
      const ctx = { resourceGroupTags: { 'owned-by': 'team-platform' } };
      const [suggestion] = suggest([ownerPolicy], {}, ctx);
      expect(suggestion).toEqual(
        expect.objectContaining({
          kind: 'owner-from-resource-group',
          change: {
            set: { owner: 'team-platform' },
            remove: [],
            expected: { owner: null },
          },
          reason:
            'The resource group rg-web has owned-by=team-platform, which names group:default/platform.',
        }),
      );
      expect(
        applyAndEvaluate([ownerPolicy], subject({}), suggestion, ctx)
          .violations,
      ).toEqual([]);
    });

    it('is not offered for keys that are not catalog entities, nor for an owner naming nobody', () => {
      const required = tagPolicy({ key: 'owner', required: true });
      expect(
        suggest([required], {}, { resourceGroupTags: { owner: 'platform' } }),
      ).toEqual([]);
      expect(
        suggest([ownerPolicy], {}, { resourceGroupTags: { owner: 'nobody' } }),
      ).toEqual([]);
    });

    it('respects the kinds of entity the policy allows', () => {
      const groups = tagPolicy({
        ...ownerPolicy,
        values: { kind: 'catalog-entity', entityKinds: ['group'] },
      });
      expect(
        suggest([groups], {}, { resourceGroupTags: { owner: 'jane' } }),
      ).toEqual([]);
    });
  });

  describe('owner-from-siblings', () => {
    it('takes the owner two siblings agree on, ignoring owners naming nobody', () => {
      const siblings: Array<Record<string, string>> = [
        { owner: 'platform' },
        { 'Owned-By': 'platform' },
        { owner: 'nobody' },
        { env: 'prod' },
      ];
      const [suggestion] = suggest([ownerPolicy], {}, { siblings });
      expect(suggestion).toEqual(
        expect.objectContaining({
          kind: 'owner-from-siblings',
          change: {
            set: { owner: 'platform' },
            remove: [],
            expected: { owner: null },
          },
          reason:
            '2 other resources of the resource group rg-web have owner=platform, which names group:default/platform, and none has another valid value.',
        }),
      );
    });

    it('suggests nothing when fewer than two agree or another valid owner disagrees', () => {
      expect(
        suggest([ownerPolicy], {}, { siblings: [{ owner: 'platform' }] }),
      ).toEqual([]);
      expect(
        suggest(
          [ownerPolicy],
          {},
          {
            siblings: [
              { owner: 'platform' },
              { owner: 'platform' },
              { owner: 'jane' },
            ],
          },
        ),
      ).toEqual([]);
      expect(suggest([ownerPolicy], {})).toEqual([]);
    });

    it("comes after the resource group's owner", () => {
      const [suggestion] = suggest(
        [ownerPolicy],
        {},
        {
          resourceGroupTags: { owner: 'jane' },
          siblings: [{ owner: 'platform' }, { owner: 'platform' }],
        },
      );
      expect(suggestion.kind).toBe('owner-from-resource-group');
    });

    it('is the fallback when the parent to inherit from names nobody', () => {
      const inheriting = tagPolicy({
        ...ownerPolicy,
        inherit: 'resource-group',
      });
      const [suggestion] = suggest(
        [inheriting],
        {},
        {
          resourceGroupTags: { owner: 'nobody' },
          siblings: [{ owner: 'platform' }, { owner: 'platform' }],
        },
      );
      expect(suggestion.kind).toBe('owner-from-siblings');
    });
  });

  it('suggests nothing for a key that is absent and neither required nor inherited', () => {
    const optional = tagPolicy({
      key: 'owner',
      values: { kind: 'catalog-entity' },
    });
    expect(
      suggest([optional], {}, { resourceGroupTags: { owner: 'platform' } }),
    ).toEqual([]);
  });

  it('suggests nothing for a resource whose tags are not kept', () => {
    expect(
      suggest([ownerPolicy], undefined, {
        resourceGroupTags: { owner: 'platform' },
      }),
    ).toEqual([]);
  });

  it('gives at most one suggestion per policy, for the policies in scope', () => {
    const env = tagPolicy({
      key: 'env',
      values: { kind: 'list', values: ['prod'], caseSensitive: true },
    });
    const elsewhere = tagPolicy({
      key: 'team',
      required: true,
      inherit: 'resource-group',
      scope: { resourceGroupPattern: 'rg-data-*' },
    });
    const suggestions = suggest(
      [ownerPolicy, env, elsewhere],
      { Env: 'PROD' },
      { resourceGroupTags: { owner: 'platform', team: 'web' } },
    );
    expect(suggestions.map(s => [s.policyId, s.kind])).toEqual([
      ['policy-owner', 'owner-from-resource-group'],
      ['policy-env', 'canonical-key'],
    ]);
  });
});
