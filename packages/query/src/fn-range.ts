/**
 * Range-vector functions: pure code over the samples of one series inside a window (t - range, t]
 * (left-open, as in Prometheus 3). `undefined` means "no output sample for this series".
 */
import type { SampleColumns } from '@fathom/storage';
import { QueryError } from './errors.js';
import { quantileOf } from './stats.js';

export interface Window {
  /** The window's samples (columns; readers must not write to them). */
  readonly samples: SampleColumns;
  /** Window start and end in ms: samples lie in (startMs, endMs]. */
  readonly startMs: number;
  readonly endMs: number;
}

/** A range function: the window plus the call's scalar arguments (in call order, matrix excluded). */
export type RangeFn = (w: Window, params: readonly number[]) => number | undefined;

const nonEmpty = (fn: (s: SampleColumns) => number): ((w: Window) => number | undefined) => (w) => (w.samples.tMs.length ? fn(w.samples) : undefined);

export const RANGE_FUNCTIONS: Readonly<Record<string, RangeFn>> = {
  rate: (w) => extrapolatedRate(w, true, true),
  increase: (w) => extrapolatedRate(w, true, false),
  delta: (w) => extrapolatedRate(w, false, false),
  irate: (w) => instantDelta(w, true),
  idelta: (w) => instantDelta(w, false),
  avg_over_time: nonEmpty((s) => kahanSum(s) / s.values.length),
  sum_over_time: nonEmpty(kahanSum),
  count_over_time: nonEmpty((s) => s.values.length),
  min_over_time: nonEmpty((s) => extreme(s, (cur, v) => v < cur)),
  max_over_time: nonEmpty((s) => extreme(s, (cur, v) => v > cur)),
  last_over_time: (w) => (w.samples.values.length ? w.samples.values[w.samples.values.length - 1] : undefined),
  present_over_time: nonEmpty(() => 1),
  stddev_over_time: nonEmpty((s) => Math.sqrt(variance(s))),
  stdvar_over_time: nonEmpty(variance),
  mad_over_time: nonEmpty((s) => {
    const values = Array.from(s.values);
    const median = quantileOf(0.5, values);
    return quantileOf(0.5, values.map((v) => Math.abs(v - median)));
  }),
  quantile_over_time: (w, [q = NaN]) => (w.samples.values.length ? quantileOf(q, Array.from(w.samples.values)) : undefined),
  changes: nonEmpty((s) => countPairs(s, (prev, cur) => !(cur === prev || (Number.isNaN(cur) && Number.isNaN(prev))))),
  resets: nonEmpty((s) => countPairs(s, (prev, cur) => cur < prev)),
  deriv: (w) => (w.samples.tMs.length < 2 ? undefined : linearRegression(w.samples, w.samples.tMs[0]!).slope),
  predict_linear: (w, [durationS = 0]) => {
    if (w.samples.tMs.length < 2) return undefined;
    const { slope, intercept } = linearRegression(w.samples, w.endMs);
    return slope * durationS + intercept;
  },
  holt_winters: (w, [sf = NaN, tf = NaN]) => doubleExponentialSmoothing(w.samples, sf, tf),
  double_exponential_smoothing: (w, [sf = NaN, tf = NaN]) => doubleExponentialSmoothing(w.samples, sf, tf),
};

function kahanSum(samples: SampleColumns): number {
  let sum = 0;
  let c = 0;
  for (const v of samples.values) {
    const t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) c += sum - t + v;
    else c += v - t + sum;
    sum = t;
  }
  return Number.isFinite(sum) ? sum + c : sum;
}

function extreme(samples: SampleColumns, better: (cur: number, cand: number) => boolean): number {
  let best = samples.values.length ? samples.values[0]! : NaN;
  for (const v of samples.values) if (Number.isNaN(best) || better(best, v)) best = v;
  return best;
}

function variance(samples: SampleColumns): number {
  let count = 0;
  let mean = 0;
  let aux = 0;
  for (const v of samples.values) {
    count++;
    const delta = v - mean;
    mean += delta / count;
    aux += delta * (v - mean);
  }
  return aux / count;
}

