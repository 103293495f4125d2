import { parseCatalogCursor } from './router';

const cursorOf = (key: string) =>
  Buffer.from(key, 'utf8').toString('base64url');

// Found by the reliability suite (packages/backend/src/reliability/badInput.test.ts): a foreign cursor answered an
// empty page, which the catalog module would take for the end of the feed.
describe('parseCatalogCursor', () => {
  const key =
    '/subscriptions/8d4e1b72-5a3c-4f6e-b2d9-7c1e3a5f9b02/resourcegroups/rg/providers/microsoft.keyvault/vaults/kv-1';

  it('accepts a cursor the feed returns, and no cursor', () => {
    expect(parseCatalogCursor(cursorOf(key))).toBe(cursorOf(key));
    expect(parseCatalogCursor(undefined)).toBeUndefined();
    expect(parseCatalogCursor('')).toBeUndefined();
  });

  it.each([
    ['not base64url', 'garbage'],
    ['padded base64', `${cursorOf(key)}==`],
    ['a path traversal', cursorOf('../../etc/passwd')],
    ['a key with a NUL', cursorOf(`${key}\u0000`)],
    [
      'invalid UTF-8',
      Buffer.from([0x2f, 0xed, 0xa0, 0x80]).toString('base64url'),
    ],
    [
      'a subscription that is not a GUID',
      cursorOf('/subscriptions/x/resourcegroups/rg'),
    ],
  ])('refuses %s with a 400 that names the cursor', (_what, cursor) => {
    expect(() => parseCatalogCursor(cursor)).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: expect.stringContaining('cursor is not a cursor'),
      }),
    );
  });
});
