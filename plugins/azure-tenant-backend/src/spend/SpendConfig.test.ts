import { ConfigReader } from '@backstage/config';
import { readSpendConfig } from './SpendConfig';

describe('readSpendConfig', () => {
  it('defaults to every 6 hours, 90 days of look-back and 5 restated days', () => {
    expect(readSpendConfig(new ConfigReader({}))).toEqual({
      schedule: { frequency: { hours: 6 }, timeout: { minutes: 30 } },
      lookbackDays: 90,
      restatementDays: 5,
      concurrency: 2,
    });
  });

  it('reads the schedule and the day counts', () => {
    const config = readSpendConfig(
      new ConfigReader({
        azureTenant: {
          spend: {
            schedule: { frequency: { hours: 1 }, timeout: { minutes: 10 } },
            lookbackDays: 30,
            restatementDays: 3,
            concurrency: 4,
          },
        },
      }),
    );
    expect(config).toMatchObject({
      lookbackDays: 30,
      restatementDays: 3,
      concurrency: 4,
      schedule: { frequency: { hours: 1 }, timeout: { minutes: 10 } },
    });
  });

  it.each([
    [
      { lookbackDays: 0 },
      /azureTenant.spend.lookbackDays must be a whole number from 1 to 366/,
    ],
    [{ lookbackDays: 400 }, /lookbackDays/],
    [
      { lookbackDays: 10, restatementDays: 11 },
      /restatementDays must be a whole number from 1 to 10/,
    ],
    [{ concurrency: 1.5 }, /concurrency/],
    [
      { schedule: { frequency: 'often' } },
      /azureTenant.spend.schedule is not a valid schedule/,
    ],
  ])('fails at startup on %j', (spend, message) => {
    expect(() =>
      readSpendConfig(new ConfigReader({ azureTenant: { spend } })),
    ).toThrow(message);
  });
});
