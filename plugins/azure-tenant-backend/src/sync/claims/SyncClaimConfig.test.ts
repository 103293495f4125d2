import { ConfigReader } from '@backstage/config';
import { readSyncClaimConfig } from './SyncClaimConfig';

const read = (sync: unknown) =>
  readSyncClaimConfig(new ConfigReader({ azureTenant: { sync } } as any));

describe('readSyncClaimConfig', () => {
  it('defaults to a claim every 15 seconds and a lease of 2 minutes', () => {
    expect(read({})).toEqual({
      claimInterval: { seconds: 15 },
      lease: { minutes: 2 },
    });
    expect(read({ claimInterval: '5s', lease: { minutes: 5 } })).toEqual({
      claimInterval: { seconds: 5 },
      lease: { minutes: 5 },
    });
  });

  it('names the key of a wrong value', () => {
    expect(() => read({ lease: '1s' })).toThrow('azureTenant.sync.lease');
    expect(() => read({ claimInterval: 'soon' })).toThrow(
      'azureTenant.sync.claimInterval',
    );
  });
});
