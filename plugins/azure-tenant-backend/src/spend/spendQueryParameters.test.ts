import { parseSpendQuery } from './spendQueryParameters';

const RESOURCE =
  '/subscriptions/8d4e1b72-5a3c-4f6e-b2d9-7c1e3a5f9b02/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-1';
const OCTOBER = { from: '2026-10-01', to: '2026-10-31' };

describe('parseSpendQuery', () => {
  it('takes a resource id as the target', () => {
    expect(
      parseSpendQuery({ resourceId: RESOURCE, ...OCTOBER }).target,
    ).toEqual({ resourceId: RESOURCE });
  });

  it('fills in the defaults of the API document', () => {
    expect(
      parseSpendQuery({
        subscriptionId: '8D4E1B72-5A3C-4F6E-B2D9-7C1E3A5F9B02',
        ...OCTOBER,
      }).query,
    ).toEqual({
      subscriptionId: '8d4e1b72-5a3c-4f6e-b2d9-7c1e3a5f9b02',
      ...OCTOBER,
      granularity: 'day',
      groupBy: 'service',
      top: 5,
    });
  });

  it.each([
    ['a NUL', `${RESOURCE}\u0000`],
    ['a line feed', `${RESOURCE}\n`],
    ['a DEL', `/subscriptions/x/resourceGroups/rg\u007f/providers/a/b/c`],
  ])(
    'refuses a resource id holding %s before any query, naming the problem',
    (_, resourceId) => {
      expect(() => parseSpendQuery({ resourceId, ...OCTOBER })).toThrow(
        /resourceId must be an Azure resource id, and '.*' holds a control character/,
      );
    },
  );

  it.each([
    ['no target', OCTOBER, /exactly one of/],
    [
      'two targets',
      { resourceId: RESOURCE, entityRef: 'group:default/data', ...OCTOBER },
      /exactly one of/,
    ],
    [
      'a period that ends before it starts',
      { resourceId: RESOURCE, from: '2026-10-05', to: '2026-10-01' },
      /must not be after/,
    ],
    [
      'a period over 366 days',
      { resourceId: RESOURCE, from: '2025-01-01', to: '2026-10-01' },
      /at most 366 days/,
    ],
    [
      'a day that does not exist',
      { resourceId: RESOURCE, from: '2026-02-30', to: '2026-03-01' },
      /'from' must be a date YYYY-MM-DD, got '2026-02-30'/,
    ],
    [
      'a month that does not exist',
      { resourceId: RESOURCE, from: '2026-10-01', to: '2026-19-01' },
      /'to' must be a date/,
    ],
    [
      'an entity ref without a kind',
      { entityRef: 'nokind', ...OCTOBER },
      /entityRef must be/,
    ],
  ])('refuses %s', (_, query, message) => {
    expect(() => parseSpendQuery(query)).toThrow(message);
  });
});
