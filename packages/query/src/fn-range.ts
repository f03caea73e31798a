/**
 * Range-vector functions: pure code over the samples of one series inside a window (t - range, t]
 * (left-open, as in Prometheus 3). `undefined` means "no output sample for this series".
 */
import type { Sample } from '@fathom/model';
import { QueryError } from './errors.js';
import { quantileOf } from './stats.js';

export interface Window {
  readonly samples: readonly Sample[];
  /** Window start and end in ms: samples lie in (startMs, endMs]. */
  readonly startMs: number;
  readonly endMs: number;
}

/** A range function: the window plus the call's scalar arguments (in call order, matrix excluded). */
export type RangeFn = (w: Window, params: readonly number[]) => number | undefined;

const nonEmpty = (fn: (s: readonly Sample[]) => number): ((w: Window) => number | undefined) => (w) => (w.samples.length ? fn(w.samples) : undefined);

export const RANGE_FUNCTIONS: Readonly<Record<string, RangeFn>> = {
  rate: (w) => extrapolatedRate(w, true, true),
  increase: (w) => extrapolatedRate(w, true, false),
  delta: (w) => extrapolatedRate(w, false, false),
  irate: (w) => instantDelta(w, true),
  idelta: (w) => instantDelta(w, false),
  avg_over_time: nonEmpty((s) => kahanSum(s) / s.length),
  sum_over_time: nonEmpty(kahanSum),
  count_over_time: nonEmpty((s) => s.length),
  min_over_time: nonEmpty((s) => extreme(s, (cur, v) => v < cur)),
  max_over_time: nonEmpty((s) => extreme(s, (cur, v) => v > cur)),
  last_over_time: (w) => w.samples[w.samples.length - 1]?.value,
  present_over_time: nonEmpty(() => 1),
  stddev_over_time: nonEmpty((s) => Math.sqrt(variance(s))),
  stdvar_over_time: nonEmpty(variance),
  mad_over_time: nonEmpty((s) => {
    const values = s.map((p) => p.value);
    const median = quantileOf(0.5, values);
    return quantileOf(0.5, values.map((v) => Math.abs(v - median)));
  }),
  quantile_over_time: (w, [q = NaN]) => (w.samples.length ? quantileOf(q, w.samples.map((p) => p.value)) : undefined),
  changes: nonEmpty((s) => countPairs(s, (prev, cur) => !(cur === prev || (Number.isNaN(cur) && Number.isNaN(prev))))),
  resets: nonEmpty((s) => countPairs(s, (prev, cur) => cur < prev)),
  deriv: (w) => (w.samples.length < 2 ? undefined : linearRegression(w.samples, w.samples[0]?.tMs ?? 0).slope),
  predict_linear: (w, [durationS = 0]) => {
    if (w.samples.length < 2) return undefined;
    const { slope, intercept } = linearRegression(w.samples, w.endMs);
    return slope * durationS + intercept;
  },
  holt_winters: (w, [sf = NaN, tf = NaN]) => doubleExponentialSmoothing(w.samples, sf, tf),
  double_exponential_smoothing: (w, [sf = NaN, tf = NaN]) => doubleExponentialSmoothing(w.samples, sf, tf),
};

function kahanSum(samples: readonly Sample[]): number {
  let sum = 0;
  let c = 0;
  for (const p of samples) {
    const t = sum + p.value;
    if (Math.abs(sum) >= Math.abs(p.value)) c += sum - t + p.value;
    else c += p.value - t + sum;
    sum = t;
  }
  return Number.isFinite(sum) ? sum + c : sum;
}

function extreme(samples: readonly Sample[], better: (cur: number, cand: number) => boolean): number {
  let best = samples[0]?.value ?? NaN;
  for (const p of samples) if (Number.isNaN(best) || better(best, p.value)) best = p.value;
  return best;
}

function variance(samples: readonly Sample[]): number {
  let count = 0;
  let mean = 0;
  let aux = 0;
  for (const p of samples) {
    count++;
    const delta = p.value - mean;
    mean += delta / count;
    aux += delta * (p.value - mean);
  }
  return aux / count;
}

function countPairs(samples: readonly Sample[], counts: (prev: number, cur: number) => boolean): number {
  let n = 0;
  for (let i = 1; i < samples.length; i++) if (counts(samples[i - 1]?.value ?? 0, samples[i]?.value ?? 0)) n++;
  return n;
}

/** Least-squares fit of value over time (seconds from `interceptMs`), as Prometheus computes it. */
export function linearRegression(samples: readonly Sample[], interceptMs: number): { slope: number; intercept: number } {
  let n = 0;
  let sumX = 0;
  let sumY = 0;
  let sumXY = 0;
  let sumX2 = 0;
  let constY = true;
  const first = samples[0]?.value ?? 0;
  for (const p of samples) {
    if (p.value !== first) constY = false;
    n++;
    const x = (p.tMs - interceptMs) / 1000;
    sumX += x;
    sumY += p.value;
    sumXY += x * p.value;
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
  const s = w.samples;
  const first = s[0];
  const last = s[s.length - 1];
  if (!first || !last || s.length < 2) return undefined;
  let result = last.value - first.value;
  if (isCounter) {
    for (let i = 1; i < s.length; i++) {
      const prev = s[i - 1]?.value ?? 0;
      if ((s[i]?.value ?? 0) < prev) result += prev;
    }
  }
  return extrapolate(result, first.tMs, first.value, last.tMs, s.length, w.startMs, w.endMs, isCounter, isRate);
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
  const s = w.samples;
  const last = s[s.length - 1];
  const prev = s[s.length - 2];
  if (!last || !prev) return undefined;
  const dv = isRate && last.value < prev.value ? last.value : last.value - prev.value;
  if (!isRate) return dv;
  const dt = (last.tMs - prev.tMs) / 1000;
  return dt === 0 ? undefined : dv / dt;
}

/** Kept for API compatibility: irate over a window. */
export function instantRate(w: Window): number | undefined {
  return instantDelta(w, true);
}

function doubleExponentialSmoothing(samples: readonly Sample[], sf: number, tf: number): number | undefined {
  if (!(sf > 0 && sf < 1)) throw new QueryError('execution', `invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf}`);
  if (!(tf > 0 && tf < 1)) throw new QueryError('execution', `invalid trend factor. Expected: 0 < tf < 1, got: ${tf}`);
  if (samples.length < 2) return undefined;
  let s0 = 0;
  let s1 = samples[0]?.value ?? 0;
  let b = (samples[1]?.value ?? 0) - s1;
  for (let i = 1; i < samples.length; i++) {
    const x = sf * (samples[i]?.value ?? 0);
    if (i > 1) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}
