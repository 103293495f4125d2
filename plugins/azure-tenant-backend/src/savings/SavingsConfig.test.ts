import { ConfigReader } from '@backstage/config';
import { readSavingsConfig } from './SavingsConfig';

describe('readSavingsConfig', () => {
  it('defaults to every 6 hours, the first run at start', () => {
    expect(readSavingsConfig(new ConfigReader({}))).toEqual({
      schedule: { frequency: { hours: 6 }, timeout: { minutes: 30 } },
    });
  });

  it('reads the schedule', () => {
    expect(
      readSavingsConfig(
        new ConfigReader({
          azureTenant: {
            savings: {
              schedule: {
                frequency: { cron: '0 5 * * *' },
                timeout: 'PT10M',
                initialDelay: { minutes: 2 },
              },
            },
          },
        }),
      ),
    ).toMatchObject({
      schedule: {
        frequency: { cron: '0 5 * * *' },
        initialDelay: { minutes: 2 },
      },
    });
  });

  it.each([
    [{ schedule: { frequency: 'often' } }],
    [{ schedule: { frequency: { hours: 6 } } }],
  ])('fails at startup on %j', savings => {
    expect(() =>
      readSavingsConfig(new ConfigReader({ azureTenant: { savings } })),
    ).toThrow(/azureTenant.savings.schedule is not a valid schedule/);
  });
});
