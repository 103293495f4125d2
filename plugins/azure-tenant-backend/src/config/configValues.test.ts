import { ConfigReader } from '@backstage/config';
import { readSchedule } from './configValues';

describe('readSchedule', () => {
  const fallback = {
    frequency: { minutes: 30 },
    timeout: { minutes: 10 },
  };
  const read = (section: object) =>
    readSchedule(
      new ConfigReader(section),
      'azureTenant.budgets',
      'schedule',
      fallback,
    );

  it('gives the fallback when the key is absent', () => {
    expect(read({})).toBe(fallback);
    expect(
      readSchedule(undefined, 'azureTenant.budgets', 'schedule', fallback),
    ).toBe(fallback);
  });

  it('reads a schedule as Backstage does', () => {
    expect(
      read({
        schedule: { frequency: { cron: '0 5 * * *' }, timeout: 'PT10M' },
      }),
    ).toMatchObject({ frequency: { cron: '0 5 * * *' } });
  });

  it("refuses a wrong one naming the key, with the fallback's frequency as an example", () => {
    expect(() => read({ schedule: { frequency: 'often' } })).toThrow(
      'Invalid config: azureTenant.budgets.schedule is not a valid schedule: give frequency and timeout, each a duration such as { minutes: 30 } or ISO 8601 (frequency may also be a cron expression)',
    );
  });
});
