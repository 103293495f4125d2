import { ConfigReader } from '@backstage/config';
import { lostAccessRetryDelayMs, readSyncConfig } from './SyncConfig';

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
      lostAccessMaxInterval: { hours: 24 },
    });
  });

  it('reads the cap of the lost-access back-off, and refuses one under a minute', () => {
    expect(read({ lostAccessMaxInterval: '6h' }).lostAccessMaxInterval).toEqual(
      { hours: 6 },
    );
    expect(() => read({ lostAccessMaxInterval: '10s' })).toThrow(
      /lostAccessMaxInterval/,
    );
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

describe('lostAccessRetryDelayMs', () => {
  const hour = 3_600_000;

  it('waits the schedule interval after the first failure, then twice as long each time, up to the cap', () => {
    expect(
      [1, 2, 3, 4, 5, 6, 7].map(
        attempts => lostAccessRetryDelayMs(attempts, hour, 24 * hour) / hour,
      ),
    ).toEqual([1, 2, 4, 8, 16, 24, 24]);
  });

  it('never waits less than the schedule interval, even with a cap below it', () => {
    expect(lostAccessRetryDelayMs(3, 2 * hour, hour)).toBe(2 * hour);
  });

  it('stays finite after very many failures', () => {
    expect(lostAccessRetryDelayMs(10_000, hour, 24 * hour)).toBe(24 * hour);
  });
});
