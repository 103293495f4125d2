import { DEFAULT_SPEND_ANOMALY_CONFIG } from './SpendAnomalyConfig';
import { judgeSpendDay, median } from './SpendAnomalyModel';

const thresholds = DEFAULT_SPEND_ANOMALY_CONFIG;

/** Deterministic noise in [-1, 1), so that a failing case can be replayed. */
function noiseSource(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return (2 * state) / 2 ** 31 - 1;
  };
}

/** 29 days of a subscription like the emulator's: a base with weekends 20% lower and ±10% noise. */
function series(
  daily: (day: number) => number,
  options: { days?: number; noise?: number; seed?: number } = {},
): number[] {
  const noise = noiseSource(options.seed ?? 7);
  return Array.from({ length: options.days ?? 29 }, (_, day) => {
    const weekend = day % 7 === 5 || day % 7 === 6 ? 0.8 : 1;
    return daily(day) * weekend * (1 + (options.noise ?? 0.1) * noise());
  });
}

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });
});

describe('judgeSpendDay', () => {
  it('flags a day on which one service costs five times its usual', () => {
    // 100 a day of virtual machines in 150 a day; the last day the machines cost 5×.
    const days = series(() => 150);
    const history = days.slice(0, 28);
    const verdict = judgeSpendDay(history, days[28] + 400, thresholds);
    expect(verdict.anomalous).toBe(true);
    expect(verdict.expected).toBeGreaterThan(120);
    expect(verdict.expected).toBeLessThan(170);
    expect(verdict.excess / verdict.spread).toBeGreaterThan(4);
  });

  it('expects steady growth of 3% a day, compounded, and does not flag it', () => {
    const days = series(day => 150 * 1.03 ** day);
    const verdict = judgeSpendDay(days.slice(0, 28), days[28], thresholds);
    expect(verdict.anomalous).toBe(false);
    // The trend is followed: the day is expected near what it costs, not at the history's average.
    expect(verdict.expected).toBeGreaterThan(0.85 * days[28]);
  });

  it('does not flag a flat, noisy series on any day', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const days = series(() => 150, { seed, noise: 0.2 });
      expect(
        judgeSpendDay(days.slice(0, 28), days[28], thresholds).anomalous,
      ).toBe(false);
    }
  });

  it('needs more than its usual swings, even at 50% above the expected value', () => {
    // A batch job: 50 on most days, 200 on one day in three.
    const history = Array.from({ length: 28 }, (_, day) =>
      day % 3 === 0 ? 200 : 50,
    );
    const verdict = judgeSpendDay(history, 210, thresholds);
    expect(verdict.excessPercent).toBeGreaterThan(50);
    expect(verdict.anomalous).toBe(false);
  });

  it('needs the minimum increase in percent and in amount', () => {
    // A perfectly regular series has no spread: only the minimums stand between a small move and an alert.
    const flat = Array.from({ length: 28 }, () => 100);
    expect(judgeSpendDay(flat, 140, thresholds).anomalous).toBe(false);
    expect(judgeSpendDay(flat, 160, thresholds).anomalous).toBe(true);
    const tiny = Array.from({ length: 28 }, () => 2);
    expect(judgeSpendDay(tiny, 10, thresholds).anomalous).toBe(false);
    expect(
      judgeSpendDay(tiny, 10, { ...thresholds, minimumAmount: 5 }).anomalous,
    ).toBe(true);
  });

  it('keeps an earlier spike in the history from raising the baseline', () => {
    const days = series(() => 150);
    days[20] *= 6;
    days[21] *= 6;
    const verdict = judgeSpendDay(days.slice(0, 28), 600, thresholds);
    expect(verdict.expected).toBeLessThan(170);
    expect(verdict.anomalous).toBe(true);
  });

  it('never flags a drop', () => {
    const days = series(() => 150);
    expect(judgeSpendDay(days.slice(0, 28), 0, thresholds).anomalous).toBe(
      false,
    );
  });
});
