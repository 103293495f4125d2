import { granularitiesFor, spendDateRange } from './spendPeriods';

describe('spendDateRange', () => {
  it('takes last month across a year boundary', () => {
    expect(spendDateRange('lastMonth', new Date(2025, 0, 10))).toEqual({
      from: '2024-12-01',
      to: '2024-12-31',
      days: 31,
    });
  });

  it('counts 30 and 90 days including today, in a leap year', () => {
    expect(spendDateRange('last30', new Date(2024, 2, 1))).toEqual({
      from: '2024-02-01',
      to: '2024-03-01',
      days: 30,
    });
    expect(spendDateRange('last90', new Date(2024, 2, 1)).days).toBe(90);
  });

  it('starts month to date on the first, which is a single day on the first', () => {
    expect(spendDateRange('monthToDate', new Date(2025, 5, 1, 23, 59))).toEqual(
      { from: '2025-06-01', to: '2025-06-01', days: 1 },
    );
  });
});

describe('granularitiesFor', () => {
  it('offers months only for periods longer than 31 days', () => {
    expect(
      granularitiesFor(spendDateRange('lastMonth', new Date(2025, 7, 5))),
    ).toEqual(['day']);
    expect(
      granularitiesFor(spendDateRange('last90', new Date(2025, 7, 5))),
    ).toEqual(['day', 'month']);
  });
});
