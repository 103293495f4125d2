import {
  budgetPeriodOf,
  daysInPeriod,
  elapsedDays,
  remainingDays,
} from './budgetPeriods';

describe('budgetPeriodOf', () => {
  it('takes the calendar month for a monthly budget', () => {
    expect(budgetPeriodOf({ type: 'monthly' }, '2026-02-14')).toEqual({
      start: '2026-02-01',
      end: '2026-02-28',
      position: 'current',
    });
    expect(budgetPeriodOf({ type: 'monthly' }, '2028-02-29').end).toBe(
      '2028-02-29',
    );
  });

  it('takes calendar quarters and years without a start month', () => {
    expect(budgetPeriodOf({ type: 'quarterly' }, '2026-05-31')).toMatchObject({
      start: '2026-04-01',
      end: '2026-06-30',
    });
    expect(budgetPeriodOf({ type: 'yearly' }, '2026-12-31')).toMatchObject({
      start: '2026-01-01',
      end: '2026-12-31',
    });
  });

  it('takes a fiscal year from its start month, across the new year', () => {
    const fiscal = { type: 'yearly' as const, startMonth: 4 };
    expect(budgetPeriodOf(fiscal, '2027-02-10')).toMatchObject({
      start: '2026-04-01',
      end: '2027-03-31',
    });
    expect(budgetPeriodOf(fiscal, '2026-04-01')).toMatchObject({
      start: '2026-04-01',
      end: '2027-03-31',
    });
    expect(budgetPeriodOf(fiscal, '2026-03-31')).toMatchObject({
      start: '2025-04-01',
      end: '2026-03-31',
    });
  });

  it('takes fiscal quarters from the start month', () => {
    const quarters = { type: 'quarterly' as const, startMonth: 2 };
    expect(budgetPeriodOf(quarters, '2026-01-15')).toMatchObject({
      start: '2025-11-01',
      end: '2026-01-31',
    });
    expect(budgetPeriodOf(quarters, '2026-02-01')).toMatchObject({
      start: '2026-02-01',
      end: '2026-04-30',
    });
    expect(budgetPeriodOf(quarters, '2026-12-31')).toMatchObject({
      start: '2026-11-01',
      end: '2027-01-31',
    });
  });

  it('keeps the one custom period and says where the day stands', () => {
    const project = {
      type: 'custom' as const,
      startDate: '2026-03-15',
      endDate: '2026-09-14',
    };
    expect(budgetPeriodOf(project, '2026-06-01')).toEqual({
      start: '2026-03-15',
      end: '2026-09-14',
      position: 'current',
    });
    expect(budgetPeriodOf(project, '2026-03-14').position).toBe('not-started');
    expect(budgetPeriodOf(project, '2026-09-15').position).toBe('ended');
    expect(budgetPeriodOf(project, '2026-09-14').position).toBe('current');
  });
});

describe('days of a period', () => {
  const december = { start: '2026-12-01', end: '2026-12-31' };

  it('counts the days, those passed and those left', () => {
    expect(daysInPeriod(december)).toBe(31);
    expect(elapsedDays(december, '2026-12-03')).toBe(3);
    expect(remainingDays(december, '2026-12-03')).toBe(28);
  });

  it('counts none passed before the period and all after it', () => {
    expect(elapsedDays(december, '2026-11-30')).toBe(0);
    expect(remainingDays(december, '2026-11-30')).toBe(31);
    expect(elapsedDays(december, '2027-01-05')).toBe(31);
    expect(remainingDays(december, '2026-12-31')).toBe(0);
  });
});
