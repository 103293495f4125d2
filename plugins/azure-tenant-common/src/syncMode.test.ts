import { DEFAULT_SYNC_MODE, isSyncMode, SYNC_MODES } from './syncMode';

describe('isSyncMode', () => {
  it('accepts each of the four modes', () => {
    expect(SYNC_MODES.filter(isSyncMode)).toEqual([
      'none',
      'no-tags',
      'read-tags',
      'read-write-tags',
    ]);
  });

  it('rejects anything else, including other casings', () => {
    expect(isSyncMode('READ-TAGS')).toBe(false);
    expect(isSyncMode('')).toBe(false);
    expect(isSyncMode(undefined)).toBe(false);
    expect(isSyncMode(3)).toBe(false);
  });

  it('defaults to Read and Write Tags', () => {
    expect(DEFAULT_SYNC_MODE).toBe('read-write-tags');
  });
});
