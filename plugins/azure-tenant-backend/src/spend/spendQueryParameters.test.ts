import { parseSpendQuery } from './spendQueryParameters';

const RESOURCE =
  '/subscriptions/8d4e1b72-5a3c-4f6e-b2d9-7c1e3a5f9b02/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-1';

describe('parseSpendQuery', () => {
  it('takes a resource id as the target', () => {
    expect(
      parseSpendQuery({
        resourceId: RESOURCE,
        from: '2026-10-01',
        to: '2026-10-31',
      }).target,
    ).toEqual({ resourceId: RESOURCE });
  });

  it.each([
    ['a NUL', `${RESOURCE}\u0000`],
    ['a line feed', `${RESOURCE}\n`],
    ['a DEL', `/subscriptions/x/resourceGroups/rg\u007f/providers/a/b/c`],
  ])(
    'refuses a resource id holding %s before any query, naming the problem',
    (_, resourceId) => {
      expect(() => parseSpendQuery({ resourceId })).toThrow(
        /resourceId must be an Azure resource id, and '.*' holds a control character/,
      );
    },
  );
});