function countPairs(samples: SampleColumns, counts: (prev: number, cur: number) => boolean): number {
  const v = samples.values;
  let n = 0;
  for (let i = 1; i < v.length; i++) if (counts(v[i - 1]!, v[i]!)) n++;
  return n;
}

/** Least-squares fit of value over time (seconds from `interceptMs`), as Prometheus computes it. */
export function linearRegression(samples: SampleColumns, interceptMs: number): { slope: number; intercept: number } {
  const { tMs, values } = samples;
  let n = 0;
  let sumX = 0;
  let sumY = 0;
  let sumXY = 0;
  let sumX2 = 0;
  let constY = true;
  const first = values.length ? values[0]! : 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== first) constY = false;
    n++;
    const x = (tMs[i]! - interceptMs) / 1000;
    sumX += x;
    sumY += v;
    sumXY += x * v;
    sumX2 += x * x;
  }
  if (constY && Number.isFinite(first)) return { slope: 0, intercept: first };
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return { slope, intercept: sumY / n - (slope * sumX) / n };
}

/**
 * rate/increase/delta with Prometheus' extrapolation: the increase between the first and last
 * sample (counter resets added back), extrapolated towards the window edges by at most half an
 * average sample interval, and never below zero for counters.
 */
export function extrapolatedRate(w: Window, isCounter: boolean, isRate: boolean): number | undefined {
  const { tMs, values } = w.samples;
  const n = values.length;
  if (n < 2) return undefined;
  const firstValue = values[0]!;
  let result = values[n - 1]! - firstValue;
  if (isCounter) {
    for (let i = 1; i < n; i++) {
      const prev = values[i - 1]!;
      if (values[i]! < prev) result += prev;
    }
  }
  return extrapolate(result, tMs[0]!, firstValue, tMs[n - 1]!, n, w.startMs, w.endMs, isCounter, isRate);
}

/**
 * The extrapolation step of {@link extrapolatedRate}, given the window's raw increase `result`
 * (counter resets already added back) and its first and last samples; shared with the cursor path
 * (fn-window.ts) so both compute bit-identical results.
 */
export function extrapolate(result: number, firstTMs: number, firstValue: number, lastTMs: number, count: number, startMs: number, endMs: number, isCounter: boolean, isRate: boolean): number {
  const sampledInterval = (lastTMs - firstTMs) / 1000;
  const averageInterval = sampledInterval / (count - 1);
  let durationToStart = (firstTMs - startMs) / 1000;
  const durationToEnd = (endMs - lastTMs) / 1000;
  if (isCounter && result > 0 && firstValue >= 0) {
    const durationToZero = sampledInterval * (firstValue / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageInterval * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo += durationToStart < threshold ? durationToStart : averageInterval / 2;
  extrapolateTo += durationToEnd < threshold ? durationToEnd : averageInterval / 2;
  let factor = extrapolateTo / sampledInterval;
  if (isRate) factor /= (endMs - startMs) / 1000;
  return result * factor;
}

/** irate (per second, a counter reset counts from zero) and idelta between the last two samples. */
export function instantDelta(w: Window, isRate: boolean): number | undefined {
  const { tMs, values } = w.samples;
  const n = values.length;
  if (n < 2) return undefined;
  const last = values[n - 1]!;
  const prev = values[n - 2]!;
  const dv = isRate && last < prev ? last : last - prev;
  if (!isRate) return dv;
  const dt = (tMs[n - 1]! - tMs[n - 2]!) / 1000;
  return dt === 0 ? undefined : dv / dt;
}

/** Kept for API compatibility: irate over a window. */
export function instantRate(w: Window): number | undefined {
  return instantDelta(w, true);
}

function doubleExponentialSmoothing(samples: SampleColumns, sf: number, tf: number): number | undefined {
  if (!(sf > 0 && sf < 1)) throw new QueryError('execution', `invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf}`);
  if (!(tf > 0 && tf < 1)) throw new QueryError('execution', `invalid trend factor. Expected: 0 < tf < 1, got: ${tf}`);
  const v = samples.values;
  if (v.length < 2) return undefined;
  let s0 = 0;
  let s1 = v[0]!;
  let b = v[1]! - s1;
  for (let i = 1; i < v.length; i++) {
    const x = sf * v[i]!;
    if (i > 1) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}
