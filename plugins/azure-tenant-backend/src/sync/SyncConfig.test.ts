import { ConfigReader } from '@backstage/config';
import { readSyncConfig } from './SyncConfig';

function read(sync?: object) {
  return readSyncConfig(
    new ConfigReader(sync ? { azureTenant: { sync } } : {}),
  );
}

describe('readSyncConfig', () => {
  it('has documented defaults', () => {
    expect(read()).toMatchObject({
      frequency: { hours: 1 },
      timeout: { minutes: 30 },
      concurrency: 4,
      pageSize: 1000,
      minRemainingReads: 100,
    });
  });

  it('takes every duration form', () => {
    expect(read({ frequency: { hours: 2 } }).frequency).toEqual({ hours: 2 });
    expect(read({ frequency: 'PT90M' }).frequency).toEqual({ minutes: 90 });
    expect(read({ timeout: '10m' }).timeout).toEqual({ minutes: 10 });
  });

  it.each([
    [
      { frequency: '30s' },
      /azureTenant.sync.frequency must be at least 1 minute/,
    ],
    [{ frequency: 'hourly' }, /azureTenant.sync.frequency must be a duration/],
    [{ timeout: 'long' }, /azureTenant.sync.timeout must be a duration/],
    [
      { concurrency: 0 },
      /azureTenant.sync.concurrency must be a whole number from 1 to 32, got 0/,
    ],
    [
      { pageSize: 2000 },
      /azureTenant.sync.pageSize must be a whole number from 1 to 1000/,
    ],
  ])('fails at startup on %j, naming the key', (sync, message) => {
    expect(() => read(sync)).toThrow(message);
  });
});
