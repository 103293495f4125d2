import { BudgetDraft, budgetDraftOf, checkBudgetDraft } from './budgetDraft';

function draft(changes: Partial<BudgetDraft>): BudgetDraft {
  return {
    ...budgetDraftOf({
      name: 'Shop',
      amount: 100,
      scope: {
        kind: 'subscription',
        subscriptionId: '00000000-0000-0000-0000-000000000001',
      },
    }),
    ...changes,
  };
}

function problemsOf(changes: Partial<BudgetDraft>) {
  return checkBudgetDraft(draft(changes), 'USD').problems;
}

describe('checkBudgetDraft', () => {
  it('accepts a complete draft and leaves the owner to the backend when empty', () => {
    const { input, problems } = checkBudgetDraft(draft({}), 'EUR');

    expect(problems).toEqual({});
    expect(input).toEqual({
      name: 'Shop',
      scope: {
        kind: 'subscription',
        subscriptionId: '00000000-0000-0000-0000-000000000001',
      },
      amount: 100,
      currency: 'EUR',
      period: { type: 'monthly' },
      thresholds: [
        { type: 'actual', percent: 50 },
        { type: 'actual', percent: 80 },
        { type: 'actual', percent: 100 },
        { type: 'forecast', percent: 100 },
      ],
    });
  });

  it.each([
    ['a blank name', { name: ' ' }, 'name'],
    ['a name of 201 characters', { name: 'x'.repeat(201) }, 'name'],
    ['a negative amount', { amount: '-5' }, 'amount'],
    ['an amount that is not a number', { amount: 'abc' }, 'amount'],
    ['an amount above 1e12', { amount: '1e13' }, 'amount'],
    ['a lower-case currency', { currency: 'usd' }, 'currency'],
    ['a four-letter currency', { currency: 'EURO' }, 'currency'],
    [
      'a resource group ending in a period',
      { scopeKind: 'resourceGroup' as const, resourceGroup: 'rg.' },
      'resourceGroup',
    ],
    [
      'a resource group with a slash',
      { scopeKind: 'resourceGroup' as const, resourceGroup: 'rg/x' },
      'resourceGroup',
    ],
    [
      'a resource group of 91 characters',
      { scopeKind: 'resourceGroup' as const, resourceGroup: 'r'.repeat(91) },
      'resourceGroup',
    ],
    [
      'an entity ref without a kind',
      { scopeKind: 'entity' as const, entityRef: 'payments' },
      'entityRef',
    ],
    [
      'a custom group without members',
      { scopeKind: 'customGroup' as const, groupName: 'Data', owner: 'team-a' },
      'groupMembers',
    ],
    [
      'a custom group without an owner',
      {
        scopeKind: 'customGroup' as const,
        groupName: 'Data',
        groupTags: [{ key: 'team', value: '' }],
      },
      'owner',
    ],
    [
      'an owner that is not a group or user',
      { owner: 'component:default/web' },
      'owner',
    ],
    ['no thresholds', { thresholds: [] }, 'thresholds'],
    [
      'a threshold of 0%',
      { thresholds: [{ type: 'actual' as const, percent: '0' }] },
      'thresholds',
    ],
    [
      'a threshold above 1000%',
      { thresholds: [{ type: 'actual' as const, percent: '1001' }] },
      'thresholds',
    ],
    [
      'the same threshold twice',
      {
        thresholds: [
          { type: 'actual' as const, percent: '80' },
          { type: 'actual' as const, percent: '80.0' },
        ],
      },
      'thresholds',
    ],
    [
      '11 thresholds',
      {
        thresholds: Array.from({ length: 11 }, (_, i) => ({
          type: 'actual' as const,
          percent: String(i + 1),
        })),
      },
      'thresholds',
    ],
    [
      'a start date that does not exist',
      {
        periodType: 'custom' as const,
        startDate: '2025-02-30',
        endDate: '2025-03-01',
      },
      'startDate',
    ],
    [
      'a custom period longer than five years',
      {
        periodType: 'custom' as const,
        startDate: '2025-01-01',
        endDate: '2030-01-02',
      },
      'endDate',
    ],
  ])('refuses %s, with a problem on %s', (_, changes, field) => {
    const { input, problems } = checkBudgetDraft(draft(changes), 'USD');

    expect(Object.keys(problems)).toEqual([field]);
    expect(input).toBeUndefined();
  });

  it('reads an owner without a kind as a group, and a custom period of exactly five years', () => {
    expect(problemsOf({ owner: 'team-a' })).toEqual({});
    expect(
      checkBudgetDraft(draft({ owner: 'team-a' }), 'USD').input?.owner,
    ).toBe('group:default/team-a');
    expect(
      problemsOf({
        periodType: 'custom',
        startDate: '2025-01-01',
        endDate: '2030-01-01',
      }),
    ).toEqual({});
  });
});
