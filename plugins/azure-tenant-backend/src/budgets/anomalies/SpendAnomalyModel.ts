/*
 * How a day's spend is judged against its recent pattern.
 *
 * Azure Cost Management's own anomaly detection (Microsoft Learn, "Identify anomalies and unexpected changes in
 * cost") fits a univariate time-series model to the last 60 days and evaluates the latest complete day. This is a
 * smaller model of the same kind, made robust so that one odd day in the history (an earlier spike, a missing day)
 * moves neither the baseline nor the spread:
 *
 * 1. Trend: the Theil–Sen slope of the history's daily totals (the median of the slopes between every pair of days),
 *    so that steady growth or decline is expected rather than flagged.
 * 2. Expected value: the median of the last 7 days of the history (a whole week, so weekends weigh as they do) moved
 *    on by the slope to the day judged, 4 days after the middle of that week; never below 0. Anchoring the level on
 *    the last week rather than on the whole line keeps a slope that noise tilted from being carried over 4 weeks.
 * 3. Spread: the median absolute deviation of the history's residuals from the Theil–Sen line, × 1.4826 (which makes
 *    it estimate the standard deviation of normally distributed noise). A median ignores what happens on fewer than
 *    half of the days, so a usual pattern of high days (a batch job one day in three, a weekly run) would not widen
 *    it and each high day would look anomalous; the spread is therefore at least what the upper tail shows: the
 *    90th percentile residual above the median, / 1.2816 (the same scaling, for that percentile). Outliers on fewer
 *    than one day in ten of the history move neither.
 * 4. Verdict: the day is anomalous when its excess over the expected value is more than `sensitivity` spreads, AND
 *    at least `minimumIncreasePercent` % of the expected value, AND at least `minimumAmount`. The last two keep a
 *    very regular series (a spread near 0) from flagging small moves, and small subscriptions from flagging cents.
 *
 * Only rises are flagged: a drop in spend is not something owners need to be woken for.
 */

/** What a day must exceed to be an anomaly. */
export interface SpendAnomalyThresholds {
  /** Spreads above the expected value (k). */
  sensitivity: number;
  minimumIncreasePercent: number;
  minimumAmount: number;
}

/** The verdict on one day. */
export interface SpendDayVerdict {
  actual: number;
  /** The level of the history's last week, moved on by its trend to the day judged; never below 0. */
  expected: number;
  /** `actual - expected`. */
  excess: number;
  /** The excess in percent of the expected value; `Infinity` when nothing was expected. */
  excessPercent: number;
  /** The robust standard deviation of the history around its trend (see the method above). */
  spread: number;
  anomalous: boolean;
}

/** Scales a median absolute deviation to estimate the standard deviation of normally distributed values. */
const MAD_TO_STANDARD_DEVIATION = 1.4826;

/** The 90th percentile of a normal distribution, in standard deviations above its median. */
const P90_IN_STANDARD_DEVIATIONS = 1.2816;

/** The days of the history whose median sets the expected level: one week. */
const LEVEL_DAYS = 7;

/** The median of some numbers (the mean of the middle two for an even count); 0 for none. */
export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The `p`-quantile (0–1) of some numbers, interpolating between neighbours; 0 for none. */
function quantile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const position = p * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

/** The Theil–Sen line through `(i, values[i])`: robust to up to about 29% of outlying points. */
function theilSenLine(values: number[]): { slope: number; intercept: number } {
  const slopes: number[] = [];
  for (let i = 0; i < values.length; i++) {
    for (let j = i + 1; j < values.length; j++) {
      slopes.push((values[j] - values[i]) / (j - i));
    }
  }
  const slope = median(slopes);
  const intercept = median(values.map((value, i) => value - slope * i));
  return { slope, intercept };
}

/**
 * Judges the spend of a day against `history`, the daily totals of the consecutive days just before it (oldest first;
 * callers give at least `MIN_HISTORY_DAYS`).
 */
export function judgeSpendDay(
  history: number[],
  actual: number,
  thresholds: SpendAnomalyThresholds,
): SpendDayVerdict {
  const { slope, intercept } = theilSenLine(history);
  const residuals = history.map((value, i) => value - (intercept + slope * i));
  const center = median(residuals);
  const spread = Math.max(
    MAD_TO_STANDARD_DEVIATION *
      median(residuals.map(residual => Math.abs(residual - center))),
    (quantile(residuals, 0.9) - center) / P90_IN_STANDARD_DEVIATIONS,
  );
  const lastWeek = history.slice(-LEVEL_DAYS);
  // The median of the last week stands for its middle day; the day judged comes just after the history.
  const expected = Math.max(
    0,
    median(lastWeek) + slope * (lastWeek.length - (lastWeek.length - 1) / 2),
  );
  const excess = actual - expected;
  // Any rise from nothing is infinitely many percent; none is 0%.
  let excessPercent = excess > 0 ? Infinity : 0;
  if (expected > 0) excessPercent = (excess / expected) * 100;
  const anomalous =
    excess > thresholds.sensitivity * spread &&
    excess >= thresholds.minimumAmount &&
    excessPercent >= thresholds.minimumIncreasePercent &&
    excess > 0;
  return { actual, expected, excess, excessPercent, spread, anomalous };
}
